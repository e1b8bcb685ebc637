// Section "ingest": how far behind the read side falls when 1,000 workers each send one
// metric window a second (20 request names each). Two phases, one after the other, each
// with its own namespace (streams) and its own database:
//   1. the real read side, Projections.start (events + metrics projections) in this process;
//   2. a naive consumer that does one drizzle insert per event, for contrast.
// A worker thread publishes the same synthetic load to each; lag is measured per window
// from its PubAck to the first moment the consumer's committed position covers it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { CURRENT_SCHEMA_VERSION, eventExamples, newId, parseEvent, type EventEnvelope } from "@loadline/core";
import { connectNats, ensureStreams, namespace, subjects, type Namespace, type NatsConnection, JetStreamEventStore } from "@loadline/nats";
import { metricWindows, openDatabase, Projections } from "@loadline/projections";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import { pino } from "pino";
import postgres from "postgres";
import { parsePidStat, parseProcStat } from "../lib/cpu.ts";
import type { IngestBusy, IngestData, IngestOutcome, IngestResult } from "../report.ts";
import { backlogTrend, LagTracker } from "./lag.ts";
import type { FromPublisher, PublisherData, ToPublisher } from "./publisher-thread.ts";

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suffix = () => randomBytes(5).toString("hex");

/**
 * What must not outlive an interrupted run: each live phase's streams and database. On a signal,
 * a detached process removes them, because this one is about to go (lib/proc.ts's handler exits
 * at once, and run.sh sends SIGKILL to the process group a second after SIGTERM).
 */
type Leftovers = { natsUrl: string; streams: string[]; pgAdminUrl: string; database?: string };
const live = new Set<Leftovers>();
let interruptHandlers = false;

const REMOVE_LEFTOVERS = `
const { connect } = require("@nats-io/transport-node");
const { jetstreamManager } = require("@nats-io/jetstream");
const postgres = require("postgres");
const all = JSON.parse(process.argv[1]);
setTimeout(() => process.exit(1), 30000).unref();
Promise.allSettled(all.flatMap((l) => [
  (async () => {
    const nc = await connect({ servers: l.natsUrl.split(","), timeout: 5000 });
    const jsm = await jetstreamManager(nc);
    for (const s of l.streams) await jsm.streams.delete(s).catch(() => false);
    await nc.close();
  })(),
  (async () => {
    if (!l.database) return;
    const sql = postgres(l.pgAdminUrl, { max: 1, connect_timeout: 5, onnotice: () => undefined });
    await sql.unsafe("drop database if exists " + l.database + " with (force)");
    await sql.end();
  })(),
])).then(() => process.exit(0));
`;

function removeLeftoversOnSignal(): void {
  if (interruptHandlers) return;
  interruptHandlers = true;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // First in line: another handler may exit the process as soon as it runs.
    process.prependListener(signal, () => {
      if (live.size > 0) {
        process.stderr.write(`[bench] ${signal}: removing the ingest phase's streams and database in the background\n`);
        spawn(process.execPath, ["-e", REMOVE_LEFTOVERS, JSON.stringify([...live])], { cwd: root, detached: true, stdio: "ignore" }).unref();
        live.clear();
      }
      if (process.listenerCount(signal) <= 1) process.exit(130);
    });
  }
}
/** Runs both phases; never throws: a phase that cannot run gives a "not available" row. */
export async function ingest(o: IngestOptions): Promise<IngestData> {
  const cfg = {
    natsUrl: o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222",
    pgAdminUrl: o.pgAdminUrl ?? process.env.BENCH_PG_ADMIN_URL ?? process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    workers: o.workers ?? INGEST_DEFAULTS.workers,
    requestsPerWindow: o.requestsPerWindow ?? INGEST_DEFAULTS.requestsPerWindow,
    drainLimitSec: o.drainLimitSec ?? INGEST_DEFAULTS.drainLimitSec,
    durationSec: o.durationSec,
    log: o.log,
  };
  const data: IngestData = {
    workers: cfg.workers, requestsPerWindow: cfg.requestsPerWindow, durationSec: cfg.durationSec, drainLimitSec: cfg.drainLimitSec, rows: [],
  };
  for (const [system, kind] of [[PROJECTION_ROW, "projection"], [NAIVE_ROW, "naive"]] as const) {
    if (data.rows.length > 0) await sleep(2000); // Postgres writes out the previous phase before the next starts
    data.rows.push({ system, outcome: await phase(kind, cfg) });
  }
  return data;
}

type Config = Required<Omit<IngestOptions, "natsUrl" | "pgAdminUrl">> & { natsUrl: string; pgAdminUrl: string };

/** What is measured: it reports each committed position, and stops. */
type UnderTest = { stop(): Promise<void> };
type OnCommit = (position: number, atMs: number) => void;

async function phase(kind: "projection" | "naive", cfg: Config): Promise<IngestOutcome> {
  const log = (m: string) => cfg.log(`ingest ${kind}: ${m}`);
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  const ns = namespace(`bench_${suffix()}`);
  const runId = newId();
  const leftovers: Leftovers = { natsUrl: cfg.natsUrl, streams: Object.values(ns.streams), pgAdminUrl: cfg.pgAdminUrl };
  removeLeftoversOnSignal();
  live.add(leftovers);
  try {
    const nc = await withTimeout(connectNats(cfg.natsUrl, `bench-ingest-${kind}`), 10_000, `no NATS at ${cfg.natsUrl}`);
    cleanups.push({ what: "NATS connection", run: () => nc.drain() });
    const jsm = await jetstreamManager(nc);
    cleanups.push({ what: `streams of ${ns.prefix}`, run: () => Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))) });
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
    const db = await createDatabase(cfg.pgAdminUrl, (name) => (leftovers.database = name));
    cleanups.push({ what: `database ${db.name}`, run: () => db.drop() });
    log(`namespace ${ns.prefix}, database ${db.name}`);

    const tracker = new LagTracker();
    const onCommit: OnCommit = (position, atMs) => tracker.committed(position, atMs);
    const underTest = kind === "projection" ? await startProjection(nc, ns, db.url, runId, onCommit) : await startNaive(nc, ns, db.url, onCommit, log);
    cleanups.push({ what: kind, run: () => underTest.stop() });

    const publisher = startPublisher({
      natsUrl: cfg.natsUrl, nsPrefix: ns.prefix, tenantId: TENANT, runId, workers: cfg.workers, requestsPerWindow: cfg.requestsPerWindow,
      durationSec: cfg.durationSec, poolSize: INGEST_DEFAULTS.poolSize,
    }, (acks) => {
      for (let i = 0; i + 2 < acks.length; i += 3) tracker.published(acks[i]!, acks[i + 1]!, acks[i + 2]!);
    });
    cleanups.push({ what: "publisher thread", run: () => publisher.terminate() });
    await withTimeout(publisher.ready, 60_000, "the publisher thread did not get ready");

    const cpu0 = cpuSnapshot();
    const elu0 = performance.eventLoopUtilization();
    const firstTickMs = await withTimeout(publisher.start(), 10_000, "the publisher thread did not start");
    log(`publishing ${cfg.workers} windows a second (${cfg.requestsPerWindow} request names each) for ${cfg.durationSec} s, bursts at each whole second`);
    const progress = setInterval(() => {
      const t = Math.round((Date.now() - firstTickMs) / 1000);
      log(`t=${t}s published ${tracker.count}, committed position ${tracker.position} in ${tracker.commits} commits, backlog ${tracker.lastSeq - tracker.position}`);
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
    const busy = cpuBusy(cpu0, cpuSnapshot(), { mainElu: elu.utilization, publisherElu: done.busyPct / 100, publisherTicks: done.cpuTicks, applied: lag.applied });

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
      lag: { p50Ms: lag.p50Ms, p90Ms: lag.p90Ms, p99Ms: lag.p99Ms, maxMs: lag.maxMs, censoredFromMs: lag.censoredFromMs, steadyP99Ms: lag.steadyP99Ms },
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
      publisher: { meanWindowBytes: done.meanWindowBytes, burstMsMean: done.burstMsMean, burstMsMax: done.burstMsMax, tickLateMsMax: done.tickLateMsMax },
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
    live.delete(leftovers);
  }
}

const fmtN = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} (after ${ms / 1000} s)`)), ms);
    }),
  ]);
}

// --- the two systems under test

/** The read side as the service runs it, plus the run's row (created through the events projection) so last_metrics is written too. */
async function startProjection(nc: NatsConnection, ns: Namespace, url: string, runId: string, onCommit: OnCommit): Promise<UnderTest> {
  const logger = pino({ name: "bench-ingest", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const projections = await Projections.start({ nc, ns, database: { url }, log: logger });
  let watching = true;
  let watch: Promise<void> = Promise.resolve();
  try {
    const event = (type: "run.created" | "run.started", data: unknown) =>
      ({
        id: newId(), type, schemaVersion: CURRENT_SCHEMA_VERSION, tenantId: TENANT, aggregate: { type: "run", id: runId },
        time: new Date().toISOString(), actor: "bench", causationId: null, correlationId: runId, data,
      }) as EventEnvelope;
    const { seq } = await new JetStreamEventStore(nc, ns).append(
      TENANT, { type: "run", id: runId },
      [event("run.created", { ...eventExamples["run.created"], targetUsers: 50_000 }), event("run.started", { startedAt: new Date().toISOString() })],
      { expectedSeq: 0 },
    );
    if (!(await projections.projectors.events.waitFor(seq, 15_000))) throw new Error("the events projection did not write the run's row");
    // Each advance of the metrics projector's committed position, stamped as it happens.
    const metrics = projections.projectors.metrics;
    watch = (async () => {
      while (watching) {
        const t0 = Date.now();
        if (await metrics.waitFor(metrics.position + 1, 250)) onCommit(metrics.position, Date.now());
        else if (Date.now() - t0 < 5) await sleep(20); // stopped: do not spin
      }
    })();
  } catch (err) {
    await projections.stop();
    throw err;
  }
  return {
    async stop() {
      watching = false;
      await projections.stop();
      await watch;
    },
  };
}

/** The contrast: a durable pull consumer that decodes each event and awaits one drizzle insert for it, then acks. */
async function startNaive(nc: NatsConnection, ns: Namespace, url: string, onCommit: OnCommit, log: (m: string) => void): Promise<UnderTest> {
  const database = await openDatabase({ url, poolSize: 2 });
  const { db } = database;
  let messages: ConsumerMessages | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    const durable = "bench_naive";
    await jsm.consumers.add(ns.streams.metrics, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subjects.allMetrics(ns),
    });
    messages = await (await jetstream(nc).consumers.get(ns.streams.metrics, durable)).consume({ max_messages: 500 });
  } catch (err) {
    await database.close();
    throw err;
  }
  const msgs = messages;
  let position = 0;
  let errors = 0;
  const loop = (async () => {
    for await (const m of msgs) {
      if (m.seq > position) {
        try {
          const e = parseEvent(m.json());
          if (e.type === "metrics.window") {
            const w = e.data;
            await db.insert(metricWindows).values({
              tenantId: e.tenantId, runId: w.runId, workerId: w.workerId, second: w.second, activeUsers: w.activeUsers, requests: w.requests,
              iterations: w.iterations ?? 0, droppedIterations: w.droppedIterations ?? 0, checksPassed: w.checksPassed ?? 0, checksFailed: w.checksFailed ?? 0,
            });
          }
        } catch (err) {
          if (errors++ === 0) log(`insert failed (counted, passed): ${(err as Error).message}`);
        }
        position = m.seq;
        onCommit(position, Date.now());
      }
      m.ack();
    }
  })();
  return {
    async stop() {
      msgs.stop();
      await loop.catch(() => undefined);
      await database.close();
      if (errors > 0) log(`${errors} inserts failed`);
    },
  };
}

// --- the publisher thread

type Publisher = {
  worker: Worker;
  ready: Promise<void>;
  /** Starts the ticks; resolves with the epoch ms of the first. */
  start(): Promise<number>;
  done: Promise<Extract<FromPublisher, { type: "done" }>>;
  terminate(): Promise<unknown>;
};

/** tsx's ESM API: Node 20 ignores `--import` loaders in a worker's execArgv (see packages/worker/src/threaded-engine.ts). */
function tsxApiUrl(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
  }
}

function startPublisher(data: PublisherData, onAcks: (acks: Float64Array) => void): Publisher {
  const entry = JSON.stringify(new URL("./publisher-thread.ts", import.meta.url).href);
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => tsx.tsImport(${entry}, ${entry})).catch((err) => process.nextTick(() => { throw err; }));`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  let exited = false;
  const exit = new Promise<void>((r) => worker.once("exit", () => {
    exited = true;
    r();
  }));
  const send = (m: ToPublisher) => worker.postMessage(m);
  let ready!: () => void;
  let started!: (firstTickMs: number) => void;
  let finished!: (d: Extract<FromPublisher, { type: "done" }>) => void;
  let failed!: (err: Error) => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const startedP = new Promise<number>((r) => (started = r));
  const doneP = new Promise<Extract<FromPublisher, { type: "done" }>>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const fail = (err: Error) => failed(err);
  worker.on("message", (m: FromPublisher) => {
    if (m.type === "acks") onAcks(m.acks);
    else if (m.type === "ready") ready();
    else if (m.type === "started") started(m.firstTickMs);
    else if (m.type === "done") finished(m);
    else if (m.type === "error") fail(new Error(`publisher thread: ${m.message}`));
  });
  worker.on("error", (err) => fail(err));
  worker.on("exit", (code) => fail(new Error(`publisher thread exited with code ${code}`)));
  // A failure before "ready" or "started" must end those waits too.
  const orFail = <T>(p: Promise<T>) => Promise.race([p, doneP.then(() => new Promise<T>(() => undefined))]);
  doneP.catch(() => undefined);
  return {
    worker,
    ready: orFail(readyP),
    start() {
      send({ type: "start" });
      return orFail(startedP);
    },
    done: doneP,
    async terminate() {
      if (exited) return;
      send({ type: "stop" });
      await Promise.race([exit, sleep(5000)]);
      if (!exited) await worker.terminate();
    },
  };
}

// --- databases and CPU

async function createDatabase(adminUrl: string, naming: (name: string) => void): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `ll_bench_${suffix()}`;
  naming(name); // before it exists: an interrupt during the creation still drops it
  const admin = () => postgres(adminUrl, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  const a = admin();
  try {
    await a.unsafe(`create database ${name}`);
  } finally {
    await a.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const b = admin();
      try {
        await b.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await b.end();
      }
    },
  };
}

type CpuSnapshot = { atMs: number; systemBusy: number; self: number; byComm: Record<string, Map<number, number>> };

const WATCHED = ["postgres", "nats-server"];

/** CPU ticks of this process, of every postgres and nats-server process, and of the whole machine. */
function cpuSnapshot(): CpuSnapshot {
  const byComm: Record<string, Map<number, number>> = Object.fromEntries(WATCHED.map((c) => [c, new Map<number, number>()]));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
      if (!WATCHED.includes(comm)) continue;
      byComm[comm]!.set(Number(name), parsePidStat(readFileSync(`/proc/${name}/stat`, "utf8")));
    } catch { /* ended meanwhile */ }
  }
  let self = 0;
  try {
    self = parsePidStat(readFileSync(`/proc/${process.pid}/stat`, "utf8"));
  } catch { /* not Linux */ }
  let systemBusy = 0;
  try {
    systemBusy = parseProcStat(readFileSync("/proc/stat", "utf8")).get("cpu")?.busy ?? 0;
  } catch { /* not Linux */ }
  return { atMs: Date.now(), systemBusy, self, byComm };
}

const TICKS_PER_SEC = 100; // USER_HZ

/** What the phase saw besides /proc: both threads' event-loop use, the publisher thread's CPU, the windows applied. */
type PhaseFigures = { mainElu: number; publisherElu: number; publisherTicks: number; applied: number };

function cpuBusy(a: CpuSnapshot, b: CpuSnapshot, { mainElu, publisherElu, publisherTicks, applied }: PhaseFigures): IngestBusy {
  const wallTicks = ((b.atMs - a.atMs) / 1000) * TICKS_PER_SEC;
  const pct = (ticks: number) => (wallTicks > 0 ? Math.round((100 * ticks) / wallTicks) : 0);
  // A process started meanwhile counts from zero; one that ended meanwhile is lost (backends live as long as their pools).
  const used = (comm: string) => [...b.byComm[comm]!].reduce((s, [pid, t]) => s + t - (a.byComm[comm]!.get(pid) ?? 0), 0);
  const pg = used("postgres");
  const nats = used("nats-server");
  const self = b.self - a.self;
  const msPerWindow = (ticks: number) => (applied > 0 ? (1000 * ticks) / TICKS_PER_SEC / applied : 0);
  return {
    mainThreadPct: Math.round(100 * mainElu),
    publisherThreadPct: Math.round(100 * publisherElu),
    processPct: pct(self),
    postgresPct: pct(pg),
    natsPct: pct(nats),
    othersPct: Math.max(0, pct(b.systemBusy - a.systemBusy - self - pg - nats)),
    perWindowMs: { underTest: msPerWindow(self - publisherTicks), postgres: msPerWindow(pg) },
  };
}
