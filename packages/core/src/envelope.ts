import { z } from "zod";
import { newId } from "./ids.ts";
import { onlyChecks } from "./schema-checks.ts";
import { accessCommands, accessEvents } from "./schemas/access.ts";
import { agentCommands, agentEvents } from "./schemas/agent.ts";
import { loadTestCommands, loadTestEvents } from "./schemas/load-test.ts";
import { metricEvents } from "./schemas/metrics.ts";
import { runCommands, runEvents } from "./schemas/run.ts";
import { scheduleCommands, scheduleEvents } from "./schemas/schedule.ts";
import { webhookCommands, webhookEvents } from "./schemas/webhook.ts";
import { workerCommands, workerEvents } from "./schemas/worker.ts";
import { firstIssue } from "./validation.ts";

export const AGGREGATE_TYPES = ["load-test", "run", "worker", "api-key", "tenant", "secret", "schedule", "agent", "webhook"] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];
export type AggregateRef = { type: AggregateType; id: string };

/** Every event type with its data schema. Current schema version of each is 1. */
export const eventCatalog = {
  ...loadTestEvents,
  ...runEvents,
  ...workerEvents,
  ...metricEvents,
  ...accessEvents,
  ...scheduleEvents,
  ...agentEvents,
  ...webhookEvents,
} as const;
export const commandCatalog = {
  ...loadTestCommands,
  ...runCommands,
  ...workerCommands,
  ...accessCommands,
  ...scheduleCommands,
  ...agentCommands,
  ...webhookCommands,
} as const;
export const CURRENT_SCHEMA_VERSION = 1;

export type EventType = keyof typeof eventCatalog;
export type CommandType = keyof typeof commandCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]>;
export type CommandData<T extends CommandType> = z.infer<(typeof commandCatalog)[T]>;

type Meta = {
  id: string;
  schemaVersion: number;
  tenantId: string;
  aggregate: AggregateRef;
  time: string;
  actor: string;
  causationId: string | null;
  correlationId: string;
  /** W3C trace context of what produced it (TRACEPARENT_PATTERN), when tracing was on: a consumer's span is its child. */
  traceparent?: string;
};

/** The envelope every event travels in: facts, past tense, never changed once written. */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: Meta & { type: K; data: EventData<K> };
}[T];

export type CommandEnvelope<T extends CommandType = CommandType> = {
  [K in T]: Omit<Meta, "causationId"> & { type: K; data: CommandData<K> };
}[T];

export type EventOf<T extends EventType> = EventEnvelope<T>;
export type CommandOf<T extends CommandType> = CommandEnvelope<T>;

/**
 * A W3C `traceparent` (version 00: trace id, parent span id, flags). A plain string here: the domain
 * knows no tracing library, it only carries the context beside the message. No lookahead for the
 * all-zero ids the spec also refuses (the propagator does): the JSON Schemas' pattern must suit RE2 validators.
 */
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The envelope's own fields, `data` unchecked (each type's is in the catalog). */
export const metaSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  tenantId: z.string().min(1),
  aggregate: z.object({ type: z.enum(AGGREGATE_TYPES), id: z.string().min(1) }),
  time: z.string(),
  actor: z.string(),
  causationId: z.string().nullable().optional(),
  correlationId: z.string(),
  traceparent: z.string().regex(TRACEPARENT_PATTERN).optional(),
  data: z.unknown(),
});

export class SchemaError extends Error {
  override name = "SchemaError";
  constructor(
    message: string,
    /** The field of the data at fault (dotted path), when it was the data. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Event types whose data schema only checks (see onlyChecks): their data is kept as parsed,
 * not replaced by zod's copy. Metric windows are most of what a projection reads; the copy of
 * one is about three times its parsed size and lived until its batch committed, which made
 * young-generation GC the metrics projection's largest cost. Unknown keys stay in such data.
 */
const checkedInPlace: ReadonlySet<string> = new Set(
  Object.entries(eventCatalog)
    .filter(([, s]) => onlyChecks(s))
    .map(([type]) => type),
);

/** Validates an event read from a stream: its envelope, its type and version, and its data. */
export function parseEvent(raw: unknown): EventEnvelope {
  const meta = metaSchema.safeParse(raw);
  if (!meta.success) throw new SchemaError(`bad envelope: ${z.prettifyError(meta.error)}`);
  const schema = (eventCatalog as Record<string, z.ZodType>)[meta.data.type];
  if (!schema) throw new SchemaError(`unknown event type ${meta.data.type}`);
  if (meta.data.schemaVersion !== CURRENT_SCHEMA_VERSION) {
    throw new SchemaError(`unsupported schemaVersion ${meta.data.schemaVersion} of ${meta.data.type}`);
  }
  const data = schema.safeParse(meta.data.data);
  if (!data.success) throw new SchemaError(`bad data of ${meta.data.type}: ${z.prettifyError(data.error)}`);
  // The envelope schema only checks too: its fields are taken from what was parsed, by name.
  const { id, type, schemaVersion, tenantId, aggregate, time, actor, causationId, correlationId, traceparent } = raw as z.infer<
    typeof metaSchema
  >;
  const checked = checkedInPlace.has(type) ? meta.data.data : data.data;
  const event = {
    id,
    type,
    schemaVersion,
    tenantId,
    aggregate: { type: aggregate.type, id: aggregate.id },
    time,
    actor,
    causationId: causationId ?? null,
    correlationId,
    data: checked,
  } as EventEnvelope;
  if (traceparent !== undefined) event.traceparent = traceparent; // absent rather than undefined: envelopes compare equal
  return event;
}

// Made once: zod compiles a schema on its first parse, so one derived per call compiled every time.
const commandMetaSchema = metaSchema.omit({ causationId: true });

export function parseCommand(raw: unknown): CommandEnvelope {
  const meta = commandMetaSchema.safeParse(raw);
  if (!meta.success) throw new SchemaError(`bad command envelope: ${z.prettifyError(meta.error)}`);
  const schema = (commandCatalog as Record<string, z.ZodType>)[meta.data.type];
  if (!schema) throw new SchemaError(`unknown command type ${meta.data.type}`);
  const data = schema.safeParse(meta.data.data);
  if (!data.success) throw new SchemaError(`bad data of ${meta.data.type}: ${z.prettifyError(data.error)}`, firstIssue(data.error).field);
  return { ...meta.data, data: data.data } as CommandEnvelope;
}

export type CommandInit<T extends CommandType> = {
  type: T;
  tenantId: string;
  aggregate: AggregateRef;
  data: CommandData<T>;
  actor?: string;
  correlationId?: string;
  traceparent?: string;
};

export function createCommand<T extends CommandType>(init: CommandInit<T>): CommandOf<T> {
  const id = newId();
  return {
    id,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    time: new Date().toISOString(),
    actor: init.actor ?? "system",
    correlationId: init.correlationId ?? id,
    type: init.type,
    tenantId: init.tenantId,
    aggregate: init.aggregate,
    data: init.data,
    ...(init.traceparent ? { traceparent: init.traceparent } : {}),
  } as CommandOf<T>;
}

/** What a decider returns: an event not yet enveloped. */
export type NewEvent = { [K in EventType]: { type: K; data: EventData<K> } }[EventType];

/**
 * Envelopes the events a command caused: causation and correlation follow the command; `traceparent`
 * is the deciding span's (when tracing), so whoever consumes an event continues the trace.
 */
export function eventsFromCommand(command: CommandEnvelope, events: readonly NewEvent[], traceparent?: string): EventEnvelope[] {
  return events.map(
    (e) =>
      ({
        id: newId(),
        type: e.type,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        tenantId: command.tenantId,
        aggregate: command.aggregate,
        time: new Date().toISOString(),
        actor: command.actor,
        causationId: command.id,
        correlationId: command.correlationId,
        data: e.data,
        ...(traceparent ? { traceparent } : {}),
      }) as EventEnvelope,
  );
}
