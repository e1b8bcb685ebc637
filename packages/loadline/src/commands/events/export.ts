// `loadline events export`: a run's events, its load test's events and its metric windows, as
// an events file (NDJSON: a header line, then a record per line).
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { type EventEnvelope, fold, isTerminal, parseEvent, runDecider } from "@loadline/core";
import { type Namespace, replayStream, subjects } from "@loadline/nats";
import type { JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  EVENTS_FILE_FORMAT,
  EVENTS_FILE_VERSION,
  type EventRecord,
  type EventsFileHeader,
  orderRecords,
  relativeSubject,
  serializeHeader,
  serializeRecord,
} from "../../events-file.ts";
import { type EventsCliOptions, EventsCommandError, toStderr, type Warn, writeLine } from "./shared.ts";

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

export type ExportPlan = { header: EventsFileHeader; events: EventRecord[]; metricsFilter: string; lastMetricSeq: number; ended: boolean };

/**
 * Reads what a run's export holds, as the streams hold it now: the run's events, its load
 * test's events (so the target has the test too) and a count of its metric windows. The
 * windows themselves are read again by `writeExport`, up to the same sequence, so a long
 * run's windows stream to the output rather than into memory.
 */
export async function prepareExport(
  nc: NatsConnection,
  ns: Namespace,
  opts: { runId: string; tenantId?: string },
  warn: Warn = toStderr,
): Promise<ExportPlan> {
  const tenantToken = opts.tenantId ?? "*";
  const runEvents = await readEvents(nc, ns, `${ns.prefix}.evt.${tenantToken}.run.${opts.runId}`, warn);
  if (runEvents.length === 0) {
    throw new EventsCommandError(
      1,
      `run ${opts.runId} has no events in namespace ${ns.prefix}${opts.tenantId ? ` (tenant ${opts.tenantId})` : ""}`,
    );
  }
  const tenants = [...new Set(runEvents.map((r) => r.event.tenantId))];
  if (tenants.length > 1)
    throw new EventsCommandError(2, `run ${opts.runId} exists in tenants ${tenants.join(", ")}: choose one with --tenant`);
  const tenantId = tenants[0]!;
  const state = fold(
    runDecider,
    runEvents.map((r) => r.event),
  );
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

export async function exportCommand(nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
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
