import { type EventEnvelope, type EventOf, parseEvent, SchemaError } from "@loadline/core";
import { type Namespace, namespace, subjects } from "@loadline/nats";
import { z } from "zod";

/**
 * The NDJSON format of `loadline events export` / `import`, and the subject rewriting
 * between namespaces. Pure: no NATS, no files.
 *
 * Line 1, the header:
 *   {"format":"loadline.events","version":1,"namespace":"ll","tenantId":"default","runId":"…",
 *    "loadTestId":"…","exportedAt":"…","counts":{"events":12,"metrics":40}}
 * Every other line, one stored message:
 *   {"stream":"events"|"metrics","subject":"evt.default.run.<id>","seq":7,"event":{…envelope…}}
 * `subject` is the stored subject without the namespace prefix, `seq` the sequence in the
 * source stream (information only). Event-store lines come first in stream order, then the
 * metric windows in stream order. `tail` prints record lines of the same shape.
 */
export const EVENTS_FILE_FORMAT = "loadline.events";
export const EVENTS_FILE_VERSION = 1;

export const STREAM_KINDS = ["events", "metrics"] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

const count = z.number().int().nonnegative();

export const headerSchema = z.object({
  format: z.literal(EVENTS_FILE_FORMAT),
  version: z.literal(EVENTS_FILE_VERSION),
  namespace: z.string().min(1),
  tenantId: z.string().min(1),
  runId: z.string().min(1),
  loadTestId: z.string().min(1).nullable(),
  exportedAt: z.string(),
  counts: z.object({ events: count, metrics: count }),
});
export type EventsFileHeader = z.infer<typeof headerSchema>;

const lineSchema = z.object({
  stream: z.enum(STREAM_KINDS),
  subject: z.string().min(1),
  seq: z.number().int().positive(),
  event: z.unknown(),
});

/** One line as printed: `event` is whatever the message held (tail prints without validating). */
export type RecordLine = { stream: StreamKind; subject: string; seq: number; event: unknown };
/** One validated line of a file. */
export type EventRecord = { stream: StreamKind; subject: string; seq: number; event: EventEnvelope };
export type EventsFile = { header: EventsFileHeader; records: EventRecord[] };

export class EventsFileError extends Error {
  override name = "EventsFileError";
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

// --- subjects -------------------------------------------------------------------------

/** `<prefix>.evt.…` to `evt.…`; a subject of another namespace is refused. */
export function relativeSubject(ns: Namespace, subject: string): string {
  const prefix = `${ns.prefix}.`;
  if (!subject.startsWith(prefix)) throw new Error(`subject ${subject} is not in namespace ${ns.prefix}`);
  return subject.slice(prefix.length);
}

export function absoluteSubject(ns: Namespace, relative: string): string {
  return `${ns.prefix}.${relative}`;
}

export const streamOf = (event: EventEnvelope): StreamKind => (event.type === "metrics.window" ? "metrics" : "events");

/** The absolute subject an event is stored on: derived from the envelope, never taken from a file as is. */
export function subjectOf(ns: Namespace, event: EventEnvelope): string {
  return event.type === "metrics.window"
    ? subjects.metrics(ns, event.tenantId, event.data.runId, event.data.workerId)
    : subjects.event(ns, event.tenantId, event.aggregate.type, event.aggregate.id);
}

// The subject helpers need a prefix; a relative subject is an absolute one without it.
const PLACEHOLDER = namespace("x");
const relativeSubjectOf = (event: EventEnvelope) => relativeSubject(PLACEHOLDER, subjectOf(PLACEHOLDER, event));

/** The worker's msgID of a window (see worker/src/window-publisher.ts): kept, so a re-import dedupes against the original. */
export const windowMsgId = (event: EventOf<"metrics.window">) => `${event.data.runId}.${event.data.workerId}.${event.data.second}`;

/**
 * What `tail --subject` follows. The pattern is relative to the namespace (`evt.>`,
 * `evt.default.run.*`, `met.>`); one that starts with the namespace prefix is taken as is.
 * Its first token picks the stream: `evt` the event store, `met` the metric windows.
 */
export function tailTarget(ns: Namespace, pattern = "evt.>"): { stream: StreamKind; filter: string } {
  const tokens = pattern.split(".");
  const relative = tokens[0] === "evt" || tokens[0] === "met" ? pattern : tokens[0] === ns.prefix ? tokens.slice(1).join(".") : null;
  const first = relative?.split(".")[0];
  if (relative === null || (first !== "evt" && first !== "met") || relative.split(".").some((t) => t === "")) {
    throw new Error(`--subject ${pattern}: must start with evt. or met. (relative to the namespace, e.g. 'evt.>' or 'met.>')`);
  }
  return { stream: first === "evt" ? "events" : "metrics", filter: absoluteSubject(ns, relative) };
}

// --- writing --------------------------------------------------------------------------

export const serializeHeader = (header: EventsFileHeader): string => JSON.stringify(header);

export const serializeRecord = (record: RecordLine): string =>
  JSON.stringify({ stream: record.stream, subject: record.subject, seq: record.seq, event: record.event });

/** Event-store records first, then metric windows, each in source stream order. */
export function orderRecords(records: readonly EventRecord[]): EventRecord[] {
  const rank = (r: EventRecord) => (r.stream === "events" ? 0 : 1);
  return [...records].sort((a, b) => rank(a) - rank(b) || a.seq - b.seq);
}

// --- reading --------------------------------------------------------------------------

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EventsFileError(line, `not JSON: ${(e as Error).message}`);
  }
}

export function parseHeader(text: string, line = 1): EventsFileHeader {
  const header = headerSchema.safeParse(parseJson(text, line));
  if (!header.success)
    throw new EventsFileError(line, `not a ${EVENTS_FILE_FORMAT} v${EVENTS_FILE_VERSION} header: ${z.prettifyError(header.error)}`);
  return header.data;
}

/** Validates one record line: its shape, the envelope and data (the event catalog), and that it belongs to the header's run. */
export function parseRecord(text: string, line: number, header: EventsFileHeader): EventRecord {
  const shape = lineSchema.safeParse(parseJson(text, line));
  if (!shape.success) throw new EventsFileError(line, z.prettifyError(shape.error));
  let event: EventEnvelope;
  try {
    event = parseEvent(shape.data.event);
  } catch (e) {
    if (e instanceof SchemaError) throw new EventsFileError(line, e.message);
    throw e;
  }
  const { stream, subject, seq } = shape.data;
  if (streamOf(event) !== stream) throw new EventsFileError(line, `a ${event.type} event does not belong on the ${stream} stream`);
  let expected: string;
  try {
    expected = relativeSubjectOf(event);
  } catch (e) {
    throw new EventsFileError(line, (e as Error).message);
  }
  if (subject !== expected) throw new EventsFileError(line, `subject ${subject} does not match the event (${expected})`);
  if (event.tenantId !== header.tenantId)
    throw new EventsFileError(line, `tenant ${event.tenantId} is not the file's tenant ${header.tenantId}`);
  const ofRun = event.aggregate.type === "run" && event.aggregate.id === header.runId;
  const ofLoadTest = event.aggregate.type === "load-test" && event.aggregate.id === header.loadTestId;
  if (!ofRun && !ofLoadTest)
    throw new EventsFileError(line, `${event.aggregate.type} ${event.aggregate.id} is neither the run ${header.runId} nor its load test`);
  return { stream, subject, seq, event };
}

/** Parses a whole file (its lines, without newlines; blank lines are skipped). Throws EventsFileError naming the first bad line. */
export function parseEventsFile(lines: Iterable<string>): EventsFile {
  let header: EventsFileHeader | undefined;
  const records: EventRecord[] = [];
  let n = 0;
  for (const raw of lines) {
    n++;
    const text = raw.trim();
    if (text === "") continue;
    if (!header) header = parseHeader(text, n);
    else records.push(parseRecord(text, n, header));
  }
  if (!header) throw new EventsFileError(Math.max(n, 1), "empty file: no header");
  const events = records.filter((r) => r.stream === "events").length;
  const metrics = records.length - events;
  if (events !== header.counts.events || metrics !== header.counts.metrics) {
    throw new EventsFileError(
      n,
      `truncated or altered: the header announces ${header.counts.events} events and ${header.counts.metrics} metric windows, the file holds ${events} and ${metrics}`,
    );
  }
  return { header, records };
}

// --- importing ------------------------------------------------------------------------

export type AppendPlan = { kind: "append"; skip: number } | { kind: "conflict"; at: number };

/**
 * How to import one aggregate's events given those the target already holds (by envelope
 * id, in order): the target's history must be a prefix of the file's (append the rest) or
 * the file's a prefix of the target's (nothing to do); anything else is another history.
 */
export function planAppend(existingIds: readonly string[], fileIds: readonly string[]): AppendPlan {
  const common = Math.min(existingIds.length, fileIds.length);
  for (let i = 0; i < common; i++) if (existingIds[i] !== fileIds[i]) return { kind: "conflict", at: i };
  return { kind: "append", skip: common };
}
