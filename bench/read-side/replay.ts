// Section "replay": how fast the read side is rebuilt from the event store (goal: at least
// 50,000 events/s). A namespace and a database of its own; LL_EVENTS is filled with valid
// domain events (load tests and runs going through their life cycles, interleaved), then
// rebuildProjection("events") is timed; optionally the same for LL_METRICS ("metrics").
// Usage: node --import tsx bench/read-side/replay.ts [--events N] [--windows N] [--requests N] [--no-metrics]
//          [--batch-sizes 10000,2000] [--profile]
//   --batch-sizes: rebuildProjection batchSize values timed one after the other on the events
//   stream (the metrics stream gets the first); default 10000, the library's (and the CLI's).
//   --profile: a CPU profile of the first rebuild of each stream, summarised by where the time
//   goes, plus the per-event cost of each step alone (JSON.parse, parseEvent, fold, SQL building).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { CURRENT_SCHEMA_VERSION, newId, parseEvent, type EventEnvelope, type LoadTestSpec, type NewEvent } from "@loadline/core";
import { connectNats, ensureStreams, namespace, subjects, type Namespace, type NatsConnection } from "@loadline/nats";
import { testDatabase } from "@loadline/projections/testing";
import { openDatabase, rebuildProjection, runs, loadTests, REBUILD_BATCH_SIZE } from "@loadline/projections";
import { windowEvent } from "@loadline/worker";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { PgDialect } from "drizzle-orm/pg-core";
import { pino } from "pino";
import postgres from "postgres";
import { aggregateKey, foldRows, type RowKey } from "../../packages/projections/src/fold-rows.ts";
import { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "../../packages/projections/src/event-rows.ts";
import { keyIn, upsertStatement } from "../../packages/projections/src/sql-helpers.ts";
import type { LoadTestRow, RunRow } from "../../packages/projections/src/schema.ts";
import { fmt, markdownTable } from "../lib/table.ts";
import {
  Cleanups, cpuText, libraryOf, loadAverage, log as stderrLog, machineLine, parseFlags, profileTable, runStandalone,
  saveProfile, sleep, startCpuSampler, startProfile, summariseProfile, withTimeout, type Classifier, type CpuUse, type ProfileRow,
} from "./bench-util.ts";
import { histogramPool, seededRandom, syntheticRequests, syntheticWindow, syntheticWorkerIds, windowEncoder, type SyntheticLoad } from "./synthetic.ts";

export const REPLAY_DEFAULTS = {
  events: 1_000_000, windows: 100_000, requestsPerWindow: 5, workers: 100, publishWindow: 5_000, goalPerSec: 50_000,
  /** rebuildProjection's own default: the `loadline projections rebuild` CLI uses it. */
  libraryBatchSize: REBUILD_BATCH_SIZE,
  /** Batch sizes timed on the events stream; the metrics stream gets the first. */
  batchSizes: [REBUILD_BATCH_SIZE],
};

export type ReplayOptions = {
  events?: number;
  /** Metric windows for the metrics row; 0 leaves it out. */
  windows?: number;
  requestsPerWindow?: number;
  /** rebuildProjection batchSize values to time, in order; the metrics stream gets the first. */
  batchSizes?: number[];
  /** CPU profile of the first rebuild of each stream, and the cost of each step alone. */
  profile?: boolean;
  natsUrl?: string;
  log?: (msg: string) => void;
  /** Where cleanups are registered, so a signal can run them; one of its own otherwise. */
  cleanups?: Cleanups;
};

export type PublishFigures = { messages: number; bytes: number; seconds: number; perSec: number };

export type ReplayResult = {
  /** Messages the rebuild applied, and its wall time (migrating the fresh schema and the swap included). */
  applied: number;
  seconds: number;
  perSec: number;
  /** From the first progress report to the end: the rate once under way. */
  steadyPerSec?: number;
  /** Request rows (windows × request names) per second: the metrics row only. */
  requestRowsPerSec?: number;
  cpu: CpuUse;
  /** The main thread's event-loop utilisation during the rebuild. */
  elu: number;
  /** The read model checked against what was published. */
  check: string;
  checkOk: boolean;
  profile?: { totalMs: number; rows: ProfileRow[]; file: string };
};

export type ReplayOutcome = { ok: true; result: ReplayResult } | { ok: false; reason: string };
export type ReplayRow = { projection: "events" | "metrics"; batchSize: number; libraryDefault: boolean; outcome: ReplayOutcome };

export type StepCost = { step: string; usPerEvent: number; note?: string };

export type ReplayData = {
  events: number;
  windows: number;
  requestsPerWindow: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  rows: ReplayRow[];
  /** Filling each stream first: not part of the goal. */
  publish: { stream: string; outcome: { ok: true; result: PublishFigures } | { ok: false; reason: string } }[];
  /** With --profile: each step of the events projection alone, per event. */
  steps?: StepCost[];
};

/** The single row of a query that always answers one. */
const one = <T>(rows: readonly T[]): T => {
  if (!rows[0]) throw new Error("expected a row");
  return rows[0];
};

const TENANTS = ["acme", "globex", "initech", "umbrella"];

type Cfg = { natsUrl: string; profile: boolean };
type Rebuild = { batchSize: number; libraryDefault: boolean; profile: boolean };

/** Runs every rebuild; never throws: a row that cannot run says why. */
export async function runReplayBench(o: ReplayOptions = {}): Promise<ReplayData> {
  const log = o.log ?? stderrLog;
  const events = o.events ?? REPLAY_DEFAULTS.events;
  const windows = o.windows ?? REPLAY_DEFAULTS.windows;
  const requestsPerWindow = o.requestsPerWindow ?? REPLAY_DEFAULTS.requestsPerWindow;
  const batchSizes = o.batchSizes ?? REPLAY_DEFAULTS.batchSizes;
  const cfg: Cfg = { natsUrl: o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222", profile: o.profile ?? false };
  const data: ReplayData = {
    events, windows, requestsPerWindow, machine: machineLine(), loadAverageBefore: loadAverage(), loadAverageAfter: "", rows: [], publish: [],
  };
  // Ours, run at the end; registered with the caller's too, so that a signal meanwhile runs them.
  const cleanups = new Cleanups();
  o.cleanups?.add("replay section", () => cleanups.runAll(log));
  let sample: string[] = [];
  try {
    const eventRebuilds: Rebuild[] = batchSizes.map((batchSize, i) => ({ batchSize, libraryDefault: batchSize === REPLAY_DEFAULTS.libraryBatchSize, profile: cfg.profile && i === 0 }));
    await phase("events", cfg, log, cleanups, data, eventRebuilds, async (js, ns) => {
      const published = await publishDomainEvents(js, ns, events, log);
      sample = published.sample;
      return published;
    });
    if (windows > 0) {
      const batchSize = batchSizes[0] ?? REPLAY_DEFAULTS.libraryBatchSize;
      await phase("metrics", cfg, log, cleanups, data, [{ batchSize, libraryDefault: batchSize === REPLAY_DEFAULTS.libraryBatchSize, profile: cfg.profile }], (js, ns) =>
        publishWindows(js, ns, windows, requestsPerWindow, log),
      );
    }
    if (cfg.profile && sample.length > 0) data.steps = await stepCosts(sample, log);
  } finally {
    await cleanups.runAll(log);
  }
  data.loadAverageAfter = loadAverage();
  return data;
}

type Published = PublishFigures & { requestsPerWindow?: number; verify(url: string): Promise<{ text: string; ok: boolean }> };

/** One stream filled once, then rebuilt once per entry of `rebuilds`, into the same database. */
async function phase(
  name: "events" | "metrics",
  cfg: Cfg,
  log: (m: string) => void,
  parent: Cleanups,
  data: ReplayData,
  rebuilds: Rebuild[],
  fill: (js: JetStreamClient, ns: Namespace) => Promise<Published>,
): Promise<void> {
  const say = (m: string) => log(`replay ${name}: ${m}`);
  const stream = name === "events" ? "LL_EVENTS" : "LL_METRICS";
  const cleanups = new Cleanups();
  parent.add(`replay ${name}`, () => cleanups.runAll(say)); // a signal mid-phase still cleans up
  let published: Published | undefined;
  try {
    const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
    const nc: NatsConnection = await withTimeout(connectNats(cfg.natsUrl, `bench-replay-${name}`), 10_000, `no NATS at ${cfg.natsUrl}`);
    cleanups.add("NATS connection", () => nc.drain());
    const jsm = await jetstreamManager(nc);
    cleanups.add(`streams of ${ns.prefix}`, () => Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))));
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 24 * 3600_000, replicas: 1 });
    const db = await testDatabase();
    cleanups.add(`database ${db.name}`, () => db.drop());
    say(`namespace ${ns.prefix}, database ${db.name}`);

    published = await fill(jetstream(nc), ns);
    data.publish.push({ stream, outcome: { ok: true, result: { messages: published.messages, bytes: published.bytes, seconds: published.seconds, perSec: published.perSec } } });
    say(`published ${fmt(published.messages, 0)} messages (${fmt(published.bytes / 2 ** 20, 0)} MiB) in ${fmt(published.seconds, 1)} s: ${fmt(published.perSec, 0)}/s`);

    // rebuildProjection needs the live tables: opening the database migrates it.
    await (await openDatabase({ url: db.url, poolSize: 1 })).close();
    for (const r of rebuilds) {
      await sleep(2000); // let NATS and Postgres write out what came before
      const outcome = await rebuildOnce(name, r, cfg, ns, db.url, published, say).catch((err: unknown): ReplayOutcome => {
        say(`FAILED ${(err as Error).stack ?? err}`);
        return { ok: false, reason: (err as Error).message };
      });
      data.rows.push({ projection: name, batchSize: r.batchSize, libraryDefault: r.libraryDefault, outcome });
    }
  } catch (err) {
    say(`FAILED ${(err as Error).stack ?? err}`);
    const reason = (err as Error).message;
    if (!published) data.publish.push({ stream, outcome: { ok: false, reason } });
    for (const r of rebuilds.slice(data.rows.filter((x) => x.projection === name).length)) {
      data.rows.push({ projection: name, batchSize: r.batchSize, libraryDefault: r.libraryDefault, outcome: { ok: false, reason } });
    }
  } finally {
    await cleanups.runAll(say);
  }
}

/** One timed rebuildProjection, in this process. */
async function rebuildOnce(name: "events" | "metrics", r: Rebuild, cfg: Cfg, ns: Namespace, url: string, published: Published, say: (m: string) => void): Promise<ReplayOutcome> {
  const nc = await connectNats(cfg.natsUrl, `bench-replay-rebuild-${name}`);
  try {
    const logger = pino({ name: "bench-replay", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
    const progress: { atMs: number; position: number }[] = [];
    say(`rebuild with batchSize ${r.batchSize}${r.libraryDefault ? " (the library default)" : ""}`);
    const profiler = r.profile ? await startProfile() : null;
    const sampler = startCpuSampler();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    let lastLog = t0;
    const result = await rebuildProjection({
      url, nc, ns, log: logger, name, batchSize: r.batchSize,
      onProgress: (p) => {
        const now = performance.now();
        progress.push({ atMs: now, position: p.position });
        if (now - lastLog >= 10_000) {
          lastLog = now;
          say(`rebuild at ${fmt(p.position, 0)} of ${fmt(p.target, 0)}`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const cpu = sampler.stop();
    const profile = profiler ? await profiler.stop() : null;
    const first = progress[0];
    const endMs = t0 + seconds * 1000;
    const steadyPerSec = first && result.position > first.position && endMs > first.atMs ? (result.position - first.position) / ((endMs - first.atMs) / 1000) : undefined;
    say(`rebuilt ${fmt(result.applied, 0)} in ${fmt(seconds, 1)} s (${fmt(result.applied / seconds, 0)}/s); ${cpuText(cpu)}; main thread busy ${Math.round(100 * elu)}%`);
    const check = await published.verify(url);
    say(`check: ${check.text}`);
    const out: ReplayResult = {
      applied: result.applied, seconds, perSec: result.applied / seconds, steadyPerSec,
      requestRowsPerSec: published.requestsPerWindow ? (result.applied * published.requestsPerWindow) / seconds : undefined,
      cpu, elu, check: check.text, checkOk: check.ok,
    };
    if (profile) {
      const file = saveProfile(profile, `replay-${name}`);
      out.profile = { ...summariseProfile(profile, replayClassifier), file };
      say(`CPU profile in ${file}`);
    }
    return { ok: true, result: out };
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

// --- domain events

type Draft = { tenantId: string; aggregate: { type: "load-test" | "run"; id: string }; event: NewEvent; correlationId: string };

const spec = (name: string, users: number): LoadTestSpec => ({
  name,
  tags: ["bench", name.split("-")[0]!],
  targetUrl: "http://shop.internal:8080",
  requests: [
    { name: "home", method: "GET", path: "/" },
    { name: "search", method: "GET", path: "/search?q=shoes" },
    { name: "buy", method: "POST", path: "/orders", headers: { "content-type": "application/json" }, body: '{"sku":"A1","qty":1}' },
  ],
  defaultUsers: users,
  defaultSpawnRate: 10,
  defaultDurationSec: 300,
});

/**
 * One load test's life: created, then several runs one after the other (most complete, some
 * are stopped by hand, fail or are cancelled), an edit now and then, sometimes a deletion.
 */
function* loadTestLife(rand: () => number, expect: Expectation): Generator<Draft> {
  const tenantId = TENANTS[Math.floor(rand() * TENANTS.length)]!;
  const loadTestId = newId();
  const lt = { type: "load-test" as const, id: loadTestId };
  const name = `checkout-${loadTestId.slice(-6)}`;
  expect.loadTest(tenantId, loadTestId, true); // before the yield: the last event asked for may be this one
  yield { tenantId, aggregate: lt, correlationId: loadTestId, event: { type: "load-test.created", data: { spec: spec(name, 50) } } };
  const runsOfIt = 4 + Math.floor(rand() * 9);
  for (let r = 0; r < runsOfIt; r++) {
    if (rand() < 0.15) {
      yield { tenantId, aggregate: lt, correlationId: loadTestId, event: { type: "load-test.updated", data: { spec: spec(name, 50 + r * 10) } } };
    }
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    const ev = (event: NewEvent): Draft => {
      expect.runEvent(tenantId, runId, event.type);
      return { tenantId, aggregate: run, correlationId: runId, event };
    };
    const workers = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) => `w-host${i}-${runId.slice(-6)}`);
    const users = 10 * workers.length * (1 + Math.floor(rand() * 10));
    yield ev({
      type: "run.created",
      data: { loadTestId, targetUsers: users, spawnRate: 10, durationSec: 300, target: { targetUrl: "http://shop.internal:8080", requests: spec(name, users).requests! } },
    });
    const fate = rand();
    if (fate < 0.03) {
      yield ev({ type: "run.cancelled", data: { reason: "stopped before it was assigned", finishedAt: new Date().toISOString() } });
      continue;
    }
    const share = Math.floor(users / workers.length);
    for (const [i, workerId] of workers.entries()) {
      yield ev({ type: "run.worker-assigned", data: { workerId, lanes: [i], laneCount: workers.length, vus: share, arrivalRate: 0, reason: "plan" } });
    }
    if (fate < 0.06) {
      yield ev({ type: "run.failed", data: { reason: "no live worker to run the load", finishedAt: new Date().toISOString() } });
      continue;
    }
    for (const workerId of workers) yield ev({ type: "run.worker-ready", data: { workerId } });
    yield ev({ type: "run.started", data: { startedAt: new Date().toISOString() } });
    yield ev({ type: "run.stopping", data: { reason: fate < 0.2 ? "requested" : "duration" } });
    for (const workerId of workers) yield ev({ type: "run.worker-stopped", data: { workerId, requests: Math.floor(rand() * 1e6), failures: Math.floor(rand() * 100) } });
    yield ev({ type: "run.completed", data: { finishedAt: new Date().toISOString() } });
  }
  if (rand() < 0.1) {
    expect.loadTest(tenantId, loadTestId, false);
    yield { tenantId, aggregate: lt, correlationId: loadTestId, event: { type: "load-test.deleted", data: {} } };
  }
}

const STATUS_AFTER: Record<string, string | undefined> = {
  "run.created": "Pending", "run.worker-assigned": "Starting", "run.started": "Running", "run.stopping": "Stopping",
  "run.completed": "Completed", "run.failed": "Failed", "run.cancelled": "Cancelled",
};

/** What the read model must hold once every published event is applied. */
class Expectation {
  readonly runs = new Map<string, { status: string; version: number }>();
  readonly loadTests = new Set<string>();
  loadTest(tenantId: string, id: string, alive: boolean): void {
    if (alive) this.loadTests.add(`${tenantId}/${id}`);
    else this.loadTests.delete(`${tenantId}/${id}`);
  }
  runEvent(tenantId: string, id: string, type: string): void {
    const key = `${tenantId}/${id}`;
    const r = this.runs.get(key) ?? { status: "", version: 0 };
    r.status = STATUS_AFTER[type] ?? r.status;
    r.version++;
    this.runs.set(key, r);
  }
  byStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.runs.values()) out[r.status] = (out[r.status] ?? 0) + 1;
    return out;
  }
}

/** Lives of many load tests at once, their events interleaved as concurrent activity would. */
function* interleaved(count: number, concurrent: number, expect: Expectation): Generator<Draft> {
  const rand = seededRandom(42);
  const lives: Generator<Draft>[] = Array.from({ length: concurrent }, () => loadTestLife(rand, expect));
  let emitted = 0;
  while (emitted < count) {
    const i = Math.floor(rand() * lives.length);
    const next = lives[i]!.next();
    if (next.done) {
      lives[i] = loadTestLife(rand, expect);
      continue;
    }
    yield next.value;
    emitted++;
  }
}

/** A window of async publishes: up to `limit` in flight, refilled once half are acknowledged; a failure is fatal. */
class Inflight {
  private n = 0;
  private failure: unknown;
  private waiter: { below: number; resolve: () => void } | null = null;
  constructor(private readonly limit: number) {}
  async add(p: Promise<unknown>): Promise<void> {
    if (this.failure) throw this.failure;
    this.n++;
    p.then(() => this.settle(), (err: unknown) => {
      this.failure ??= err;
      this.settle();
    });
    if (this.n >= this.limit) await this.waitBelow(this.limit / 2);
  }
  async drain(): Promise<void> {
    await this.waitBelow(1);
    if (this.failure) throw this.failure;
  }
  private waitBelow(below: number): Promise<void> {
    if (this.n < below) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { below, resolve }));
  }
  private settle(): void {
    this.n--;
    const w = this.waiter;
    if (w && (this.n < w.below || this.failure)) {
      this.waiter = null;
      w.resolve();
    }
  }
}

const SAMPLE_FOR_STEPS = 100_000;

async function publishDomainEvents(js: JetStreamClient, ns: Namespace, count: number, log: (m: string) => void): Promise<Published & { sample: string[] }> {
  const expect = new Expectation();
  const inflight = new Inflight(REPLAY_DEFAULTS.publishWindow);
  const sample: string[] = [];
  const checkedTypes = new Set<string>();
  let bytes = 0;
  let n = 0;
  const t0 = performance.now();
  const base = Date.now() - 30 * 24 * 3600_000;
  for (const d of interleaved(count, 64, expect)) {
    const id = newId();
    const envelope = {
      id, type: d.event.type, schemaVersion: CURRENT_SCHEMA_VERSION, tenantId: d.tenantId, aggregate: d.aggregate,
      time: new Date(base + n * 50).toISOString(), actor: "user:bench", causationId: newId(), correlationId: d.correlationId, data: d.event.data,
    } as EventEnvelope;
    if (!checkedTypes.has(envelope.type)) {
      parseEvent(JSON.parse(JSON.stringify(envelope))); // each type once, as the projection will read it: throws when invalid
      checkedTypes.add(envelope.type);
    }
    const payload = JSON.stringify(envelope);
    bytes += payload.length;
    if (sample.length < SAMPLE_FOR_STEPS) sample.push(payload);
    await inflight.add(js.publish(subjects.event(ns, d.tenantId, d.aggregate.type, d.aggregate.id), payload, { msgID: id, timeout: 60_000 }));
    if (++n % 200_000 === 0) log(`replay events: published ${fmt(n, 0)}`);
  }
  await inflight.drain();
  const seconds = (performance.now() - t0) / 1000;
  log(`replay events: ${expect.loadTests.size} live load tests, ${expect.runs.size} runs, event types ${[...checkedTypes].join(", ")}`);
  return {
    messages: n, bytes, seconds, perSec: n / seconds, sample,
    async verify(url) {
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const byStatus = Object.fromEntries(
          (await sql<{ status: string; n: number; v: number }[]>`select status, count(*)::int as n from runs group by status`).map((r) => [r.status, r.n]),
        );
        const { v } = one(await sql<{ v: number }[]>`select coalesce(sum(version), 0)::int as v from runs`);
        const { lt } = one(await sql<{ lt: number }[]>`select count(*)::int as lt from load_tests`);
        const { dl } = one(await sql<{ dl: number }[]>`select count(*)::int as dl from projection_dead_letters`);
        const want = expect.byStatus();
        const wantVersions = [...expect.runs.values()].reduce((s, r) => s + r.version, 0);
        const sameStatus = Object.keys({ ...want, ...byStatus }).every((k) => want[k] === byStatus[k]);
        const ok = sameStatus && v === wantVersions && lt === expect.loadTests.size && dl === 0;
        const statuses = Object.entries(byStatus).map(([k, c]) => `${k} ${c}`).join(", ");
        return { ok, text: `${ok ? "OK" : "MISMATCH"}: ${lt} load tests (expected ${expect.loadTests.size}), runs ${statuses} (expected ${JSON.stringify(want)}), ${v} run events folded (expected ${wantVersions}), ${dl} dead letters` };
      } finally {
        await sql.end();
      }
    },
  };
}

async function publishWindows(js: JetStreamClient, ns: Namespace, count: number, requestsPerWindow: number, log: (m: string) => void): Promise<Published> {
  const tenantId = "acme";
  const workers = Math.min(REPLAY_DEFAULTS.workers, count);
  const seconds = Math.ceil(count / workers);
  const runId = newId();
  const load: SyntheticLoad = {
    runId, workerIds: syntheticWorkerIds(workers), requests: syntheticRequests(requestsPerWindow),
    pool: histogramPool({ size: 200, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 }), activeUsersPerWorker: 50,
  };
  const encode = windowEncoder(load, (w) => windowEvent(w, tenantId));
  parseEvent(JSON.parse(encode(0, 1_700_000_000))); // valid, as the projection reads it
  const inflight = new Inflight(REPLAY_DEFAULTS.publishWindow);
  const firstSecond = Math.floor(Date.now() / 1000) - seconds - 60;
  let n = 0;
  let bytes = 0;
  let requests = 0;
  const t0 = performance.now();
  for (let s = 0; s < seconds && n < count; s++) {
    const second = firstSecond + s;
    for (let w = 0; w < workers && n < count; w++, n++) {
      const payload = encode(w, second);
      bytes += payload.length;
      for (const r of syntheticWindow(load, w, second).requests) requests += r.count;
      await inflight.add(js.publish(subjects.metrics(ns, tenantId, runId, load.workerIds[w]!), payload, { msgID: `${runId}.${load.workerIds[w]}.${second}`, timeout: 60_000 }));
    }
    if ((s + 1) % 200 === 0) log(`replay metrics: published ${fmt(n, 0)}`);
  }
  await inflight.drain();
  const elapsed = (performance.now() - t0) / 1000;
  const windows = n;
  return {
    messages: n, bytes, seconds: elapsed, perSec: n / elapsed, requestsPerWindow,
    async verify(url) {
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const { w } = one(await sql<{ w: number }[]>`select count(*)::int as w from metric_windows`);
        const { secs } = one(await sql<{ secs: number }[]>`select count(*)::int as secs from metric_rollups where step = 1 and method = ''`);
        const { total } = one(await sql<{ total: number }[]>`select coalesce(sum(requests), 0)::float8 as total from metric_rollups where step = 0 and method = ''`);
        const { dl } = one(await sql<{ dl: number }[]>`select count(*)::int as dl from projection_dead_letters`);
        const wantSeconds = Math.ceil(windows / workers);
        const ok = w === windows && secs === wantSeconds && total === requests && dl === 0;
        return { ok, text: `${ok ? "OK" : "MISMATCH"}: ${w} windows (expected ${windows}), ${secs} seconds rolled up (expected ${wantSeconds}), ${total} requests in the whole-run rollup (expected ${requests}), ${dl} dead letters` };
      } finally {
        await sql.end();
      }
    },
  };
}

// --- where the time goes

const has = (stack: readonly { functionName: string; url: string }[], pred: (f: { functionName: string; url: string }) => boolean) => stack.some(pred);

export const replayClassifier: Classifier = {
  stackRule(stack) {
    if (has(stack, (f) => f.functionName === "parseEvent")) return "parseEvent (zod: envelope + data)";
    if (has(stack, (f) => f.functionName === "json" && f.url.includes("@nats-io"))) return "msg.json() (UTF-8 decode + JSON.parse)";
    if (has(stack, (f) => /fold-rows\.ts|event-rows\.ts/.test(f.url))) return "fold (foldRows + evolveRun/evolveLoadTest)";
    if (has(stack, (f) => f.url.includes("rollups.ts") && /secondDeltas|applyDeltas|rowOf|mergedEncoding/.test(f.functionName))) {
      return "rollups (secondDeltas/applyDeltas: histogram merges + encodes)";
    }
    if (stack[0]?.url === "" && stack[0].functionName === "stringify") return "JSON.stringify (SQL jsonb payloads, drizzle params)";
    return undefined;
  },
  frameRule(f) {
    const lib = libraryOf(f);
    if (lib) return lib;
    if (f.url.includes("/packages/projections/src/")) return "projector / projection glue (batch plan, insert payloads)";
    if (f.url.includes("/packages/core/src/")) return "core (other)";
    if (f.url.includes("/bench/")) return "bench harness";
    return undefined;
  },
};

/**
 * Each step of the events projection alone, on the first events published, per event: what a
 * rebuild at N events/s can afford is 1e6/N µs per event in all.
 */
async function stepCosts(sample: string[], log: (m: string) => void): Promise<StepCost[]> {
  log(`replay: timing each step alone on ${fmt(sample.length, 0)} events`);
  const bytes = sample.map((s) => Buffer.from(s));
  const decoder = new TextDecoder();
  const time = (fn: () => void): number => {
    fn(); // warm-up
    const t0 = performance.now();
    fn();
    return ((performance.now() - t0) * 1000) / sample.length;
  };
  let raws: unknown[] = [];
  const json = time(() => {
    raws = bytes.map((b) => JSON.parse(decoder.decode(b)));
  });
  let events: EventEnvelope[] = [];
  const zod = time(() => {
    events = raws.map((r) => parseEvent(r));
  });
  const BATCH = REPLAY_DEFAULTS.libraryBatchSize;
  const batches: EventEnvelope[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  type Changes = { loadTests: LoadTestRow[]; runs: RunRow[]; ltKeys: RowKey[]; runKeys: RowKey[] };
  let changes: Changes[] = [];
  const fold = time(() => {
    // Rows carried from batch to batch, as the projection reads them back from Postgres.
    const ltRows = new Map<string, LoadTestRow>();
    const runRows = new Map<string, RunRow>();
    const key = (k: { tenantId: string; id: string }) => `${k.tenantId}/${k.id}`;
    changes = batches.map((batch) => {
      const lts = batch.filter(isLoadTestEvent);
      const rs = batch.filter(isRunEvent);
      const lt = foldRows(lts.map(aggregateKey).flatMap((k) => ltRows.get(key(k)) ?? []), lts, evolveLoadTest);
      const r = foldRows(rs.map(aggregateKey).flatMap((k) => runRows.get(key(k)) ?? []), rs, evolveRun);
      for (const row of lt.upserts) ltRows.set(key(row), row);
      for (const k of lt.deletes) ltRows.delete(key(k));
      for (const row of r.upserts) runRows.set(key(row), row);
      return { loadTests: lt.upserts, runs: r.upserts, ltKeys: lts.map(aggregateKey), runKeys: rs.map(aggregateKey) };
    });
  });
  // The SQL the projection sends per batch, built but not sent.
  const dialect = new PgDialect();
  const selectBuild = time(() => {
    for (const c of changes) {
      if (c.ltKeys.length > 0) dialect.sqlToQuery(keyIn(c.ltKeys));
      if (c.runKeys.length > 0) dialect.sqlToQuery(keyIn(c.runKeys));
    }
  });
  const sqlBuild = time(() => {
    for (const c of changes) {
      if (c.loadTests.length > 0) dialect.sqlToQuery(upsertStatement(loadTests, c.loadTests, ["tenant_id", "id"]));
      if (c.runs.length > 0) dialect.sqlToQuery(upsertStatement(runs, c.runs, ["tenant_id", "id"]));
    }
  });
  return [
    { step: "msg.json(): UTF-8 decode + JSON.parse", usPerEvent: json },
    { step: "parseEvent: zod validation (envelope + data)", usPerEvent: zod },
    { step: `fold: foldRows + evolve, batches of ${fmt(BATCH, 0)}`, usPerEvent: fold },
    { step: "build the key filter of the batch's rows (not sent)", usPerEvent: selectBuild, note: "keyIn: one JSON parameter through jsonb_to_recordset" },
    { step: "build the upsert (not sent)", usPerEvent: sqlBuild, note: "one JSON parameter; mapping the selected rows back, and postgres.js sending, come on top" },
  ];
}

// --- the tables

const pass = (perSec: number, goal: number) => (perSec >= goal ? "PASS" : "MISS");

export function replayTable(d: ReplayData): string {
  const rows = d.rows.map(({ projection, batchSize, libraryDefault, outcome: o }) => {
    const what = projection === "events" ? "events (LL_EVENTS → load_tests, runs)" : `metrics (LL_METRICS → metric_windows + rollups, ${d.requestsPerWindow} names/window)`;
    const batch = `${fmt(batchSize, 0)}${libraryDefault ? " (default)" : ""}`;
    const goal = projection === "events" ? `≥ ${fmt(REPLAY_DEFAULTS.goalPerSec, 0)}/s` : "(informative)";
    if (!o.ok) return [what, batch, "—", "—", "—", goal, projection === "events" ? "MISS" : "—", `not available: ${o.reason}`];
    const r = o.result;
    const notes = [
      r.steadyPerSec !== undefined ? `${fmt(r.steadyPerSec, 0)}/s once under way` : "",
      r.requestRowsPerSec !== undefined ? `${fmt(r.requestRowsPerSec, 0)} request rows/s` : "",
      `CPU ${cpuText(r.cpu)}; main thread busy ${Math.round(100 * r.elu)}%`,
      r.checkOk ? "read model checked" : `CHECK FAILED: ${r.check}`,
    ].filter(Boolean).join("; ");
    return [what, batch, fmt(r.applied, 0), fmt(r.seconds, 1), fmt(r.perSec, 0), goal, projection === "events" ? pass(r.perSec, REPLAY_DEFAULTS.goalPerSec) : "—", notes];
  });
  const publish = d.publish.map(({ stream, outcome: o }) =>
    o.ok ? [stream, fmt(o.result.messages, 0), fmt(o.result.bytes / 2 ** 20, 0), fmt(o.result.seconds, 1), fmt(o.result.perSec, 0)] : [stream, "—", "—", "—", `not available: ${o.reason}`],
  );
  const parts = [
    `### 2. Replay — rebuildProjection from the stream into fresh tables, swapped in (goal ≥ ${fmt(REPLAY_DEFAULTS.goalPerSec, 0)} events/s)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    markdownTable(["projection", "batch size", "events", "seconds", "events/s", "goal", "result", "notes"], rows, [false, true, true, true, true, false, false, false]),
    "",
    "Seconds: the whole rebuildProjection call (fresh schema migrated, replay, swap); events/s = applied / seconds. " +
      "CPU in % of one core over the rebuild. Publishing each stream first (async publishes, 5,000 in flight; not part of the goal):",
    "",
    markdownTable(["stream", "messages", "MiB", "seconds", "messages/s"], publish, [false, true, true, true, true]),
  ];
  for (const { projection, batchSize, outcome: o } of d.rows) {
    if (o.ok && o.result.profile) parts.push("", profileTable(`CPU profile of the ${projection} rebuild, batch size ${batchSize} (${o.result.profile.file})`, o.result.profile));
  }
  if (d.steps) {
    const budget = 1e6 / REPLAY_DEFAULTS.goalPerSec;
    parts.push(
      "",
      `Each step of the events projection alone, in this process, on the first ${fmt(Math.min(d.events, SAMPLE_FOR_STEPS), 0)} events (the goal leaves ${fmt(budget, 0)} µs per event for everything):`,
      "",
      markdownTable(["step", "µs/event", "share of the budget", "note"], d.steps.map((s) => [s.step, fmt(s.usPerEvent, 2), `${fmt((100 * s.usPerEvent) / budget, 0)}%`, s.note ?? ""]), [false, true, true, false]),
    );
  }
  return parts.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), {
      events: "number", windows: "number", requests: "number", "batch-sizes": "string", "no-metrics": "flag", profile: "flag",
    });
    const batchSizes = typeof f["batch-sizes"] === "string" ? f["batch-sizes"].split(",").map((s) => Number(s.trim())) : undefined;
    if (batchSizes?.some((b) => !Number.isInteger(b) || b < 1)) throw new Error("--batch-sizes: whole numbers, comma-separated");
    const data = await runReplayBench({
      events: f.events as number | undefined,
      windows: f["no-metrics"] ? 0 : (f.windows as number | undefined),
      requestsPerWindow: f.requests as number | undefined,
      batchSizes,
      profile: Boolean(f.profile),
      cleanups,
    });
    return replayTable(data);
  });
}
