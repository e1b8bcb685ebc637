// The ingest benchmark's synthetic publisher, in its own thread so that building and
// publishing windows does not share an event loop with the projection being measured.
// At every whole second it publishes each worker's window of the second that just ended
// (a burst, as real workers do: their windows align on epoch seconds), with async publishes,
// and reports each PubAck's stream sequence with the times of the publish and of the ack.

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parentPort, type TransferListItem, workerData } from "node:worker_threads";
import { sleep } from "@loadline/core";
import { connectNats, namespace, subjects } from "@loadline/nats";
import { histogramPool, type SyntheticLoad, syntheticRequests, syntheticWorkerIds, windowEncoder } from "@loadline/projections/testing";
import { windowEvent } from "@loadline/worker";
import { jetstream } from "@nats-io/jetstream";
import { parsePidStat } from "../lib/cpu.ts";

export type PublisherData = {
  natsUrl: string;
  nsPrefix: string;
  tenantId: string;
  runId: string;
  workers: number;
  requestsPerWindow: number;
  durationSec: number;
  poolSize: number;
};

export type ToPublisher = { type: "start" } | { type: "stop" };

export type FromPublisher =
  | { type: "ready" }
  /** Flat triples: seq, publish time, PubAck time (epoch ms). */
  | { type: "acks"; acks: Float64Array }
  | { type: "started"; firstTickMs: number }
  | {
      type: "done";
      published: number;
      failed: number;
      firstError?: string;
      meanWindowBytes: number;
      /** Time to build and hand over one second's burst, and how late the latest tick started. */
      burstMsMax: number;
      burstMsMean: number;
      tickLateMsMax: number;
      ticks: number;
      /** This thread's event-loop utilisation from the first tick until every PubAck came back. */
      busyPct: number;
      /** This thread's CPU over the same time, in clock ticks (0 where /proc/thread-self is not there). */
      cpuTicks: number;
    }
  | { type: "error"; message: string };

/** Windows built and handed to the client before yielding, so acks are stamped while a burst is being built. */
const CHUNK = 50;
const REPORT_EVERY_MS = 20;
const PUBLISH_TIMEOUT_MS = 30_000;

const port = parentPort!;
const post = (m: FromPublisher, transfer: TransferListItem[] = []) => port.postMessage(m, transfer);
const yieldNow = () => new Promise((r) => setImmediate(r));

/** This thread's CPU so far, in clock ticks; 0 where there is no /proc/thread-self (not Linux). */
function threadTicks(): number {
  try {
    return parsePidStat(readFileSync("/proc/thread-self/stat", "utf8"));
  } catch {
    return 0;
  }
}

// nats.js builds an Error per request up front (for a useful stack if it fails): 1,000 stack
// captures a second were ~6% of this thread, which stands in for workers on other machines.
Error.stackTraceLimit = 0;

async function main(d: PublisherData): Promise<void> {
  const ns = namespace(d.nsPrefix);
  const nc = await connectNats(d.natsUrl, "bench-ingest-publisher");
  const js = jetstream(nc);
  const load: SyntheticLoad = {
    runId: d.runId,
    workerIds: syntheticWorkerIds(d.workers),
    requests: syntheticRequests(d.requestsPerWindow),
    pool: histogramPool({ size: d.poolSize }),
    activeUsersPerWorker: 50,
  };
  const subjectOf = load.workerIds.map((w) => subjects.metrics(ns, d.tenantId, d.runId, w));
  const encode = windowEncoder(load, (w) => windowEvent(w, d.tenantId));

  let stopped = false;
  let buf: number[] = [];
  const report = () => {
    if (buf.length === 0) return;
    const acks = Float64Array.from(buf);
    buf = [];
    post({ type: "acks", acks }, [acks.buffer]);
  };
  const reporter = setInterval(report, REPORT_EVERY_MS);

  let go: (start: boolean) => void = () => undefined;
  const started = new Promise<boolean>((r) => (go = r));
  port.on("message", (m: ToPublisher) => {
    if (m.type === "start") go(true);
    else {
      stopped = true;
      go(false);
    }
  });
  post({ type: "ready" });
  if (await started) await run();
  clearInterval(reporter);
  report();
  await nc.drain().catch(() => undefined);
  port.close();

  async function run(): Promise<void> {
    // The first tick on a whole second at least half a second away: windows align on epoch seconds.
    const firstTickMs = Math.ceil((Date.now() + 500) / 1000) * 1000;
    post({ type: "started", firstTickMs });
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadTicks();
    let pending = 0;
    let settled: () => void = () => undefined;
    const allSettled = new Promise<void>((r) => (settled = r));
    const done = () => {
      if (--pending === 0 && finishedTicks) settled();
    };
    let finishedTicks = false;
    let published = 0;
    let failed = 0;
    let firstError: string | undefined;
    let bytes = 0;
    let built = 0;
    let burstMsMax = 0;
    let burstMsSum = 0;
    let tickLateMsMax = 0;
    let ticks = 0;
    for (let tick = 0; tick < d.durationSec && !stopped; tick++) {
      const at = firstTickMs + tick * 1000;
      await sleep(at - Date.now());
      if (stopped) break;
      const start = Date.now();
      tickLateMsMax = Math.max(tickLateMsMax, start - at);
      const second = Math.floor(at / 1000) - 1; // the window of the second that just ended
      for (let w = 0; w < d.workers; w++) {
        const payload = encode(w, second);
        bytes += payload.length;
        built++;
        const sent = Date.now();
        pending++;
        js.publish(subjectOf[w]!, payload, { msgID: `${d.runId}.${load.workerIds[w]}.${second}`, timeout: PUBLISH_TIMEOUT_MS }).then(
          (ack) => {
            published++;
            buf.push(ack.seq, sent, Date.now());
            done();
          },
          (err: unknown) => {
            failed++;
            firstError ??= err instanceof Error ? err.message : String(err);
            done();
          },
        );
        if ((w + 1) % CHUNK === 0) await yieldNow();
      }
      const burstMs = Date.now() - start;
      burstMsMax = Math.max(burstMsMax, burstMs);
      burstMsSum += burstMs;
      ticks++;
    }
    finishedTicks = true;
    if (pending > 0) await allSettled; // each publish has its own timeout: this ends
    report();
    post({
      type: "done",
      published,
      failed,
      firstError,
      meanWindowBytes: built > 0 ? bytes / built : 0,
      burstMsMax,
      burstMsMean: ticks > 0 ? burstMsSum / ticks : 0,
      tickLateMsMax,
      ticks,
      busyPct: Math.round(100 * performance.eventLoopUtilization(elu0).utilization),
      cpuTicks: threadTicks() - cpu0,
    });
  }
}

main(workerData as PublisherData).catch((err: unknown) =>
  post({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
);
