// Section "query": metrics queries over a one-hour run (100 workers, 20 request names).
// Goals: timeseries at 1 s step and at auto step p95 < 150 ms; aggregate over the whole run
// p95 < 300 ms. A namespace and a database of its own. The read model is seeded through the
// metrics projection's own rollUp (one transaction per chunk of seconds), not through NATS
// (2 GB of windows); the run's row comes from real events through the events projection.
// Queries go over HTTP (@hono/node-server on loopback, fetch from this process).
// Usage: node --import tsx bench/read-side/query.ts [--workers N] [--names N] [--seconds N]
//          [--runs N] [--warmups N] [--chunk S] [--no-breakdown]
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createCommand, type EventStore, eventsFromCommand, type NewEvent, newId, sleep } from "@loadline/core";
import { connectNats, ensureStreams, JetStreamEventStore, namespace } from "@loadline/nats";
import { type Db, Projections, rollUp, type TenantWindow } from "@loadline/projections";
import { testDatabase } from "@loadline/projections/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import postgres from "postgres";
import { fmt, markdownTable } from "../lib/table.ts";
import {
  type Classifier,
  Cleanups,
  type CpuUse,
  cpuSnapshot,
  cpuUse,
  libraryOf,
  loadAverage,
  machineLine,
  type ProfileRow,
  parseFlags,
  percentile,
  profileTable,
  runStandalone,
  saveProfile,
  section,
  startProfile,
  log as stderrLog,
  summariseProfile,
  withTimeout,
} from "./bench-util.ts";
import { histogramPool, type SyntheticLoad, syntheticRequests, syntheticWindow, syntheticWorkerIds } from "./synthetic.ts";

export const QUERY_DEFAULTS = {
  workers: 100,
  names: 20,
  seconds: 3600,
  runs: 30,
  warmups: 3,
  chunkSeconds: 10,
  poolSize: 200,
  profileRuns: 10,
};

export type QueryOptions = {
  workers?: number;
  names?: number;
  seconds?: number;
  /** Timed runs of each query, after `warmups` untimed ones. */
  runs?: number;
  warmups?: number;
  /** Seconds of windows rolled up per transaction while seeding. */
  chunkSeconds?: number;
  /** Where the goal queries' time goes: a CPU profile over HTTP. On by default. */
  breakdown?: boolean;
  natsUrl?: string;
  log?: (msg: string) => void;
  cleanups?: Cleanups;
};

export type QueryRow = {
  query: string;
  path: string;
  /** Points of a timeseries or distribution, endpoints of an aggregate. */
  points: number;
  bytes: number;
  p50: number;
  p95: number;
  max: number;
  /** p95 goal in ms; undefined for an informative row. */
  goalMs?: number;
  /** CPU over the timed runs, in % of one core. */
  cpu?: CpuUse;
};

export type QueryData = {
  workers: number;
  names: number;
  seconds: number;
  runs: number;
  warmups: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  transport: string;
  seeding?: { seconds: number; windows: number; rollupRows: number; chunkSeconds: number; tableMb: number };
  rows: QueryRow[];
  failure?: string;
  profile?: { totalMs: number; rows: ProfileRow[]; file: string; queries: string };
};

const TENANT = "acme";

export async function runQueryBench(o: QueryOptions = {}): Promise<QueryData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`query: ${m}`);
  const cfg = {
    workers: o.workers ?? QUERY_DEFAULTS.workers,
    names: o.names ?? QUERY_DEFAULTS.names,
    seconds: o.seconds ?? QUERY_DEFAULTS.seconds,
    runs: o.runs ?? QUERY_DEFAULTS.runs,
    warmups: o.warmups ?? QUERY_DEFAULTS.warmups,
    chunkSeconds: o.chunkSeconds ?? QUERY_DEFAULTS.chunkSeconds,
    breakdown: o.breakdown ?? true,
    natsUrl: o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  };
  const data: QueryData = {
    workers: cfg.workers,
    names: cfg.names,
    seconds: cfg.seconds,
    runs: cfg.runs,
    warmups: cfg.warmups,
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    transport:
      "HTTP over loopback: @hono/node-server serving Projections.routes, fetch from this process, timed to the last byte of the body",
    rows: [],
  };
  // Ours, run at the end; registered with the caller's too, so that a signal meanwhile runs them.
  const cleanups = new Cleanups();
  o.cleanups?.add("query section", () => cleanups.runAll(say));
  return section(data, say, cleanups, async () => {
    const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
    const nc = await withTimeout(connectNats(cfg.natsUrl, "bench-query"), 10_000, `no NATS at ${cfg.natsUrl}`);
    cleanups.add("NATS connection", () => nc.drain());
    const jsm = await jetstreamManager(nc);
    cleanups.add(`streams of ${ns.prefix}`, () =>
      Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
    );
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
    const db = await testDatabase();
    cleanups.add(`database ${db.name}`, () => db.drop());
    say(`namespace ${ns.prefix}, database ${db.name}`);

    const logger = pino({ name: "bench-query", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
    const projections = await Projections.start({ nc, ns, database: { url: db.url }, log: logger });
    cleanups.add("projections", () => projections.stop());

    // The run's row, through the events projection: a load test and a run that went through its life.
    const load: SyntheticLoad = {
      runId: newId(),
      workerIds: syntheticWorkerIds(cfg.workers),
      requests: syntheticRequests(cfg.names),
      pool: histogramPool({ size: QUERY_DEFAULTS.poolSize, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 }),
      activeUsersPerWorker: 50,
    };
    const firstSecond = Math.floor(Date.now() / 1000) - cfg.seconds - 120; // not aligned on a minute, as a real run
    const seq = await appendRunEvents(new JetStreamEventStore(nc, ns), load, firstSecond, cfg.seconds);
    if (!(await projections.projectors.events.waitFor(seq, 15_000))) throw new Error("the events projection did not write the run's row");

    data.seeding = await seed(projections.database.db, load, firstSecond, cfg.seconds, cfg.chunkSeconds, db.url, say);

    const server = serve({ fetch: projections.routes.fetch, port: 0, hostname: "127.0.0.1" });
    cleanups.add("HTTP server", () => new Promise((r) => server.close(() => r(undefined))));
    await new Promise<void>((r) => (server.listening ? r() : server.once("listening", () => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const run = `/v1/runs/${load.runId}/metrics`;
    const from = firstSecond + 437; // 7 s past a minute
    const to = from + 17 * 60 + 12; // 17 minutes and then some, ending off a minute too
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const oneName = load.requests[Math.min(7, load.requests.length - 1)]!.name;
    const queries: { query: string; path: string; goalMs?: number }[] = [
      { query: "timeseries step=1s, whole hour", path: `${run}/timeseries?step=1s`, goalMs: 150 },
      { query: "timeseries step=auto, whole hour", path: `${run}/timeseries?step=auto`, goalMs: 150 },
      { query: "aggregate, whole run", path: `${run}/aggregate`, goalMs: 300 },
      { query: `timeseries step=auto, requests=${oneName}`, path: `${run}/timeseries?step=auto&requests=${oneName}` },
      { query: "timeseries step=1m, whole hour", path: `${run}/timeseries?step=1m` },
      { query: "aggregate, from/to over 17 min (not minute-aligned)", path: `${run}/aggregate?from=${iso(from)}&to=${iso(to)}` },
      { query: "distribution, whole run", path: `${run}/distribution` },
    ];
    await sleep(1000);
    for (const q of queries) {
      const row = await timeQuery(base, q, cfg.warmups, cfg.runs);
      data.rows.push(row);
      say(
        `${q.query}: ${row.points} points/rows, ${fmt(row.bytes / 1024, 0)} KiB, p50 ${fmt(row.p50, 1)} ms, p95 ${fmt(row.p95, 1)} ms, max ${fmt(row.max, 1)} ms`,
      );
    }

    if (cfg.breakdown) {
      const profiled = data.rows.filter((r) => r.goalMs !== undefined);
      const profiler = await startProfile();
      for (const r of profiled) for (let i = 0; i < QUERY_DEFAULTS.profileRuns; i++) await get(base, r.path);
      const profile = await profiler.stop();
      const file = saveProfile(profile, "query");
      data.profile = {
        ...summariseProfile(profile, queryClassifier),
        file,
        queries: `${profiled.map((r) => r.query).join("; ")}, ${QUERY_DEFAULTS.profileRuns} times each over HTTP`,
      };
      say(`CPU profile in ${file}`);
    }
  });
}

async function appendRunEvents(store: EventStore, load: SyntheticLoad, firstSecond: number, seconds: number): Promise<number> {
  const loadTestId = newId();
  const requests = load.requests.map((r) => ({ name: r.name, method: r.method as "GET", path: `/${r.name}` }));
  const append = async (aggregate: { type: "load-test" | "run"; id: string }, events: NewEvent[]) => {
    const command = createCommand({ type: "run.stop", tenantId: TENANT, aggregate, data: { reason: "requested" }, actor: "user:bench" });
    return (await store.append(TENANT, aggregate, eventsFromCommand(command, events), { expectedSeq: 0 })).seq;
  };
  await append({ type: "load-test", id: loadTestId }, [
    {
      type: "load-test.created",
      data: {
        spec: {
          name: "one hour",
          tags: [],
          targetUrl: "http://shop.internal:8080",
          requests,
          defaultUsers: 5000,
          defaultSpawnRate: 100,
          defaultDurationSec: seconds,
        },
      },
    },
  ]);
  const users = load.workerIds.length * load.activeUsersPerWorker;
  return append({ type: "run", id: load.runId }, [
    {
      type: "run.created",
      data: {
        loadTestId,
        targetUsers: users,
        spawnRate: 100,
        durationSec: seconds,
        target: { targetUrl: "http://shop.internal:8080", requests },
      },
    },
    ...load.workerIds.map(
      (workerId, i): NewEvent => ({
        type: "run.worker-assigned",
        data: { workerId, lanes: [i], laneCount: load.workerIds.length, vus: load.activeUsersPerWorker, arrivalRate: 0, reason: "plan" },
      }),
    ),
    ...load.workerIds.map((workerId): NewEvent => ({ type: "run.worker-ready", data: { workerId } })),
    { type: "run.started", data: { startedAt: new Date(firstSecond * 1000).toISOString() } },
    { type: "run.stopping", data: { reason: "duration" } },
    { type: "run.completed", data: { finishedAt: new Date((firstSecond + seconds) * 1000).toISOString() } },
  ]);
}

/** Every worker's windows of every second, rolled up `chunk` seconds per transaction as the metrics projection does. */
async function seed(
  db: Db,
  load: SyntheticLoad,
  firstSecond: number,
  seconds: number,
  chunk: number,
  url: string,
  say: (m: string) => void,
): Promise<NonNullable<QueryData["seeding"]>> {
  say(
    `seeding ${seconds} s × ${load.workerIds.length} workers × ${load.requests.length} names through rollUp, ${chunk} s per transaction (raw per-worker windows not written)`,
  );
  const t0 = performance.now();
  let windows = 0;
  let reported = t0;
  for (let s = 0; s < seconds; s += chunk) {
    const batch: TenantWindow[] = [];
    for (let second = firstSecond + s; second < firstSecond + Math.min(seconds, s + chunk); second++) {
      for (let w = 0; w < load.workerIds.length; w++) batch.push({ ...syntheticWindow(load, w, second), tenantId: TENANT });
    }
    await db.transaction((tx) => rollUp(tx, batch));
    windows += batch.length;
    if (performance.now() - reported > 15_000) {
      reported = performance.now();
      say(`seeded ${s + chunk} of ${seconds} s (${fmt(windows / ((reported - t0) / 1000), 0)} windows/s)`);
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`analyze metric_rollups`;
    const [row] = await sql<
      { n: number; mb: number }[]
    >`select count(*)::int as n, pg_total_relation_size('metric_rollups')::float8 / 1048576 as mb from metric_rollups`;
    say(`seeded ${fmt(windows, 0)} windows in ${fmt(elapsed, 1)} s: ${fmt(row?.n, 0)} rollup rows, ${fmt(row?.mb, 0)} MiB`);
    return { seconds: elapsed, windows, rollupRows: row?.n ?? 0, chunkSeconds: chunk, tableMb: row?.mb ?? 0 };
  } finally {
    await sql.end();
  }
}

async function get(base: string, path: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(base + path, { headers: { "X-Tenant-Id": TENANT } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

async function timeQuery(
  base: string,
  q: { query: string; path: string; goalMs?: number },
  warmups: number,
  runs: number,
): Promise<QueryRow> {
  for (let i = 0; i < warmups; i++) await get(base, q.path);
  const cpu0 = cpuSnapshot(); // the pool's Postgres sessions outlive the runs: two snapshots do
  const times: number[] = [];
  let body = "";
  for (let i = 0; i < runs; i++) {
    const r = await get(base, q.path);
    times.push(r.ms);
    body = r.body;
  }
  const cpu = cpuUse(cpu0, cpuSnapshot());
  times.sort((a, b) => a - b);
  const parsed = JSON.parse(body) as { points?: unknown[]; endpoints?: unknown[] };
  const points = parsed.points?.length ?? parsed.endpoints?.length ?? 0;
  return {
    query: q.query,
    path: q.path,
    points,
    bytes: Buffer.byteLength(body),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: times.at(-1)!,
    goalMs: q.goalMs,
    cpu,
  };
}

// --- where the time goes

const has = (stack: readonly { functionName: string; url: string }[], pred: (f: { functionName: string; url: string }) => boolean) =>
  stack.some(pred);

const DECODE = ["mergeHistograms", "addEncoded", "addV2", "v2Bytes", "decodeHistogram", "decodeV2", "readRuns"];
const SUMMARY = [
  "summarize",
  "summarizeEncoded",
  "summarizeMerged",
  "runsSummary",
  "runsPercentiles",
  "runsValueSum",
  "librarySummary",
  "latencyCurve",
];
const inCore = (f: { url: string }) => f.url.includes("/packages/core/");

export const queryClassifier: Classifier = {
  stackRule(stack) {
    if (has(stack, (f) => f.functionName === "newLatencyHistogram"))
      return "newLatencyHistogram: a fresh histogram per merge (allocation, zeroing)";
    if (has(stack, (f) => DECODE.includes(f.functionName) && inCore(f))) return "histogram decode (+ merge when several)";
    if (has(stack, (f) => SUMMARY.includes(f.functionName) && inCore(f))) return "percentiles + mean (one pass)";
    if (stack[0]?.url === "" && stack[0].functionName === "stringify") return "JSON.stringify (hono c.json)";
    if (has(stack, (f) => f.url.includes("undici"))) return "fetch client in this process (undici: HTTP parsing, body)";
    if (stack[0]?.url === "" && stack[0].functionName === "parse" && has(stack, (f) => f.url.includes("/node_modules/postgres/")))
      return "postgres.js (wire protocol, (de)serialising rows)";
    return undefined;
  },
  frameRule(f) {
    const lib = libraryOf(f);
    if (lib) return lib;
    if (f.url.includes("/packages/core/src/metrics-math.ts")) return "metrics math (pointOf, requestStats, series: the rest)";
    if (f.url.includes("/packages/projections/src/")) return "queries glue (routes, asBucket, read model)";
    if (f.url.includes("/packages/core/src/")) return "core (other)";
    if (f.url.includes("/bench/")) return "bench harness";
    return undefined;
  },
};

// --- the tables

export function queryTable(d: QueryData): string {
  const rows = d.rows.map((r) => [
    r.query,
    fmt(r.points, 0),
    fmt(r.bytes / 1024, 0),
    fmt(r.p50, 1),
    fmt(r.p95, 1),
    fmt(r.max, 1),
    r.goalMs === undefined ? "(informative)" : `p95 < ${r.goalMs} ms`,
    r.goalMs === undefined ? "—" : r.p95 < r.goalMs ? "PASS" : "MISS",
    r.cpu ? `${r.cpu.nodePct}% / ${r.cpu.postgresPct}% / ${r.cpu.othersPct}%` : "—",
  ]);
  const s = d.seeding;
  const parts = [
    `### 3. Query — metrics of a ${fmt(d.seconds / 3600, d.seconds % 3600 === 0 ? 0 : 2)}-hour run (${d.workers} workers, ${d.names} request names)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    s
      ? `Seeded through the metrics projection's rollUp (${s.chunkSeconds} s of windows per transaction): ${fmt(s.windows, 0)} windows in ${fmt(s.seconds, 1)} s ` +
        `(${fmt(s.windows / s.seconds, 0)} windows/s), ${fmt(s.rollupRows, 0)} rollup rows, ${fmt(s.tableMb, 0)} MiB. ` +
        "Raw per-worker windows (metric_windows) are not written: only workers= queries read them, and none is timed here."
      : "",
    "",
    `${d.transport}. Queries one at a time, each timed ${d.runs} times after ${d.warmups} warm-ups; CPU in % of one core over its timed runs (others: processes not ours).`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["query", "points/rows", "KiB", "p50 ms", "p95 ms", "max ms", "goal", "result", "CPU node / postgres / others"],
          rows,
          [false, true, true, true, true, true, false, false, true],
        ),
  ];
  if (d.profile) parts.push("", profileTable(`CPU profile over HTTP: ${d.profile.queries} (${d.profile.file})`, d.profile));
  return parts.filter((p, i, a) => !(p === "" && a[i - 1] === "")).join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), {
      workers: "number",
      names: "number",
      seconds: "number",
      runs: "number",
      warmups: "number",
      chunk: "number",
      "no-breakdown": "flag",
    });
    const data = await runQueryBench({
      workers: f.workers as number | undefined,
      names: f.names as number | undefined,
      seconds: f.seconds as number | undefined,
      runs: f.runs as number | undefined,
      warmups: f.warmups as number | undefined,
      chunkSeconds: f.chunk as number | undefined,
      breakdown: !f["no-breakdown"],
      cleanups,
    });
    return queryTable(data);
  });
}
