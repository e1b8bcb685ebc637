import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ConcurrencyError, fold, isTerminal, parseEvent, runDecider, type EventEnvelope } from "@loadline/core";
import { ensureStreams, namespace, PULL_EXPIRES_MS, replayStream, streamOptionsOf, subjects, type Namespace, type StreamOptions, JetStreamEventStore } from "@loadline/nats";
import {
  absoluteSubject,
  EVENTS_FILE_FORMAT,
  EVENTS_FILE_VERSION,
  EventsFileError,
  orderRecords,
  parseEventsFile,
  planAppend,
  relativeSubject,
  serializeHeader,
  serializeRecord,
  tailTarget,
  windowMsgId,
  type EventRecord,
  type EventsFile,
  type EventsFileHeader,
} from "../events-file.ts";
import type { CommandContext } from "./context.ts";

/** A refusal with its exit code: 1 when the environment says no, 2 when the input is wrong. */
export class EventsCommandError extends Error {
  override name = "EventsCommandError";
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

type Warn = (message: string) => void;
const toStderr: Warn = (message) => process.stderr.write(`${message}\n`);

/** Writes a line, waiting when the destination is full so a slow pipe bounds memory. */
async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, "drain");
}

function readable(m: JsMsg, warn: Warn): EventEnvelope | null {
  try {
    return parseEvent(m.json());
  } catch (e) {
    warn(`skipped seq ${m.seq} on ${m.subject}: unreadable (${(e as Error).message})`);
    return null;
  }
}

async function readEvents(nc: NatsConnection, ns: Namespace, filter: string, warn: Warn): Promise<EventRecord[]> {
  const records: EventRecord[] = [];
  await replayStream(nc, ns.streams.events, filter, (m) => {
    const event = readable(m, warn);
    if (event) records.push({ stream: "events", subject: relativeSubject(ns, m.subject), seq: m.seq, event });
  });
  return records;
}

// --- export ---------------------------------------------------------------------------

export type ExportPlan = { header: EventsFileHeader; events: EventRecord[]; metricsFilter: string; lastMetricSeq: number; ended: boolean };

/**
 * Reads what a run's export holds, as the streams hold it now: the run's events, its load
 * test's events (so the target has the test too) and a count of its metric windows. The
 * windows themselves are read again by `writeExport`, up to the same sequence, so a long
 * run's windows stream to the output rather than into memory.
 */
export async function prepareExport(nc: NatsConnection, ns: Namespace, opts: { runId: string; tenantId?: string }, warn: Warn = toStderr): Promise<ExportPlan> {
  const tenantToken = opts.tenantId ?? "*";
  const runEvents = await readEvents(nc, ns, `${ns.prefix}.evt.${tenantToken}.run.${opts.runId}`, warn);
  if (runEvents.length === 0) {
    throw new EventsCommandError(1, `run ${opts.runId} has no events in namespace ${ns.prefix}${opts.tenantId ? ` (tenant ${opts.tenantId})` : ""}`);
  }
  const tenants = [...new Set(runEvents.map((r) => r.event.tenantId))];
  if (tenants.length > 1) throw new EventsCommandError(2, `run ${opts.runId} exists in tenants ${tenants.join(", ")}: choose one with --tenant`);
  const tenantId = tenants[0]!;
  const state = fold(runDecider, runEvents.map((r) => r.event));
  const loadTestId = state.loadTestId ?? null;
  const testEvents = loadTestId ? await readEvents(nc, ns, subjects.event(ns, tenantId, "load-test", loadTestId), warn) : [];
  if (!loadTestId) warn(`run ${opts.runId} has no run.created event: exporting it without its load test`);

  const metricsFilter = `${ns.prefix}.met.${tenantId}.${opts.runId}.*`;
  let metrics = 0;
  let lastMetricSeq = 0;
  await replayStream(nc, ns.streams.metrics, metricsFilter, (m) => {
    if (readable(m, warn)) metrics++;
    lastMetricSeq = m.seq;
  });

  const events = orderRecords([...runEvents, ...testEvents]);
  const header: EventsFileHeader = {
    format: EVENTS_FILE_FORMAT,
    version: EVENTS_FILE_VERSION,
    namespace: ns.prefix,
    tenantId,
    runId: opts.runId,
    loadTestId,
    exportedAt: new Date().toISOString(),
    counts: { events: events.length, metrics },
  };
  return { header, events, metricsFilter, lastMetricSeq, ended: isTerminal(state.status) };
}

/** Writes the file: the header, the event-store records, then the windows counted by `prepareExport`. */
export async function writeExport(nc: NatsConnection, ns: Namespace, plan: ExportPlan, out: Writable): Promise<void> {
  await writeLine(out, serializeHeader(plan.header));
  for (const record of plan.events) await writeLine(out, serializeRecord(record));
  if (plan.lastMetricSeq === 0) return;
  const quiet: Warn = () => undefined; // already reported by prepareExport
  await replayStream(nc, ns.streams.metrics, plan.metricsFilter, async (m) => {
    // Windows that arrived since the count (a run still going) are left for a later export.
    const event = m.seq <= plan.lastMetricSeq ? readable(m, quiet) : null;
    if (event) await writeLine(out, serializeRecord({ stream: "metrics", subject: relativeSubject(ns, m.subject), seq: m.seq, event }));
  });
}

// --- import ---------------------------------------------------------------------------

export type ImportSummary = {
  runId: string;
  events: { published: number; skipped: number };
  metrics: { published: number; duplicates: number };
};

async function ensureTargetStreams(nc: NatsConnection, ns: Namespace, streams: StreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.streams.info(ns.streams.events).then(
    () => true,
    () => false,
  );
  // Only a namespace without streams gets them: an existing stream's configuration (replicas, max age) is not this tool's to change.
  if (!exists) await ensureStreams(jsm, ns, streams);
}

/**
 * Publishes a parsed file into the namespace `ns`. Each aggregate is checked first: when the
 * target already holds some of its events they must be the same ones (by envelope id, in
 * order) and are skipped; another history refuses the whole import before anything is
 * published. Appends use the envelope id as Nats-Msg-Id and expect the subject's last
 * sequence, so a concurrent writer is never interleaved with. Windows keep the worker's msgID.
 */
export async function importEvents(nc: NatsConnection, ns: Namespace, file: EventsFile, streams: StreamOptions): Promise<ImportSummary> {
  const { header, records } = file;
  const runEvents = records.filter((r) => r.event.aggregate.type === "run" && r.stream === "events").map((r) => r.event);
  const status = fold(runDecider, runEvents).status;
  if (!isTerminal(status)) {
    throw new EventsCommandError(1, `run ${header.runId} has not ended (${status}): importing it would leave a live run that nothing in this environment runs`);
  }
  await ensureTargetStreams(nc, ns, streams);
  const js = jetstream(nc);
  const store = new JetStreamEventStore(nc, ns);

  const bySubject = new Map<string, EventRecord[]>();
  for (const r of records) {
    if (r.stream !== "events") continue;
    const list = bySubject.get(r.subject) ?? [];
    list.push(r);
    bySubject.set(r.subject, list);
  }
  const plans = new Map<string, { skip: number; seq: number }>();
  const conflicts: string[] = [];
  for (const [subject, list] of bySubject) {
    const { event } = list[0]!;
    const existing = await store.read(event.tenantId, event.aggregate);
    const plan = planAppend(
      existing.events.map((e) => e.event.id),
      list.map((r) => r.event.id),
    );
    if (plan.kind === "conflict") conflicts.push(`${event.aggregate.type} ${event.aggregate.id} (${subject}) differs from event ${plan.at + 1} on`);
    else plans.set(subject, { skip: plan.skip, seq: existing.seq });
  }
  if (conflicts.length > 0) {
    throw new EventsCommandError(1, `namespace ${ns.prefix} already holds another history of: ${conflicts.join("; ")}. Nothing was imported.`);
  }

  const summary: ImportSummary = { runId: header.runId, events: { published: 0, skipped: 0 }, metrics: { published: 0, duplicates: 0 } };
  const seen = new Map<string, number>();
  // Event-store records first, so the run row exists before its windows are projected.
  for (const r of records) {
    if (r.stream !== "events") continue;
    const plan = plans.get(r.subject)!;
    const index = seen.get(r.subject) ?? 0;
    seen.set(r.subject, index + 1);
    if (index < plan.skip) {
      summary.events.skipped++;
      continue;
    }
    try {
      const { seq } = await store.append(r.event.tenantId, r.event.aggregate, [r.event], { expectedSeq: plan.seq });
      plan.seq = seq;
      summary.events.published++;
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
      throw new EventsCommandError(
        1,
        `${r.subject} was written by someone else during the import (${summary.events.published} events published so far): run the import again to finish it`,
      );
    }
  }
  for (const r of records) {
    if (r.stream !== "metrics" || r.event.type !== "metrics.window") continue;
    const ack = await js.publish(absoluteSubject(ns, r.subject), JSON.stringify(r.event), { msgID: windowMsgId(r.event) });
    if (ack.duplicate) summary.metrics.duplicates++;
    else summary.metrics.published++;
  }
  return summary;
}

async function readLines(input: Readable): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) lines.push(line);
  return lines;
}

// --- tail -----------------------------------------------------------------------------

export type TailOptions = {
  /** Relative to the namespace (`evt.>`, `met.>`, `evt.default.run.*`); see tailTarget. */
  subject?: string;
  fromStart?: boolean;
  /** Stop after this many lines. */
  limit?: number;
  signal?: AbortSignal;
  /** Called once the start sequence is fixed: whatever is published from then on is printed. */
  onReady?: (info: { stream: string; filter: string; startSeq: number }) => void;
};

/**
 * Prints each message on the stream as a record line, until the limit or the signal. An
 * ordered consumer starting at the stream's next sequence (not DeliverPolicy.New: an
 * ordered consumer that resets before its first message would restart from sequence 1).
 */
export async function tailEvents(nc: NatsConnection, ns: Namespace, opts: TailOptions, out: Writable, warn: Warn = toStderr): Promise<number> {
  let target: ReturnType<typeof tailTarget>;
  try {
    target = tailTarget(ns, opts.subject);
  } catch (e) {
    throw new EventsCommandError(2, (e as Error).message);
  }
  const stream = target.stream === "events" ? ns.streams.events : ns.streams.metrics;
  const info = await (await jetstreamManager(nc)).streams.info(stream).catch(() => null);
  if (!info) throw new EventsCommandError(1, `no stream ${stream}: is LL_NAMESPACE (${ns.prefix}) right?`);
  const startSeq = opts.fromStart ? 1 : info.state.last_seq + 1;
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: target.filter, // one string: a list needs server 2.10
    ...(opts.fromStart ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  });
  if (opts.signal?.aborted) return 0;
  const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
  const stop = () => void messages.close();
  opts.signal?.addEventListener("abort", stop, { once: true });
  opts.onReady?.({ stream, filter: target.filter, startSeq });
  let printed = 0;
  try {
    for await (const m of messages) {
      let event: unknown;
      try {
        event = m.json();
      } catch {
        warn(`seq ${m.seq} on ${m.subject}: not JSON, not printed`);
        continue;
      }
      await writeLine(out, serializeRecord({ stream: target.stream, subject: relativeSubject(ns, m.subject), seq: m.seq, event }));
      if (opts.limit !== undefined && ++printed >= opts.limit) break;
    }
  } finally {
    opts.signal?.removeEventListener("abort", stop);
    await messages.close();
  }
  return printed;
}

// --- the command line -----------------------------------------------------------------

export type EventsCliOptions = {
  run?: string | undefined;
  tenant?: string | undefined;
  out?: string | undefined;
  in?: string | undefined;
  subject?: string | undefined;
  limit?: string | undefined;
  "from-start"?: boolean | undefined;
};

/** The CLI connects itself rather than with connectNats: a command should fail at once when NATS does not answer, not wait for it. */
async function connectCli(ctx: CommandContext): Promise<NatsConnection> {
  try {
    return await connect({ servers: ctx.config.natsUrl.split(","), name: "loadline-events", maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (e) {
    throw new EventsCommandError(1, `cannot connect to NATS at ${ctx.config.natsUrl}: ${(e as Error).message}`);
  }
}

async function exportCommand(nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
  if (!opts.run) throw new EventsCommandError(2, "events export: --run <id> is required");
  const plan = await prepareExport(nc, ns, { runId: opts.run, ...(opts.tenant ? { tenantId: opts.tenant } : {}) });
  if (!plan.ended) toStderr(`run ${opts.run} has not ended: this export is a snapshot, and import refuses it`);
  // The file is created only once there is something to write.
  const out = opts.out ? createWriteStream(opts.out) : process.stdout;
  await writeExport(nc, ns, plan, out);
  if (opts.out) {
    out.end();
    await once(out, "finish");
  }
  const { counts } = plan.header;
  toStderr(`exported run ${opts.run}: ${counts.events} events, ${counts.metrics} metric windows${opts.out ? ` to ${opts.out}` : ""}`);
  return 0;
}

async function importCommand(ctx: CommandContext, nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
  const source = opts.in ?? "stdin";
  let lines: string[];
  try {
    lines = await readLines(opts.in ? createReadStream(opts.in) : process.stdin);
  } catch (e) {
    throw new EventsCommandError(2, `cannot read ${source}: ${(e as Error).message}`);
  }
  let file: EventsFile;
  try {
    file = parseEventsFile(lines);
  } catch (e) {
    if (e instanceof EventsFileError) throw new EventsCommandError(2, `${source}: ${e.message}. Nothing was imported.`);
    throw e;
  }
  const s = await importEvents(nc, ns, file, streamOptionsOf(ctx.config, nc));
  console.log(
    `imported run ${s.runId} from namespace ${file.header.namespace} into ${ns.prefix}: ` +
      `${s.events.published} events published, ${s.events.skipped} already there; ` +
      `${s.metrics.published} metric windows published, ${s.metrics.duplicates} duplicates`,
  );
  return 0;
}

async function tailCommand(nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new EventsCommandError(2, `--limit ${opts.limit}: a positive integer`);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.once("error", stop); // the reader went away (`| head`)
  try {
    const onReady: TailOptions["onReady"] = (r) => toStderr(`following ${r.filter} on ${r.stream} from seq ${r.startSeq}`);
    await tailEvents(nc, ns, { subject: opts.subject, fromStart: opts["from-start"], limit, signal: stopping.signal, onReady }, process.stdout);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  return 0;
}

/** `loadline events tail|export|import`: exit 0 when done, 1 when the environment refuses, 2 on bad usage or a bad file. */
export async function events(ctx: CommandContext, sub: string | undefined, opts: EventsCliOptions): Promise<number> {
  if (sub !== "tail" && sub !== "export" && sub !== "import") {
    toStderr(`events: unknown subcommand ${sub ?? "(none)"}: tail, export or import`);
    return 2;
  }
  let nc: NatsConnection | undefined;
  try {
    const ns = namespace(ctx.config.namespace);
    nc = await connectCli(ctx);
    if (sub === "export") return await exportCommand(nc, ns, opts);
    if (sub === "import") return await importCommand(ctx, nc, ns, opts);
    return await tailCommand(nc, ns, opts);
  } catch (e) {
    if (e instanceof EventsCommandError) {
      toStderr(e.message);
      return e.exitCode;
    }
    throw e;
  } finally {
    await nc?.drain().catch(() => undefined);
  }
}
