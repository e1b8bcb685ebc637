// Section "query": metrics queries over a one-hour run (100 workers, 20 request names).
// Goals: timeseries at 1 s step and at auto step p95 < 150 ms; aggregate over the whole run
// p95 < 300 ms. A namespace and a database of its own. The read model is seeded through the
// metrics projection's own rollUp (one transaction per chunk of seconds), not through NATS
// (2 GB of windows); the run's row comes from real events through the events projection.
// Queries go over HTTP (@hono/node-server on loopback, fetch from this process), through the
// API's authentication as deployed: the platform admin's key, naming the tenant with X-Tenant-Id.
// Usage: node --import tsx bench/read-side/query.ts [--workers N] [--names N] [--seconds N]
//          [--runs N] [--warmups N] [--chunk S] [--no-breakdown]
//
// Here the section and its command line; query-seed.ts writes the run and its metrics,
// query-timing.ts times each query, query-profile.ts says where the time goes, query-table.ts
// prints the table.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { newId, sleep } from "@loadline/core";
import { connectNats, ensureStreams, JetStreamEventStore, namespace } from "@loadline/nats";
import { Projections } from "@loadline/projections";
import { histogramPool, type SyntheticLoad, syntheticRequests, syntheticWorkerIds, testDatabase } from "@loadline/projections/testing";
import { ensureBootstrapKey, loadAuthConfig, serviceAccess, serviceApp } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { fmt } from "../lib/table.ts";
import {
  Cleanups,
  loadAverage,
  machineLine,
  parseFlags,
  runStandalone,
  saveProfile,
  section,
  startProfile,
  log as stderrLog,
  summariseProfile,
  withTimeout,
} from "./bench-util.ts";
import { QUERY_DEFAULTS, type QueryData, type QueryOptions } from "./query-data.ts";
import { queryClassifier } from "./query-profile.ts";
import { appendRunEvents, seed } from "./query-seed.ts";
import { queryTable } from "./query-table.ts";
import { get, timeQuery } from "./query-timing.ts";

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
      "HTTP over loopback: @hono/node-server serving Projections.routes behind the API's authentication (a Bearer key), fetch from this process, timed to the last byte of the body",
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

    // The read routes as the API serves them: every request authenticated (the platform admin's bootstrap key), and
    // no rate limit in reach, as what is timed is the query, not the limiter.
    const keyDir = mkdtempSync(join(tmpdir(), "loadline-bench-query-"));
    cleanups.add("bootstrap key", async () => rmSync(keyDir, { recursive: true, force: true }));
    const bootstrapKeyFile = join(keyDir, "admin-key");
    const { key } = await ensureBootstrapKey(bootstrapKeyFile);
    const auth = loadAuthConfig({
      LL_BOOTSTRAP_KEY_FILE: bootstrapKeyFile,
      LL_RATE_LIMIT_PER_SEC: "1000000",
      LL_RATE_LIMIT_BURST: "1000000",
    });
    const app = serviceApp(
      { log: logger, access: serviceAccess(auth, (keyId) => projections.readModel.apiKeyById(keyId)) },
      projections.routes,
    );
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    cleanups.add("HTTP server", () => new Promise((r) => server.close(() => r(undefined))));
    await new Promise<void>((r) => (server.listening ? r() : server.once("listening", () => r())));
    const api = { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key };

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
      const row = await timeQuery(api, q, cfg.warmups, cfg.runs);
      data.rows.push(row);
      say(
        `${q.query}: ${row.points} points/rows, ${fmt(row.bytes / 1024, 0)} KiB, p50 ${fmt(row.p50, 1)} ms, p95 ${fmt(row.p95, 1)} ms, max ${fmt(row.max, 1)} ms`,
      );
    }

    if (cfg.breakdown) {
      const profiled = data.rows.filter((r) => r.goalMs !== undefined);
      const profiler = await startProfile();
      for (const r of profiled) for (let i = 0; i < QUERY_DEFAULTS.profileRuns; i++) await get(api, r.path);
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
