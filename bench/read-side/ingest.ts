// Section "ingest": how far behind the read side falls when 1,000 workers each send one
// metric window a second (20 request names each). Two phases, one after the other, each
// with its own namespace (streams) and its own database:
//   1. the real read side, Projections.start (events + metrics projections) in this process;
//   2. a naive consumer that does one drizzle insert per event, for contrast.
// A worker thread publishes the same synthetic load to each; lag is measured per window
// from its PubAck to the first moment the consumer's committed position covers it.
//
// Here the phases and what they measure; ingest-systems.ts holds the two consumers,
// ingest-publisher.ts drives publisher-thread.ts, ingest-cleanup.ts makes (and, on a signal,
// removes) each phase's database and streams, ingest-cpu.ts reads /proc.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { newId, sleep } from "@loadline/core";
import { connectNats, ensureStreams, namespace } from "@loadline/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import type { IngestData, IngestOutcome, IngestResult } from "../report.ts";
import { withTimeout } from "./bench-util.ts";
import { createDatabase, type Leftovers, removeOnSignal } from "./ingest-cleanup.ts";
import { cpuBusy, cpuSnapshot } from "./ingest-cpu.ts";
import { startPublisher } from "./ingest-publisher.ts";
import { type OnCommit, startNaive, startProjection } from "./ingest-systems.ts";
import { backlogTrend, LagTracker } from "./lag.ts";
import type { FromPublisher } from "./publisher-thread.ts";

export const INGEST_DEFAULTS = { durationSec: 60, workers: 1000, requestsPerWindow: 20, drainLimitSec: 60, poolSize: 200 };

export type IngestOptions = {
  durationSec: number;
  log: (msg: string) => void;
  natsUrl?: string;
  pgAdminUrl?: string;
  workers?: number;
  requestsPerWindow?: number;
  drainLimitSec?: number;
};

export const PROJECTION_ROW = "Loadline projection";
export const NAIVE_ROW = "naive drizzle insert per event";

const TENANT = "bench";

/** Runs both phases; never throws: a phase that cannot run gives a "not available" row. */
export async function ingest(o: IngestOptions): Promise<IngestData> {
  const cfg = {
    natsUrl: o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222",
    pgAdminUrl:
      o.pgAdminUrl ?? process.env.BENCH_PG_ADMIN_URL ?? process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    workers: o.workers ?? INGEST_DEFAULTS.workers,
    requestsPerWindow: o.requestsPerWindow ?? INGEST_DEFAULTS.requestsPerWindow,
    drainLimitSec: o.drainLimitSec ?? INGEST_DEFAULTS.drainLimitSec,
    durationSec: o.durationSec,
    log: o.log,
  };
  const data: IngestData = {
    workers: cfg.workers,
    requestsPerWindow: cfg.requestsPerWindow,
    durationSec: cfg.durationSec,
    drainLimitSec: cfg.drainLimitSec,
    rows: [],
  };
  for (const [system, kind] of [
    [PROJECTION_ROW, "projection"],
    [NAIVE_ROW, "naive"],
  ] as const) {
    if (data.rows.length > 0) await sleep(2000); // Postgres writes out the previous phase before the next starts
    data.rows.push({ system, outcome: await phase(kind, cfg) });
  }
  return data;
}

type Config = Required<Omit<IngestOptions, "natsUrl" | "pgAdminUrl">> & { natsUrl: string; pgAdminUrl: string };

async function phase(kind: "projection" | "naive", cfg: Config): Promise<IngestOutcome> {
  const log = (m: string) => cfg.log(`ingest ${kind}: ${m}`);
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  const ns = namespace(`bench_${randomBytes(5).toString("hex")}`);
  const runId = newId();
  const leftovers: Leftovers = { natsUrl: cfg.natsUrl, streams: Object.values(ns.streams), pgAdminUrl: cfg.pgAdminUrl };
  const forget = removeOnSignal(leftovers);
  try {
    const nc = await withTimeout(connectNats(cfg.natsUrl, `bench-ingest-${kind}`), 10_000, `no NATS at ${cfg.natsUrl}`);
    cleanups.push({ what: "NATS connection", run: () => nc.drain() });
    const jsm = await jetstreamManager(nc);
    cleanups.push({
      what: `streams of ${ns.prefix}`,
      run: () => Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
    });
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
    const db = await createDatabase(cfg.pgAdminUrl, (name) => (leftovers.database = name));
    cleanups.push({ what: `database ${db.name}`, run: () => db.drop() });
    log(`namespace ${ns.prefix}, database ${db.name}`);

    const tracker = new LagTracker();
    const onCommit: OnCommit = (position, atMs) => tracker.committed(position, atMs);
    const underTest =
      kind === "projection"
        ? await startProjection(nc, ns, db.url, TENANT, runId, onCommit)
        : await startNaive(nc, ns, db.url, onCommit, log);
    cleanups.push({ what: kind, run: () => underTest.stop() });

    const publisher = startPublisher(
      {
        natsUrl: cfg.natsUrl,
        nsPrefix: ns.prefix,
        tenantId: TENANT,
        runId,
        workers: cfg.workers,
        requestsPerWindow: cfg.requestsPerWindow,
        durationSec: cfg.durationSec,
        poolSize: INGEST_DEFAULTS.poolSize,
      },
      (acks) => {
        for (let i = 0; i + 2 < acks.length; i += 3) tracker.published(acks[i]!, acks[i + 1]!, acks[i + 2]!);
      },
    );
    cleanups.push({ what: "publisher thread", run: () => publisher.terminate() });
    await withTimeout(publisher.ready, 60_000, "the publisher thread did not get ready");

    const cpu0 = cpuSnapshot();
    const elu0 = performance.eventLoopUtilization();
    const firstTickMs = await withTimeout(publisher.start(), 10_000, "the publisher thread did not start");
    log(
      `publishing ${cfg.workers} windows a second (${cfg.requestsPerWindow} request names each) for ${cfg.durationSec} s, bursts at each whole second`,
    );
    const progress = setInterval(() => {
      const t = Math.round((Date.now() - firstTickMs) / 1000);
      log(
        `t=${t}s published ${tracker.count}, committed position ${tracker.position} in ${tracker.commits} commits, backlog ${tracker.lastSeq - tracker.position}`,
      );
    }, 10_000);
    let done: Extract<FromPublisher, { type: "done" }>;
    try {
      done = await withTimeout(publisher.done, (cfg.durationSec + 90) * 1000, "the publisher thread did not finish");
    } finally {
      clearInterval(progress);
    }
    const publishEndMs = Date.now();
    const drainDeadline = publishEndMs + cfg.drainLimitSec * 1000;
    while (tracker.position < tracker.lastSeq && Date.now() < drainDeadline) await sleep(25);
    const endMs = Date.now();
    const elu = performance.eventLoopUtilization(elu0);
    const lag = tracker.summary(endMs);
    const busy = cpuBusy(cpu0, cpuSnapshot(), {
      mainElu: elu.utilization,
      publisherElu: done.busyPct / 100,
      publisherTicks: done.cpuTicks,
      applied: lag.applied,
    });

    const peaks = tracker.backlogPeaks(firstTickMs, firstTickMs + done.ticks * 1000);
    const trend = backlogTrend(peaks, cfg.workers);
    const left = tracker.lastSeq - tracker.position;
    const spanSec = Math.max(done.ticks, ((lag.lastCommitMs ?? endMs) - firstTickMs) / 1000);
    const appliedPerSec = lag.applied / spanSec;
    // The same, split at the last PubAck: what it keeps up with live, and how fast it works a backlog off.
    const atPublishEnd = tracker.positionAt(lag.lastAckMs);
    const publishingSec = (lag.lastAckMs - firstTickMs) / 1000;
    const drainingSec = ((lag.lastCommitMs ?? endMs) - lag.lastAckMs) / 1000;
    const notes: string[] = [];
    if (done.failed > 0) notes.push(`${done.failed} publishes failed (${done.firstError})`);
    if (done.tickLateMsMax > 200) notes.push(`publisher fell behind its schedule by up to ${done.tickLateMsMax} ms`);
    if (busy.othersPct >= 5) notes.push(`other processes used ${busy.othersPct}% of a core meanwhile`);
    const result: IngestResult = {
      published: done.published,
      publishFailures: done.failed,
      publishedPerSec: done.ticks > 0 ? done.published / done.ticks : 0,
      applied: lag.applied,
      appliedPerSec,
      appliedWhilePublishingPerSec: publishingSec > 0 ? atPublishEnd / publishingSec : undefined,
      appliedWhileDrainingPerSec: drainingSec > 0.5 ? (tracker.position - atPublishEnd) / drainingSec : undefined,
      requestRowsPerSec: appliedPerSec * cfg.requestsPerWindow,
      lag: {
        p50Ms: lag.p50Ms,
        p90Ms: lag.p90Ms,
        p99Ms: lag.p99Ms,
        maxMs: lag.maxMs,
        censoredFromMs: lag.censoredFromMs,
        steadyP99Ms: lag.steadyP99Ms,
      },
      commits: tracker.commits,
      ackP50Ms: lag.ackP50Ms,
      ackP99Ms: lag.ackP99Ms,
      backlog: {
        peaks,
        at10s: peaks.length >= 10 ? peaks[9] : undefined,
        mid: peaks[Math.floor(peaks.length / 2)],
        end: peaks.at(-1),
        slopePerSec: trend.slopePerSec,
        thresholdPerSec: trend.thresholdPerSec,
        grows: trend.grows,
      },
      drainMs: left === 0 && lag.lastCommitMs !== undefined ? Math.max(0, lag.lastCommitMs - lag.lastAckMs) : undefined,
      leftAtEnd: left,
      busy,
      publisher: {
        meanWindowBytes: done.meanWindowBytes,
        burstMsMean: done.burstMsMean,
        burstMsMax: done.burstMsMax,
        tickLateMsMax: done.tickLateMsMax,
      },
      note: notes.join("; ") || undefined,
    };
    log(
      `${fmtN(result.publishedPerSec)} windows/s published, ${fmtN(appliedPerSec)} applied ` +
        `(${fmtN(result.appliedWhilePublishingPerSec ?? NaN)} while publishing, ${fmtN(result.appliedWhileDrainingPerSec ?? NaN)} while draining); lag p50 ${fmtN(lag.p50Ms)} ms, p99 ${fmtN(lag.p99Ms)} ms, ` +
        `max ${fmtN(lag.maxMs)} ms; backlog slope ${trend.slopePerSec.toFixed(1)}/s; ${left === 0 ? `drained ${fmtN(result.drainMs ?? 0)} ms after the last publish` : `${left} left after ${cfg.drainLimitSec} s`}`,
    );
    return { ok: true, result };
  } catch (err) {
    log(`FAILED ${(err as Error).stack ?? err}`);
    return { ok: false, reason: (err as Error).message };
  } finally {
    for (const c of cleanups.reverse()) {
      await withTimeout(c.run(), 30_000, "timed out").catch((err: unknown) => log(`cleaning up ${c.what}: ${(err as Error).message}`));
    }
    forget();
  }
}

const fmtN = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
