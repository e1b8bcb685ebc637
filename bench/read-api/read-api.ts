// Section "readapi": the REST API's read routes under load, beside a bare Hono + postgres.js app
// answering the same run's row by primary key, in the same run. The API is the real one
// (`loadline api`: packages/loadline/src/api.ts apiApp, its middleware and auth), in a process of
// its own pinned to core 0, over a Postgres seeded with 8 load tests, 300 finished runs of 30 s
// and a finished one-hour run of 2 workers × 20 request names; every request carries a tenant
// viewer's API key as Bearer. autocannon (core 1), 50 connections. Then the embedded default
// (`loadline up`: PGlite) at a fixed 20 req/s, as one person's dashboard loads it.
// Usage: node --import tsx bench/read-api/read-api.ts [--duration S] [--connections N] [--profile]
//          [--no-postgres] [--no-pglite]
//
// Here the section; read-api-seed.ts writes the data, load.ts runs autocannon, read-api-table.ts
// prints the tables, bare-app.ts is the baseline.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connectNats, ensureStreams, JetStreamEventStore, namespace } from "@loadline/nats";
import { Projections } from "@loadline/projections";
import { rollUpSeconds, syntheticWindow, testDatabase } from "@loadline/projections/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { startService } from "../lib/proc.ts";
import { fmt } from "../lib/table.ts";
import { ROOT } from "../measure.ts";
import {
  Cleanups,
  type CpuProfile,
  libraryOf,
  loadAverage,
  machineLine,
  parseFlags,
  runStandalone,
  section,
  log as stderrLog,
  withTimeout,
} from "../read-side/bench-util.ts";
import { seed } from "../read-side/query-seed.ts";
import { autocannon } from "./load.ts";
import { type ProfileTop, READ_API_DEFAULTS, type ReadApiData, type ReadApiOptions, type ReadApiRow } from "./read-api-data.ts";
import { appendAll, type SeedPlan, seedShortRollups } from "./read-api-seed.ts";
import { readApiTable } from "./read-api-table.ts";

const freePort = async (): Promise<number> => {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
};

const node = (args: string[]) => ({ cmd: process.execPath, args: ["--import", "tsx", ...args] });

type Route = {
  route: string;
  path: string;
  goal: string;
  check: (r: { rps: number; p99: number }) => boolean;
  headers?: Record<string, string>;
  expect?: "2xx" | "3xx";
};

/** One GET as a client makes it: status and body, for the byte count and the ETag. */
async function probe(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; etag: string | null }> {
  const res = await fetch(url, { headers });
  const body = await res.arrayBuffer();
  return { status: res.status, bytes: body.byteLength, etag: res.headers.get("etag") };
}

async function measure(
  base: string,
  r: Route,
  headers: Record<string, string>,
  load: { connections: number; durationSec: number; rate?: number },
  say: (m: string) => void,
): Promise<ReadApiRow> {
  const h = { ...headers, ...r.headers };
  const row: ReadApiRow = {
    route: r.route,
    path: r.path,
    rps: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    failures: 0,
    bytes: 0,
    goal: r.goal,
    met: undefined,
  };
  try {
    const p = await probe(base + r.path, h);
    const expect = r.expect ?? "2xx";
    if (String(p.status)[0] !== expect[0]) throw new Error(`GET ${r.path} answered ${p.status}, not ${expect}`);
    row.bytes = p.bytes;
    await autocannon({ url: base + r.path, headers: h, connections: load.connections, durationSec: 1, rate: load.rate, expect }); // warm-up
    const res = await autocannon({ url: base + r.path, headers: h, ...load, expect });
    Object.assign(row, { rps: res.rps, p50: res.p50, p99: res.p99, failures: res.failures });
    row.met = res.failures === 0 && r.check(res);
    say(
      `${r.route}: ${fmt(res.rps, 0)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms, ${res.failures} failures, ${fmt(p.bytes / 1024, 1)} KiB`,
    );
  } catch (err) {
    row.failure = (err as Error).message;
    say(`${r.route}: FAILED ${row.failure}`);
  }
  return row;
}

/** Self time per function and per library of a --cpu-prof profile, the largest first. */
export function topOfProfile(profile: CpuProfile, top = 25): ProfileTop {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const fns = new Map<string, { fn: string; where: string; ms: number }>();
  const libs = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame as { functionName: string; url: string; lineNumber?: number };
    const where = f.url ? `${f.url.replace(/^file:\/\//, "").replace(`${ROOT}/`, "")}:${(f.lineNumber ?? 0) + 1}` : "";
    const key = `${f.functionName}@${where}`;
    const e = fns.get(key) ?? { fn: f.functionName || "(anonymous)", where, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    const lib = f.functionName.startsWith("(")
      ? f.functionName
      : (libraryOf(f) ??
        (f.url.includes("/packages/")
          ? `loadline ${f.url.replace(/.*\/packages\/([^/]+)\/.*/, "$1")}`
          : f.url.startsWith("node:")
            ? "Node internals"
            : "other"));
    libs.set(lib, (libs.get(lib) ?? 0) + ms);
  }
  const pct = (ms: number) => (100 * ms) / totalMs;
  return {
    totalMs,
    functions: [...fns.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((e) => ({ ...e, pct: pct(e.ms) })),
    libraries: [...libs].sort((a, b) => b[1] - a[1]).map(([lib, ms]) => ({ lib, ms, pct: pct(ms) })),
  };
}

export async function runReadApiBench(o: ReadApiOptions = {}): Promise<ReadApiData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`readapi: ${m}`);
  const durationSec = o.durationSec ?? READ_API_DEFAULTS.durationSec;
  const connections = o.connections ?? READ_API_DEFAULTS.connections;
  const natsUrl = o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const data: ReadApiData = {
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    durationSec,
    connections,
    rows: [],
    pglite: {
      rate: READ_API_DEFAULTS.pgliteRate,
      durationSec: Math.max(durationSec, READ_API_DEFAULTS.pgliteDurationSec),
      rows: [],
      loadAverageAfter: "",
    },
  };
  if (o.postgres !== false) {
    const cleanups = new Cleanups();
    o.cleanups?.add("readapi section", () => cleanups.runAll(say));
    await section(data, say, cleanups, () => postgresPart(data, o, natsUrl, cleanups, say));
  }
  if (o.pglite !== false) {
    const cleanups = new Cleanups();
    o.cleanups?.add("readapi pglite", () => cleanups.runAll(say));
    await section(data.pglite, say, cleanups, () => pglitePart(data, natsUrl, cleanups, say));
  }
  data.loadAverageAfter = loadAverage();
  return data;
}

async function postgresPart(data: ReadApiData, o: ReadApiOptions, natsUrl: string, cleanups: Cleanups, say: (m: string) => void) {
  const name = `bench${randomBytes(5).toString("hex")}`;
  const ns = namespace(name);
  const nc = await withTimeout(connectNats(natsUrl, "bench-readapi"), 10_000, `no NATS at ${natsUrl}`);
  cleanups.add("NATS connection", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  cleanups.add(`streams of ${ns.prefix}`, () =>
    Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
  );
  await ensureStreams(jsm, ns);
  const db = await testDatabase();
  cleanups.add(`database ${db.name}`, () => db.drop());
  say(`namespace ${name}, database ${db.name}`);

  const logger = pino({ name: "bench-readapi", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const projections = await Projections.start({ nc, ns, database: { url: db.url }, log: logger });
  let projectionsStopped = false;
  cleanups.add("projections", async () => (projectionsStopped ? undefined : projections.stop()));
  const plan: SeedPlan = {
    loadTests: READ_API_DEFAULTS.loadTests,
    runs: READ_API_DEFAULTS.runs,
    names: READ_API_DEFAULTS.names,
    longWorkers: READ_API_DEFAULTS.hourWorkers,
    longSeconds: 3600,
    shortSeconds: READ_API_DEFAULTS.shortRunSeconds,
  };
  const t0 = performance.now();
  const seeded = await appendAll(new JetStreamEventStore(nc, ns), plan);
  if (!(await projections.projectors.events.waitFor(seeded.lastSeq, 60_000)))
    throw new Error("the events projection did not write the rows");
  await seedShortRollups(projections.database.db, seeded, plan);
  await seed(projections.database.db, seeded.longRun, seeded.longFirstSecond, seeded.longSeconds, 60, db.url, say);
  data.seeding =
    `tenant ${seeded.tenant}: ${plan.loadTests} load tests, ${plan.runs} finished runs of ${plan.shortSeconds} s (1 worker × ${plan.names} names) ` +
    `and a finished one-hour run of ${plan.longWorkers} workers × ${plan.names} names (newest), through the events projection and rollUp; ` +
    `seeded in ${fmt((performance.now() - t0) / 1000, 0)} s`;
  say(data.seeding);
  await projections.stop(); // nothing more to project: its CPU stays out of the figures
  projectionsStopped = true;

  const profDir = o.profile ? mkdtempSync(join(tmpdir(), "loadline-readapi-prof-")) : null;
  const apiPort = await freePort();
  const api = await startService({
    ...node([...(profDir ? ["--cpu-prof", "--cpu-prof-dir", profDir] : []), "packages/loadline/src/cli.ts", "api"]),
    cwd: ROOT,
    cpu: 0,
    env: {
      ...process.env,
      PORT: String(apiPort),
      DATABASE_URL: db.url,
      NATS_URL: natsUrl,
      LL_NAMESPACE: name,
      LOG_LEVEL: "warn",
      // 100 req/s per credential by default: what is measured here is the API, not the limiter turning it away.
      LL_RATE_LIMIT_PER_SEC: "1000000",
      LL_RATE_LIMIT_BURST: "1000000",
    },
    readyUrl: `http://127.0.0.1:${apiPort}/healthz`,
  });
  cleanups.add("API", () => api.stop());
  const barePort = await freePort();
  const bare = await startService({
    ...node(["bench/read-api/bare-app.ts"]),
    cwd: ROOT,
    cpu: 0,
    env: { ...process.env, PORT: String(barePort), DATABASE_URL: db.url, BENCH_TENANT: seeded.tenant },
    readyUrl: `http://127.0.0.1:${barePort}/`,
  });
  cleanups.add("bare app", () => bare.stop());

  const runId = seeded.longRun.runId;
  const auth = { Authorization: `Bearer ${seeded.token}` };
  const load = { connections: data.connections, durationSec: data.durationSec };
  const bareRow = await measure(
    `http://127.0.0.1:${barePort}`,
    { route: "bare Hono + postgres.js: run by primary key", path: `/v1/runs/${runId}`, goal: "baseline", check: () => true },
    {},
    load,
    say,
  );
  bareRow.met = undefined;
  data.rows.push(bareRow);
  const half = `≥ ${fmt(bareRow.rps / 2, 0)} req/s (0.5× bare), p99 < 30 ms`;
  const byRun = (r: { rps: number; p99: number }) => r.rps >= bareRow.rps / 2 && r.p99 < 30;
  const twoK = (r: { rps: number; p99: number }) => r.rps >= 2000 && r.p99 < 50;
  const routes: Route[] = [
    { route: "GET /v1/runs/{id}", path: `/v1/runs/${runId}`, goal: half, check: byRun },
    { route: "GET /v1/load-tests/{id}", path: `/v1/load-tests/${seeded.loadTestIds[0]}`, goal: half, check: byRun },
    { route: "GET /v1/load-tests?limit=50", path: "/v1/load-tests?limit=50", goal: "≥ 2,000 req/s, p99 < 50 ms", check: twoK },
    { route: "GET /v1/runs?limit=50", path: "/v1/runs?limit=50", goal: "≥ 2,000 req/s, p99 < 50 ms", check: twoK },
    {
      route: "GET /v1/runs/{id}/metrics/aggregate",
      path: `/v1/runs/${runId}/metrics/aggregate`,
      goal: "≥ 2,000 req/s, p99 < 50 ms",
      check: twoK,
    },
    {
      route: "GET /v1/runs/{id}/metrics/timeseries (1 h, auto step)",
      path: `/v1/runs/${runId}/metrics/timeseries`,
      goal: "≥ 2,000 req/s, p99 < 50 ms",
      check: twoK,
    },
    {
      route: "GET /v1/runs/{id}/metrics/timeseries?step=1s (3,600 points)",
      path: `/v1/runs/${runId}/metrics/timeseries?step=1s`,
      goal: "informative",
      check: () => true,
    },
    { route: "GET /healthz", path: "/healthz", goal: "informative", check: () => true },
  ];
  for (const r of routes) data.rows.push(await measure(`http://127.0.0.1:${apiPort}`, r, auth, load, say));
  // A client that has the finished run already: If-None-Match with its ETag, when the API gives one.
  for (const [route, path] of [
    ["GET /v1/runs/{id} If-None-Match (304)", `/v1/runs/${runId}`],
    ["GET …/metrics/timeseries If-None-Match (304)", `/v1/runs/${runId}/metrics/timeseries`],
  ] as const) {
    const { etag } = await probe(`http://127.0.0.1:${apiPort}${path}`, auth);
    if (!etag) {
      data.rows.push({
        route,
        path,
        rps: Number.NaN,
        p50: Number.NaN,
        p99: Number.NaN,
        failures: 0,
        bytes: 0,
        goal: "304",
        met: false,
        failure: "no ETag",
      });
      continue;
    }
    data.rows.push(
      await measure(
        `http://127.0.0.1:${apiPort}`,
        { route, path, goal: "informative", check: () => true, headers: { "If-None-Match": etag }, expect: "3xx" },
        auth,
        load,
        say,
      ),
    );
  }
  await api.stop();
  if (profDir) {
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (file) {
      const profile = JSON.parse(readFileSync(join(profDir, file), "utf8")) as CpuProfile;
      data.profile = { ...topOfProfile(profile), file: join(profDir, file) };
      say(`CPU profile of the API in ${join(profDir, file)}`);
    } else say(`no CPU profile in ${profDir}: ${api.output().slice(-500)}`);
  }
}

async function pglitePart(data: ReadApiData, natsUrl: string, cleanups: Cleanups, say: (m: string) => void) {
  const name = `bench${randomBytes(5).toString("hex")}`;
  const ns = namespace(name);
  const nc = await withTimeout(connectNats(natsUrl, "bench-readapi-pglite"), 10_000, `no NATS at ${natsUrl}`);
  cleanups.add("NATS connection", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  cleanups.add(`streams of ${ns.prefix}`, () =>
    Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
  );
  const dataDir = mkdtempSync(join(tmpdir(), "loadline-readapi-pglite-"));
  cleanups.add("PGlite data", async () => rmSync(dataDir, { recursive: true, force: true }));
  await ensureStreams(jsm, ns);
  const plan: SeedPlan = {
    loadTests: READ_API_DEFAULTS.loadTests,
    runs: READ_API_DEFAULTS.pgliteRuns,
    names: READ_API_DEFAULTS.names,
    longWorkers: 1,
    longSeconds: READ_API_DEFAULTS.pgliteRunSeconds,
    shortSeconds: READ_API_DEFAULTS.shortRunSeconds,
  };
  // Seeded into the embedded database before the stack opens it (PGlite is one process's): the
  // events through the events projection, the long run's seconds through the metrics
  // projection's own rollUp. What is measured is the read side of one person's dashboard.
  const t0 = performance.now();
  const logger = pino({ name: "bench-readapi-pglite", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const seeding = await Projections.start({ nc, ns, database: { dataDir: join(dataDir, "pg") }, log: logger });
  const seeded = await appendAll(new JetStreamEventStore(nc, ns), plan);
  if (!(await seeding.projectors.events.waitFor(seeded.lastSeq, 120_000))) throw new Error("the events projection did not write the rows");
  const long = seeded.longRun;
  await rollUpSeconds(
    seeding.database.db,
    seeded.tenant,
    (w, s) => syntheticWindow(long, w, s),
    1,
    seeded.longFirstSecond,
    plan.longSeconds,
  );
  await seeding.stop();
  data.pglite.seeding =
    `${plan.loadTests} load tests, ${plan.runs} finished runs without metrics and a finished ${plan.longSeconds / 60}-minute run of 1 worker × ${plan.names} names, ` +
    `seeded into PGlite in ${fmt((performance.now() - t0) / 1000, 0)} s`;
  say(`pglite: ${data.pglite.seeding}`);
  const port = await freePort();
  // The embedded default, as `loadline up` starts it (PGlite: no DATABASE_URL), on the harness's NATS.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NATS_URL: natsUrl, LL_NAMESPACE: name, LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const stack = await startService({
    ...node(["packages/loadline/src/cli.ts", "up", "--data", dataDir]),
    cwd: ROOT,
    cpu: 0,
    env,
    readyUrl: `http://127.0.0.1:${port}/healthz`,
  });
  cleanups.add("embedded stack", () => stack.stop());
  const base = `http://127.0.0.1:${port}`;
  const auth = { Authorization: `Bearer ${seeded.token}` };
  const runId = long.runId;
  const goal = "p99 < 100 ms";
  const check = (r: { p99: number }) => r.p99 < 100;
  const routes: Route[] = [
    { route: "GET /v1/load-tests?limit=50", path: "/v1/load-tests?limit=50", goal, check },
    { route: "GET /v1/runs?limit=50", path: "/v1/runs?limit=50", goal, check },
    { route: "GET /v1/runs/{id}", path: `/v1/runs/${runId}`, goal, check },
    { route: "GET /v1/runs/{id}/metrics/aggregate", path: `/v1/runs/${runId}/metrics/aggregate`, goal, check },
    { route: "GET /v1/runs/{id}/metrics/timeseries", path: `/v1/runs/${runId}/metrics/timeseries`, goal, check },
  ];
  const load = { connections: 4, durationSec: data.pglite.durationSec, rate: data.pglite.rate };
  for (const r of routes) data.pglite.rows.push(await measure(base, r, auth, load, (m) => say(`pglite: ${m}`)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), {
      duration: "number",
      connections: "number",
      profile: "flag",
      "no-postgres": "flag",
      "no-pglite": "flag",
    });
    const data = await runReadApiBench({
      durationSec: f.duration as number | undefined,
      connections: f.connections as number | undefined,
      profile: f.profile === true,
      postgres: !f["no-postgres"],
      pglite: !f["no-pglite"],
      cleanups,
    });
    return readApiTable(data);
  });
}
