// The run series end to end: windows published on real NATS, merged by the metrics projection into
// a real Postgres, scraped from /metrics and pushed by remote write into Debian's real Prometheus.
import { type AggregateView, newId, seededRandom } from "@loadline/core";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger, createRegistry, devAccess, opsRoutes, serviceApp } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import type { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Projections } from "../service.ts";
import { appendEvents, publishWindow, runCreated } from "../test-fixtures.ts";
import { type TestDatabase, testDatabase } from "../testing.ts";
import { type ExposedSample, parseExposition } from "./exposition.ts";
import { LATENCY_BUCKETS_SECONDS } from "./run-tally.ts";
import { eventually, startPrometheus, type TestPrometheus } from "./test-prometheus.ts";
import { request } from "./test-windows.ts";

const log = createLogger("run-metrics-test", process.env.TEST_LOG_LEVEL ?? "silent");
const tenant = "acme";
const runId = newId();

let nats: TestNats;
let pg: TestDatabase;
let prometheus: TestPrometheus;
let projections: Projections;
let registry: Registry;

/** Ten seconds of two workers, two request names, latencies from 0.3 ms to 3 s, failures and status codes. */
async function publishRun(): Promise<number> {
  const random = seededRandom(22);
  const first = Math.floor(Date.now() / 1000) - 40;
  let last = 0;
  for (let s = first; s < first + 10; s++)
    for (const workerId of ["w1", "w2"]) {
      const latencies = (n: number) => Array.from({ length: n }, () => Math.floor(300 * 10 ** (random() * 4)));
      const requests = [
        request("home", latencies(40), { failuresByKind: { "5xx": 2, timeout: 1 }, statusCodes: { "200": 37, "503": 2 } }),
        request("login", latencies(15), { method: "POST", failuresByKind: { "4xx": 1 }, statusCodes: { "200": 14, "401": 1 } }),
      ];
      last = await publishWindow(jetstream(nats.nc), nats.ns, tenant, {
        runId,
        workerId,
        second: s,
        activeUsers: 6,
        requests,
        iterations: 20,
        droppedIterations: 1,
      });
    }
  return last;
}

const sum = (samples: readonly ExposedSample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);

beforeAll(async () => {
  [nats, pg, prometheus] = await Promise.all([testNats(), testDatabase(), startPrometheus("global:\n  scrape_interval: 1m\n")]);
  registry = createRegistry("projections");
  projections = await Projections.start({
    nc: nats.nc,
    ns: nats.ns,
    database: { url: pg.url },
    log,
    registry,
    remoteWrite: { url: `${prometheus.url}/api/v1/write`, headers: {}, pushIntervalMs: 300, settleSec: 2 },
  });
  const store = new JetStreamEventStore(nats.nc, nats.ns);
  const created = await appendEvents(store, tenant, { type: "run", id: runId }, [runCreated("lt-prom")]);
  expect(await projections.readModel.waitForEvents(created, 5000)).toBe(true);
  expect(await projections.projectors.metrics.waitFor(await publishRun(), 10_000)).toBe(true);
}, 60_000);

afterAll(async () => {
  await projections?.stop();
  await prometheus?.stop();
  await nats?.cleanup();
  await pg?.drop();
});

async function aggregate(): Promise<AggregateView> {
  const app = serviceApp({ log, access: devAccess() }, projections.routes);
  const res = await app.request(`/v1/runs/${runId}/metrics/aggregate`, { headers: { "X-Tenant-Id": tenant } });
  expect(res.status).toBe(200);
  return (await res.json()) as AggregateView;
}

describe("run series", () => {
  it("are served on /metrics, equal to the run's aggregate", async () => {
    const app = serviceApp({ log, access: devAccess(), registry }, opsRoutes({ ready: () => true, registry }));
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain("# TYPE loadline_run_request_duration_seconds histogram");
    const samples = parseExposition(text).filter((s) => s.labels.run_id === runId);
    const agg = await aggregate();
    expect(agg.requests).toBe(1100);
    expect(sum(samples, "loadline_run_requests_total")).toBe(agg.requests);
    expect(sum(samples, "loadline_run_failures_total")).toBe(agg.failures);
    for (const [kind, n] of Object.entries(agg.failuresByKind)) expect(sum(samples, "loadline_run_failures_total", { kind }), kind).toBe(n);
    expect(sum(samples, "loadline_run_responses_total", { status_class: "2xx" })).toBe(agg.statusCodes["200"]);
    expect(sum(samples, "loadline_run_responses_total", { status_class: "4xx" })).toBe(agg.statusCodes["401"]);
    expect(sum(samples, "loadline_run_iterations_dropped_total")).toBe(agg.droppedIterations);
    expect(sum(samples, "loadline_run_vus")).toBe(12);
    expect(sum(samples, "loadline_run_request_duration_seconds_count")).toBe(agg.requests);
    for (const endpoint of agg.endpoints) {
      const labels = { method: endpoint.method, request: endpoint.name };
      expect(sum(samples, "loadline_run_requests_total", labels)).toBe(endpoint.requests);
      const buckets = samples
        .filter((s) => s.name === "loadline_run_request_duration_seconds_bucket" && s.labels.request === endpoint.name)
        .map((s) => ({ le: s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: s.value }));
      expect(buckets.map((b) => b.le)).toEqual([...LATENCY_BUCKETS_SECONDS, Number.POSITIVE_INFINITY]);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.count).toBeGreaterThanOrEqual(buckets[i - 1]!.count);
      expect(buckets.at(-1)!.count).toBe(endpoint.requests);
      // The median's bucket holds the exact p50 (ms): its bound at or above it, the bound before below it.
      const median = buckets.findIndex((b) => b.count >= endpoint.requests / 2);
      expect(buckets[median]!.le * 1000).toBeGreaterThanOrEqual(endpoint.latency.p50 * 0.999);
      if (median > 0) expect(buckets[median - 1]!.le * 1000).toBeLessThan(endpoint.latency.p50 * 1.001);
    }
  });

  it("are pushed by remote write into Prometheus, at their seconds, totals equal to the aggregate", async () => {
    const agg = await aggregate();
    const value = async (expr: string) => (await prometheus.query(expr))[0]?.value;
    const requests = await eventually(
      async () => {
        const v = await value(`sum(loadline_run_requests_total{run_id="${runId}"})`);
        return v === agg.requests ? v : undefined;
      },
      15_000,
      "Prometheus has the run's requests",
    );
    expect(requests).toBe(1100);
    expect(await value(`sum(loadline_run_failures_total{run_id="${runId}"})`)).toBe(agg.failures);
    expect(await value(`sum(loadline_run_request_duration_seconds_count{run_id="${runId}"})`)).toBe(agg.requests);
    expect(await value(`sum(loadline_run_iterations_dropped_total{run_id="${runId}"})`)).toBe(agg.droppedIterations);
    // One sample a second: the first second's totals are a tenth of the run's.
    const first = Math.floor(Date.parse(agg.from!) / 1000);
    const atFirst = await prometheus.query(`sum(loadline_run_requests_total{run_id="${runId}"} @ ${first})`);
    expect(atFirst[0]?.value).toBe(agg.requests / 10);
    const p50 = await value(
      `histogram_quantile(0.5, sum by (le) (loadline_run_request_duration_seconds_bucket{run_id="${runId}",request="home"}))`,
    );
    const home = agg.endpoints.find((e) => e.name === "home")!;
    expect(p50).toBeGreaterThan(0);
    // Interpolated within the median's bucket: in the same bucket as the exact p50.
    const bound = LATENCY_BUCKETS_SECONDS.find((b) => b * 1000 >= home.latency.p50)!;
    expect(p50! * 1000).toBeLessThanOrEqual(bound * 1000 + 0.001);
  });
});
