import { z } from "zod";
import { AGENT_CONTROL_ECHOES, RUN_CONTROL_ECHOES } from "./echoes.ts";
import { CURRENT_SCHEMA_VERSION, type EventType, eventCatalog } from "./envelope.ts";
import { eventEnvelopeJsonSchema, whereEventIs } from "./event-catalog-doc.ts";
import { eventExamples } from "./event-examples.ts";
import { workerRegistrationSchema } from "./schemas/worker-registration.ts";

/**
 * The streams and subjects as an AsyncAPI 3 document, generated from the same catalog as
 * docs/events.md: a channel per subject pattern, a message per event type (its whole envelope,
 * JSON Schema draft-07 as AsyncAPI's own schema format is), and a receive operation per channel,
 * because Loadline's subscribers only ever receive. `npm run docs:events` writes docs/asyncapi.yaml.
 */
export function eventAsyncApi(): Record<string, unknown> {
  const types = Object.keys(eventCatalog) as EventType[];
  const channels: Record<string, Channel> = {};
  const add = (subject: string, description: string, messages: readonly string[]) => {
    const id = channelId(subject);
    const channel = (channels[id] ??= { ...addressOf(subject), description, messages: {} });
    for (const m of messages) channel.messages[m] = { $ref: `#/components/messages/${m}` };
  };
  for (const type of types) {
    const { stream, subject } = whereEventIs(type);
    add(subject, `Stored on ${stream}.`, [type]);
  }
  add(
    "<ns>.ctl.<tenant>.<runId>",
    "Core NATS, not stored: the echo of a run's stored control events, for its workers.",
    RUN_CONTROL_ECHOES,
  );
  add("<ns>.actl.<tenant>.<agentId>", "Core NATS, not stored: the echo of an action asked of an agent.", AGENT_CONTROL_ECHOES);
  add("<ns>.hb.<workerId>", "Core NATS, not stored: each worker's registration, every second.", [HEARTBEAT]);

  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = Object.fromEntries(types.map((type) => [type, eventMessage(type, schemas)]));
  messages[HEARTBEAT] = {
    name: HEARTBEAT,
    title: "Worker heartbeat",
    summary: "A worker's registration (not an envelope): its capacity, labels and the runs it holds.",
    contentType: "application/json",
    payload: hoisted(z.toJSONSchema(workerRegistrationSchema, { io: "input", target: "draft-7" }), schemas),
  };
  const operations = Object.fromEntries(
    Object.entries(channels).map(([id, channel]) => [
      `receive-${id}`,
      {
        action: "receive",
        channel: { $ref: `#/channels/${id}` },
        messages: Object.keys(channel.messages).map((m) => ({ $ref: `#/channels/${id}/messages/${m}` })),
      },
    ]),
  );
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Loadline events",
      version: `${CURRENT_SCHEMA_VERSION}`,
      description:
        "Loadline's JetStream streams and core NATS subjects, for subscribers. `ns` is the installation's namespace " +
        "(`LL_NAMESPACE`, default `ll`); the stream names are it in capitals. Generated from packages/core; see docs/events.md.",
    },
    defaultContentType: "application/json",
    servers: { local: { host: "127.0.0.1:4222", protocol: "nats", description: "The NATS server of an all-in-one stack" } },
    channels,
    operations,
    components: { messages, ...(Object.keys(schemas).length > 0 ? { schemas } : {}) },
  };
}

const HEARTBEAT = "worker.heartbeat";

type Channel = {
  address: string;
  parameters?: Record<string, { description: string; default?: string }>;
  description: string;
  messages: Record<string, { $ref: string }>;
};

/** `<ns>.evt.<tenant>.run.<runId>` → `evt-run`: the subject's fixed tokens. */
const channelId = (subject: string) =>
  subject
    .split(".")
    .filter((token) => !token.startsWith("<"))
    .join("-");

const PARAMETERS: Record<string, string> = {
  ns: "The installation's namespace (LL_NAMESPACE)",
  tenant: "The tenant's id",
};

function addressOf(subject: string): Pick<Channel, "address" | "parameters"> {
  const names = [...subject.matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
  const parameters = Object.fromEntries(
    names.map((n) => [n, { description: PARAMETERS[n] ?? `The ${n.replace(/Id$/, "")}'s id`, ...(n === "ns" ? { default: "ll" } : {}) }]),
  );
  return { address: subject.replace(/<([^>]+)>/g, "{$1}"), ...(names.length > 0 ? { parameters } : {}) };
}

/** The headers JetStream stores with events and windows, and the trace context when tracing is on. */
const HEADERS = {
  type: "object",
  properties: {
    "Nats-Msg-Id": {
      type: "string",
      description: "The envelope id (events) or `<runId>.<workerId>.<second>` (windows): JetStream's dedup key",
    },
    "Nats-Expected-Last-Subject-Sequence": {
      type: "string",
      description: "Events: the stream sequence of the aggregate's previous event when this one was appended (0 for its first)",
    },
    traceparent: { type: "string", description: "W3C trace context of the request that caused the message, when tracing is on" },
    tracestate: { type: "string", description: "W3C trace state, with traceparent" },
  },
};

function eventMessage(type: EventType, schemas: Record<string, unknown>) {
  const { stream, subject } = whereEventIs(type);
  return {
    name: type,
    title: type,
    summary: `The envelope of a ${type} event, on ${stream} (${subject}).`,
    contentType: "application/json",
    headers: HEADERS,
    payload: hoisted(eventEnvelopeJsonSchema(type, "draft-7"), schemas),
    examples: [{ name: "example", payload: exampleEnvelope(type) }],
  };
}

/**
 * A schema whose named definitions (the recursive JSON value of metadata, say) move to the
 * document's components: a `$ref` inside an AsyncAPI message resolves against the document, not
 * the schema. A name defined twice must mean the same schema.
 */
function hoisted(schema: Record<string, unknown>, into: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _, definitions, ...rest } = schema as { $schema?: string; definitions?: Record<string, unknown> };
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === "$ref" && typeof v === "string" ? v.replace("#/definitions/", "#/components/schemas/") : rewrite(v),
      ]),
    );
  };
  for (const [name, definition] of Object.entries(definitions ?? {})) {
    const moved = rewrite(definition);
    if (name in into && JSON.stringify(into[name]) !== JSON.stringify(moved)) throw new Error(`two schemas named ${name}`);
    into[name] = moved;
  }
  return rewrite(rest) as Record<string, unknown>;
}

function exampleEnvelope(type: EventType) {
  return {
    id: "0196f3a1-0000-7000-8000-000000000001",
    type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    tenantId: type === "worker.lost" ? "_fleet" : "acme",
    // A window is about its run; every other event about the aggregate its type names.
    aggregate: { type: type === "metrics.window" ? "run" : type.split(".")[0], id: "0196f3a0-8d2f-7e4b-8c2f-3a5b6c7d8e91" },
    time: "2026-12-05T12:00:00.000Z",
    actor: "orchestrator",
    causationId: "0196f3a1-0000-7000-8000-000000000000",
    correlationId: "0196f3a1-0000-7000-8000-000000000000",
    data: eventExamples[type],
  };
}
