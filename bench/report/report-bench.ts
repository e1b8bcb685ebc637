// Report rendering: how long each format of `GET /v1/runs/{id}/report` takes for a one-hour run
// of 20 endpoints (goal: every report in < 2 s).
//
//   node --import tsx bench/report/report-bench.ts            # render only: synthetic views, no service needed
//   node --import tsx bench/report/report-bench.ts --route    # and through the route, over a seeded Postgres (NATS + Postgres)
//   node --import tsx bench/report/report-bench.ts --html /tmp/hour.html   # also write the synthetic run's HTML report
//
// Render: the views of a finished run — 3,600 one-second points, 20 endpoints, 20 workers, a
// percentile curve — are made once; then the report is assembled from them (`runReportOf`) and
// rendered in each format, timed over warm-ups and runs. PDF is the HTML printed by headless
// Chromium (/usr/bin/chromium), with the browser already up as the API keeps it, and the first
// print with its launch apart.
//
// Route (--route): a one-hour run of 5 workers × 20 request names seeded through the metrics
// projection's own rollUp (as bench/read-side/query.ts does), then each format fetched over HTTP
// through the API's authentication: read model queries, assembly and rendering, to the last byte.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { LOAD_TEST_STATUS, lastMetricsOf, type MetricsPoint, newId, REPORT_FORMATS, type RunReport, seededRandom } from "@loadline/core";
import { connectNats, ensureStreams, JetStreamEventStore, namespace } from "@loadline/nats";
import {
  Projections,
  type ReportInputs,
  renderCsv,
  renderHtml,
  renderJson,
  renderJunit,
  reportRoutes,
  runReportOf,
} from "@loadline/projections";
import { histogramPool, type SyntheticLoad, syntheticRequests, syntheticWorkerIds, testDatabase } from "@loadline/projections/testing";
import { ensureBootstrapKey, loadAuthConfig, serviceAccess, serviceApp } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { chromiumAvailable, PdfPrinter } from "loadline";
import { pino } from "pino";
import { fmt, markdownTable } from "../lib/table.ts";
import { type Cleanups, log, machineLine, parseFlags, percentile, runStandalone, withTimeout } from "../read-side/bench-util.ts";
import { TENANT } from "../read-side/query-data.ts";
import { appendRunEvents, seed } from "../read-side/query-seed.ts";

const SECONDS = 3600;
const ENDPOINTS = 20;
const GOAL_MS = 2000;

type Row = { what: string; bytes: number; p50: number; max: number; runs: number };

async function time(what: string, runs: number, warmups: number, work: () => Promise<number> | number): Promise<Row> {
  let bytes = 0;
  for (let i = 0; i < warmups; i++) bytes = await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = await work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { what, bytes, p50: percentile(times, 50), max: times.at(-1)!, runs };
}

const summary = (p50: number, n: number) => {
  const r = (f: number) => Math.round(p50 * f * 1000) / 1000;
  return { count: n, min: r(0.3), max: r(12), mean: r(1.3), p50, p90: r(2.1), p95: r(2.8), p99: r(4.6), p999: r(8) };
};

/** The views of a finished one-hour run of 20 endpoints, as the read model answers them: made once, the same on every run. */
export function syntheticInputs(): ReportInputs {
  const rand = seededRandom(7);
  const start = Date.parse("2026-03-02T10:00:00.000Z");
  const iso = (s: number) => new Date(start + s * 1000).toISOString();
  const names = Array.from({ length: ENDPOINTS }, (_, i) => `endpoint-${String(i).padStart(2, "0")}`);
  const points: MetricsPoint[] = Array.from({ length: SECONDS }, (_, s) => {
    const users = Math.min(500, Math.ceil((s + 1) * 2));
    const requests = Math.round(users * (3.5 + Math.sin(s / 300) + rand() * 0.5));
    const failures = Math.round(requests * (s > 1800 && s < 1900 ? 0.08 : 0.002 * rand()));
    const p50 = 20 + 10 * Math.sin(s / 600) + rand() * 4;
    const r = (f: number) => Math.round(p50 * f * 1000) / 1000;
    return {
      time: iso(s),
      requests,
      failures,
      rps: requests,
      errorRate: failures / requests,
      p50: r(1),
      p90: r(2),
      p95: r(2.6),
      p99: r(4.2),
      p999: r(7),
      min: r(0.3),
      max: r(11),
      mean: r(1.3),
      users,
      interrupted: 0,
      interruptedIterations: 0,
    };
  });
  const total = points.reduce((n, p) => n + p.requests, 0);
  const failed = points.reduce((n, p) => n + p.failures, 0);
  const endpoints = names.map((name, i) => {
    const requests = Math.round(total / ENDPOINTS);
    const failures = Math.round(failed / ENDPOINTS);
    return {
      name,
      method: i % 4 === 0 ? "POST" : "GET",
      requests,
      failures,
      errorRate: failures / requests,
      rps: requests / SECONDS,
      bytesIn: requests * 1800,
      bytesOut: requests * 220,
      latency: summary(10 + i * 3, requests),
      serviceTime: summary(9 + i * 3, requests),
      failuresByKind: { "5xx": failures - 3, timeout: 3 },
      statusCodes: { "200": requests - failures + 3, "503": failures - 3 },
      interrupted: 0,
    };
  });
  const workers = syntheticWorkerIds(20).map((workerId, i) => ({
    workerId,
    lanes: [i * 2, i * 2 + 1],
    vus: 25,
    arrivalRate: 0,
    state: "stopped" as const,
    assignedAt: iso(-2),
  }));
  return {
    run: {
      id: "run_bench",
      tenantId: TENANT,
      loadTestId: "lt_bench",
      status: "Completed",
      targetUsers: 500,
      spawnRate: 2,
      durationSec: SECONDS,
      durationSeconds: SECONDS,
      name: null,
      envId: null,
      env: null,
      metadata: null,
      placement: null,
      targetPolicy: null,
      laneCount: 40,
      workers,
      gaps: [],
      reason: null,
      coverage: 1,
      degraded: false,
      createdAt: iso(-3),
      startedAt: iso(0),
      finishedAt: iso(SECONDS),
      lastMetrics: lastMetricsOf(points.at(-1)!),
      version: 80,
      createdBy: "key:bench",
      updatedAt: iso(SECONDS),
      updatedBy: "orchestrator",
      queue: null,
      cancelledBy: null,
      ranSec: SECONDS,
      pausedAt: null,
      controls: [],
      phases: {},
      requestTags: {},
      verdict: "failed",
      thresholds: [
        { metric: "latency", expression: "p(95) < 300", observed: 88.2, passed: true, abortOnFail: false },
        { metric: "error_rate", expression: "rate < 0.001", observed: failed / total, passed: false, abortOnFail: false },
      ],
    },
    loadTest: {
      id: "lt_bench",
      tenantId: TENANT,
      name: "one hour, twenty endpoints",
      status: LOAD_TEST_STATUS,
      envId: null,
      metadata: null,
      description: null,
      tags: [],
      targetUrl: "http://shop.internal:8080",
      requests: names.map((name) => ({ name, method: "GET", path: `/${name}` })),
      scenarios: null,
      workload: null,
      defaultUsers: 500,
      defaultSpawnRate: 2,
      defaultDurationSec: SECONDS,
      maxDurationSec: null,
      thresholds: null,
      baselineRunId: null,
      version: 1,
      createdAt: iso(-60),
      createdBy: "key:bench",
      updatedAt: iso(-60),
      updatedBy: "key:bench",
    },
    aggregate: {
      runId: "run_bench",
      requests: total,
      failures: failed,
      errorRate: failed / total,
      rps: total / SECONDS,
      bytesIn: total * 1800,
      bytesOut: total * 220,
      latency: summary(31, total),
      serviceTime: summary(29, total),
      failuresByKind: { "5xx": failed - 60, timeout: 60 },
      statusCodes: { "200": total - failed + 60, "503": failed - 60 },
      interrupted: 0,
      iterations: Math.round(total / ENDPOINTS),
      droppedIterations: 0,
      interruptedIterations: 0,
      checksPassed: 0,
      checksFailed: 0,
      from: iso(0),
      to: iso(SECONDS - 1),
      seconds: SECONDS,
      endpoints,
    },
    timeseries: { step: 1, points },
    distribution: {
      requests: total,
      percentiles: [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100].map((percentile, i) => ({
        percentile,
        latencyMs: Math.round((6 + i * i * 1.7) * 1000) / 1000,
      })),
    },
    generatedAt: iso(SECONDS + 30),
  };
}

const bytesOf = (s: string) => Buffer.byteLength(s);

async function renderRows(runs: number, warmups: number): Promise<Row[]> {
  const inputs = syntheticInputs();
  const report: RunReport = runReportOf(inputs);
  const rows = [
    await time("assemble (runReportOf)", runs, warmups, () => runReportOf(inputs).timeseries.points.length),
    await time("json", runs, warmups, () => bytesOf(renderJson(report))),
    await time("csv", runs, warmups, () => bytesOf(renderCsv(report))),
    await time("junit", runs, warmups, () => bytesOf(renderJunit(report))),
    await time("html", runs, warmups, () => bytesOf(renderHtml(report))),
  ];
  if (!chromiumAvailable()) return rows;
  const html = renderHtml(report);
  const printer = new PdfPrinter();
  try {
    rows.push(await time("pdf, first (launches Chromium)", 1, 0, async () => (await printer.print(html)).byteLength));
    rows.push(await time("pdf (html printed, browser up)", Math.min(runs, 5), 1, async () => (await printer.print(html)).byteLength));
  } finally {
    await printer.close();
  }
  return rows;
}

async function routeRows(cleanups: Cleanups, runs: number, warmups: number): Promise<Row[]> {
  const say = (m: string) => log(`report route: ${m}`);
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
  const nc = await withTimeout(connectNats(natsUrl, "bench-report"), 10_000, `no NATS at ${natsUrl}`);
  cleanups.add("NATS connection", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  cleanups.add(`streams of ${ns.prefix}`, () =>
    Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
  );
  await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
  const db = await testDatabase();
  cleanups.add(`database ${db.name}`, () => db.drop());
  const logger = pino({ name: "bench-report", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const projections = await Projections.start({ nc, ns, database: { url: db.url }, log: logger });
  cleanups.add("projections", () => projections.stop());

  const load: SyntheticLoad = {
    runId: newId(),
    workerIds: syntheticWorkerIds(5),
    requests: syntheticRequests(ENDPOINTS),
    pool: histogramPool({ size: 200, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 }),
    activeUsersPerWorker: 50,
  };
  const firstSecond = Math.floor(Date.now() / 1000) - SECONDS - 120;
  const seq = await appendRunEvents(new JetStreamEventStore(nc, ns), load, firstSecond, SECONDS);
  if (!(await projections.projectors.events.waitFor(seq, 15_000))) throw new Error("the events projection did not write the run's row");
  await seed(projections.database.db, load, firstSecond, SECONDS, 60, db.url, say);

  const keyDir = mkdtempSync(join(tmpdir(), "loadline-bench-report-"));
  cleanups.add("bootstrap key", async () => rmSync(keyDir, { recursive: true, force: true }));
  const bootstrapKeyFile = join(keyDir, "admin-key");
  const { key } = await ensureBootstrapKey(bootstrapKeyFile);
  const auth = loadAuthConfig({
    LL_BOOTSTRAP_KEY_FILE: bootstrapKeyFile,
    LL_RATE_LIMIT_PER_SEC: "1000000",
    LL_RATE_LIMIT_BURST: "1000000",
  });
  const printer = chromiumAvailable() ? new PdfPrinter() : null;
  if (printer) cleanups.add("Chromium", () => printer.close());
  const app = serviceApp(
    { log: logger, access: serviceAccess(auth, (keyId) => projections.readModel.apiKeyById(keyId)) },
    reportRoutes({ readModel: projections.readModel, log: logger, printPdf: printer?.print }),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  cleanups.add("HTTP server", () => new Promise((r) => server.close(() => r(undefined))));
  await new Promise<void>((r) => (server.listening ? r() : server.once("listening", () => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (format: string) => {
    const res = await fetch(`${base}/v1/runs/${load.runId}/report?format=${format}`, {
      headers: { Authorization: `Bearer ${key}`, "X-Tenant-Id": TENANT },
    });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`GET report ${format}: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
    return body.byteLength;
  };
  const rows: Row[] = [];
  for (const format of REPORT_FORMATS) {
    if (format === "pdf" && !printer) continue;
    rows.push(await time(`GET ?format=${format}`, format === "pdf" ? Math.min(runs, 5) : runs, warmups, () => get(format)));
    say(`${format}: p50 ${fmt(rows.at(-1)!.p50, 0)} ms`);
  }
  return rows;
}

function table(title: string, rows: Row[]): string {
  return [
    `### ${title}`,
    "",
    markdownTable(
      ["what", "output", "p50 ms", "max ms", "runs", `< ${GOAL_MS} ms`],
      rows.map((r) => [
        r.what,
        r.what.startsWith("assemble") ? `${fmt(r.bytes, 0)} points` : `${fmt(r.bytes / 1024, 0)} KiB`,
        fmt(r.p50, 1),
        fmt(r.max, 1),
        r.runs,
        r.max < GOAL_MS ? "yes" : "NO",
      ]),
      [false, true, true, true, true, false],
    ),
  ].join("\n");
}

runStandalone(async (cleanups) => {
  const f = parseFlags(process.argv.slice(2), { route: "flag", runs: "number", warmups: "number", html: "string" });
  // --html FILE: the synthetic run's HTML report, to look at.
  if (typeof f.html === "string") writeFileSync(f.html, renderHtml(runReportOf(syntheticInputs())));
  const runs = (f.runs as number | undefined) ?? 10;
  const warmups = (f.warmups as number | undefined) ?? 2;
  const out = [
    `## Reports of a one-hour run of ${ENDPOINTS} endpoints`,
    "",
    `${machineLine()}; ${runs} runs after ${warmups} warm-ups; Chromium: ${chromiumAvailable() ? "/usr/bin/chromium" : "absent (no PDF row)"}`,
    "",
    table(
      `Render: ${fmt(SECONDS, 0)} one-second points × ${ENDPOINTS} endpoints, from the views (no I/O)`,
      await renderRows(runs, warmups),
    ),
  ];
  if (f.route) {
    const rows = await routeRows(cleanups, runs, warmups);
    out.push(
      "",
      table(
        `Route: GET /v1/runs/{id}/report over HTTP, a seeded one-hour run (5 workers × ${ENDPOINTS} names; auto step: 360 points)`,
        rows,
      ),
    );
    await cleanups.runAll(log);
  }
  return out.join("\n");
});
