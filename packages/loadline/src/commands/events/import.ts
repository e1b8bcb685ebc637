// `loadline events import`: an events file published into this environment's namespace,
// refused whole when the namespace holds another history of one of its aggregates.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { ConcurrencyError, fold, isTerminal, runDecider } from "@loadline/core";
import { ensureStreams, JetStreamEventStore, type Namespace, type StreamOptions, streamOptionsOf } from "@loadline/nats";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  absoluteSubject,
  type EventRecord,
  type EventsFile,
  EventsFileError,
  parseEventsFile,
  planAppend,
  windowMsgId,
} from "../../events-file.ts";
import type { CommandContext } from "../context.ts";
import { type EventsCliOptions, EventsCommandError } from "./shared.ts";

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
    throw new EventsCommandError(
      1,
      `run ${header.runId} has not ended (${status}): importing it would leave a live run that nothing in this environment runs`,
    );
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
    if (plan.kind === "conflict")
      conflicts.push(`${event.aggregate.type} ${event.aggregate.id} (${subject}) differs from event ${plan.at + 1} on`);
    else plans.set(subject, { skip: plan.skip, seq: existing.seq });
  }
  if (conflicts.length > 0) {
    throw new EventsCommandError(
      1,
      `namespace ${ns.prefix} already holds another history of: ${conflicts.join("; ")}. Nothing was imported.`,
    );
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

export async function importCommand(ctx: CommandContext, nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
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
