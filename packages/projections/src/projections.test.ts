import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { createLogger } from "@loadline/service";
import {
  encodeHistogram,
  mergeHistograms,
  newId,
  newLatencyHistogram,
  summarize,
  type AggregateView,
  type DistributionView,
  type EndpointView,
  type LoadTestView,
  type MetricsPoint,
  type RunView,
  type EventStore,
} from "@loadline/core";
import { subjects, JetStreamEventStore } from "@loadline/nats";
import { eventually } from "@loadline/core/testing";
import { testDatabase, type TestDatabase } from "./testing.ts";
import { testNats, type TestNats } from "@loadline/nats/testing";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { PgReadModel } from "./read-model.ts";
import { metricRollups, metricWindows, projectionDeadLetters } from "./schema.ts";
import { Projections } from "./service.ts";
import { rowsOf } from "./sql-helpers.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";

const log = createLogger("projections-test", process.env.TEST_LOG_LEVEL ?? "silent");
let env: TestNats;
let pg: TestDatabase;
let js: JetStreamClient;
let store: EventStore;
let projections: Projections;

const start = (url = pg.url) => Projections.start({ nc: env.nc, ns: env.ns, database: { url }, log });

beforeAll(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  js = jetstream(env.nc);
  store = new JetStreamEventStore(env.nc, env.ns);
  projections = await start();
});
afterAll(async () => {
  await projections?.stop();
  await env?.cleanup();
  await pg?.drop();
});

let tenants = 0;
const newTenant = () => `acme${++tenants}`;

async function get<T>(path: string, tenant: string): Promise<{ status: number; body: T; etag: string | null }> {
  const res = await projections.routes.request(path, { headers: { "X-Tenant-Id": tenant } });
  return { status: res.status, body: (await res.json()) as T, etag: res.headers.get("etag") };
}

async function applied(seq: number): Promise<void> {
  expect(await projections.readModel.waitForEvents(seq, 5000)).toBe(true);
}

/** A new tenant with a run created, applied by the events projection. */
async function createdRun(loadTestId: string): Promise<{ tenant: string; runId: string }> {
  const tenant = newTenant();
  const runId = newId();
  await applied(await appendEvents(store, tenant, { type: "run", id: runId }, [runCreated(loadTestId)]));
  return { tenant, runId };
}

describe("the events projection", () => {
  it("keeps load_tests in step with create, update and delete", async () => {
    const tenant = newTenant();
    const id = newId();
    const lt = { type: "load-test" as const, id };
    await applied(await appendEvents(store, tenant, lt, [{ type: "load-test.created", data: { spec: loadTestSpec({ name: "a", tags: ["smoke"] }) } }], "alice"));
    await applied(await appendEvents(store, tenant, lt, [{ type: "load-test.updated", data: { spec: loadTestSpec({ name: "b", tags: ["smoke", "eu"] }) } }], "bob"));

    const one = await get<LoadTestView>(`/v1/load-tests/${id}`, tenant);
    expect(one.status).toBe(200);
    expect(one.etag).toBe('"2"');
    expect(one.body).toMatchObject({ id, tenantId: tenant, name: "b", tags: ["smoke", "eu"], version: 2, createdBy: "alice", updatedBy: "bob", description: null });
    expect(Date.parse(one.body.createdAt)).toBeLessThanOrEqual(Date.parse(one.body.updatedAt));

    // Another tenant does not see it; the tag filter does.
    expect((await get(`/v1/load-tests/${id}`, newTenant())).status).toBe(404);
    const second = newId();
    await applied(await appendEvents(store, tenant, { type: "load-test", id: second }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]));
    const list = await get<{ items: LoadTestView[]; total: number; limit: number }>(`/v1/load-tests`, tenant);
    expect(list.body.items.map((t) => t.id)).toEqual([second, id]); // newest first
    expect(list.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    const tagged = await get<{ items: LoadTestView[]; total: number }>(`/v1/load-tests?tag=eu&limit=1`, tenant);
    expect(tagged.body.items.map((t) => t.id)).toEqual([id]);
    expect(tagged.body.total).toBe(1);

    await applied(await appendEvents(store, tenant, lt, [{ type: "load-test.deleted", data: {} }]));
    expect(await projections.readModel.loadTest(tenant, id)).toBeNull();
    expect((await get(`/v1/load-tests/${id}`, tenant)).status).toBe(404);
  });

  it("follows a run along its status path", async () => {
    const tenant = newTenant();
    const id = newId();
    const run = { type: "run" as const, id };
    await applied(await appendEvents(store, tenant, run, [runCreated("lt-1")]));
    expect((await get<RunView>(`/v1/runs/${id}`, tenant)).body).toMatchObject({ status: "Pending", version: 1, startedAt: null, workers: [] });

    const share = (workerId: string, lane: number) => ({ workerId, lanes: [lane], laneCount: 2, vus: 5, arrivalRate: 0, reason: "plan" as const });
    const startedAt = "2030-01-01T00:00:00.000Z";
    const finishedAt = "2030-01-01T00:01:00.000Z";
    await applied(
      await appendEvents(store, tenant, run, [
        { type: "run.worker-assigned", data: share("w1", 0) },
        { type: "run.worker-assigned", data: share("w2", 1) },
        { type: "run.worker-ready", data: { workerId: "w1" } },
        { type: "run.worker-ready", data: { workerId: "w2" } },
        { type: "run.started", data: { startedAt } },
      ]),
    );
    const running = await projections.readModel.run(tenant, id);
    expect(running).toMatchObject({ status: "Running", laneCount: 2, startedAt, version: 6 });
    expect(running?.workers.map((w) => [w.workerId, w.lanes, w.state])).toEqual([["w1", [0], "ready"], ["w2", [1], "ready"]]);

    await applied(
      await appendEvents(store, tenant, run, [
        { type: "run.stopping", data: { reason: "requested" } },
        { type: "run.worker-stopped", data: { workerId: "w1", requests: 10, failures: 0 } },
        { type: "run.worker-stopped", data: { workerId: "w2", requests: 10, failures: 1 } },
        { type: "run.completed", data: { finishedAt } },
      ]),
    );
    const done = await get<RunView>(`/v1/runs/${id}`, tenant);
    expect(done.body).toMatchObject({ id, loadTestId: "lt-1", status: "Completed", targetUsers: 10, spawnRate: 2, durationSec: 60, startedAt, finishedAt, reason: null, version: 10 });

    const failed = newId();
    await applied(await appendEvents(store, tenant, { type: "run", id: failed }, [runCreated("lt-2"), { type: "run.failed", data: { reason: "no workers", finishedAt } }]));
    expect(await projections.readModel.run(tenant, failed)).toMatchObject({ status: "Failed", reason: "no workers" });

    const completed = await get<{ items: RunView[]; total: number }>(`/v1/runs?status=Completed`, tenant);
    expect(completed.body.items.map((r) => r.id)).toEqual([id]);
    const ofLoadTest = await get<{ items: RunView[]; total: number }>(`/v1/runs?loadTestId=lt-2`, tenant);
    expect(ofLoadTest.body.items.map((r) => r.id)).toEqual([failed]);
    expect((await get<{ total: number }>(`/v1/runs?limit=1`, tenant)).body.total).toBe(2);
  });

  it("dead-letters a malformed message with its sequence, subject and reason, and goes on", async () => {
    const tenant = newTenant();
    const garbage = await js.publish(subjects.event(env.ns, tenant, "run", "bad1"), "this is not json");
    const wrongShape = await js.publish(subjects.event(env.ns, tenant, "run", "bad2"), JSON.stringify({ type: "run.created", data: 42 }));
    const id = newId();
    const seq = await appendEvents(store, tenant, { type: "load-test", id }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
    expect(seq).toBeGreaterThan(wrongShape.seq);
    await applied(seq);
    expect(await projections.readModel.loadTest(tenant, id)).not.toBeNull();
    expect(garbage.seq).toBeLessThan(await readCheckpoint(projections.database.db, EVENTS_PROJECTION));
    const letters = await projections.database.db
      .select()
      .from(projectionDeadLetters)
      .where(inArray(projectionDeadLetters.seq, [garbage.seq, wrongShape.seq]))
      .orderBy(projectionDeadLetters.seq);
    expect(letters.map((l) => ({ projection: l.projection, seq: l.seq, subject: l.subject }))).toEqual([
      { projection: EVENTS_PROJECTION, seq: garbage.seq, subject: subjects.event(env.ns, tenant, "run", "bad1") },
      { projection: EVENTS_PROJECTION, seq: wrongShape.seq, subject: subjects.event(env.ns, tenant, "run", "bad2") },
    ]);
    expect(letters[0]!.payload).toBe("this is not json");
    expect(letters[1]!.reason).toMatch(/bad envelope/);
  });

  it("retries a batch the database refuses, and neither skips nor acks it", async () => {
    const tenant = newTenant();
    const id = newId();
    const { db } = projections.database;
    await db.execute(sql`alter table load_tests rename to load_tests_away`);
    let seq = 0;
    try {
      seq = await appendEvents(store, tenant, { type: "load-test", id }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
      expect(await projections.readModel.waitForEvents(seq, 700)).toBe(false);
      expect(await readCheckpoint(db, EVENTS_PROJECTION)).toBeLessThan(seq);
    } finally {
      await db.execute(sql`alter table load_tests_away rename to load_tests`);
    }
    await applied(seq);
    expect(await projections.readModel.loadTest(tenant, id)).not.toBeNull();
  });

  it("answers waitForEvents from the projector, or by polling the checkpoint", async () => {
    const tenant = newTenant();
    const seq = await appendEvents(store, tenant, { type: "load-test", id: newId() }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
    expect(await projections.readModel.waitForEvents(seq, 5000)).toBe(true);
    const polling = new PgReadModel(projections.database.db);
    expect(await polling.waitForEvents(seq, 5000)).toBe(true);
    expect(await polling.waitForEvents(seq + 1_000_000, 60)).toBe(false);
    expect(await projections.readModel.waitForEvents(seq + 1_000_000, 60)).toBe(false);
  });
});

describe("the metrics projection and its routes", () => {
  const s0 = Math.floor(Date.now() / 1000) - 100;
  const range = (n: number, step: number, from = 1) => Array.from({ length: n }, (_, i) => (i + from) * step);
  // Latencies in µs, per second, worker and request name.
  const samples: Record<number, Record<string, Record<string, number[]>>> = {
    [s0]: { w1: { home: range(100, 1000), login: [5000, 7000, 90_000] }, w2: { home: range(50, 1500), login: [3000] } },
    [s0 + 1]: { w1: { home: range(20, 2000) }, w2: { home: range(30, 700), login: [12_000, 15_000] } },
    [s0 + 3]: { w1: { home: [400, 800] }, w2: {} },
  };
  /** One histogram fed all the samples, read back as a stored one is (a decoded histogram's max is its bucket's top). */
  const summaryOf = (values: number[]) => {
    const h = newLatencyHistogram();
    for (const v of values) h.recordValue(v);
    return summarize(mergeHistograms([encodeHistogram(h)]));
  };
  const all = (second?: number, name?: string) =>
    Object.entries(samples)
      .filter(([s]) => second === undefined || Number(s) === second)
      .flatMap(([, workers]) => Object.values(workers).flatMap((byName) => Object.entries(byName).filter(([n]) => name === undefined || n === name).flatMap(([, v]) => v)));

  let tenant: string;
  let runId: string;
  beforeAll(async () => {
    ({ tenant, runId } = await createdRun("lt-m"));
    let last = 0;
    for (const [second, workers] of Object.entries(samples)) {
      for (const [workerId, byName] of Object.entries(workers)) {
        const requests = Object.entries(byName).map(([name, values]) => requestWindow(name, values, name === "login" ? 1 : 0));
        last = await publishWindow(js, env.ns, tenant, { runId, workerId, second: Number(second), activeUsers: 5, requests });
      }
    }
    expect(await projections.projectors.metrics.waitFor(last, 5000)).toBe(true);
  });

  it("gives a point a second, with percentiles merged exactly across workers", async () => {
    const { status, body } = await get<{ runId: string; points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries`, tenant);
    expect(status).toBe(200);
    expect(body.runId).toBe(runId);
    expect(body.points.map((p) => p.time)).toEqual([0, 1, 2, 3].map((i) => new Date((s0 + i) * 1000).toISOString()));
    for (const [i, point] of body.points.entries()) {
      const values = all(s0 + i);
      const expected = summaryOf(values);
      expect(point).toMatchObject({ requests: values.length, p50: expected.p50, p95: expected.p95, p99: expected.p99, min: expected.min, max: expected.max });
    }
    expect(body.points[2]).toMatchObject({ requests: 0, users: 0 });
    expect(body.points[0]).toMatchObject({ users: 10, failures: 2 });

    const run = await projections.readModel.run(tenant, runId);
    expect(run?.lastMetrics).toEqual(body.points[3]);

    const window = await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?from=${new Date((s0 + 1) * 1000).toISOString()}&to=${s0 + 2}`, tenant);
    expect(window.body.points.map((p) => p.requests)).toEqual([all(s0 + 1).length, 0]);
  });

  it("answers the same points from rows stored before they carried a summary", async () => {
    const path = `/v1/runs/${runId}/metrics/timeseries?step=1s`;
    const withSummaries = (await get<{ points: MetricsPoint[] }>(path, tenant)).body.points;
    const { db } = projections.database;
    const saved = await db.select().from(metricRollups).where(eq(metricRollups.runId, runId));
    await db.update(metricRollups).set({ latency: null }).where(eq(metricRollups.runId, runId));
    try {
      expect((await get<{ points: MetricsPoint[] }>(path, tenant)).body.points).toEqual(withSummaries);
      expect((await get<{ points: MetricsPoint[] }>(`${path}&requests=login`, tenant)).body.points.map((p) => p.p99)).toEqual(
        [0, 1, 2, 3].map((i) => summaryOf(samplesOf((s, _w, n) => s === s0 + i && n === "login")).p99),
      );
    } finally {
      for (const r of saved) await db.update(metricRollups).set({ latency: r.latency }).where(and(eq(metricRollups.runId, runId), eq(metricRollups.step, r.step), eq(metricRollups.bucket, r.bucket), eq(metricRollups.method, r.method), eq(metricRollups.name, r.name)));
    }
  });

  it("aggregates the whole run and splits it per endpoint", async () => {
    const aggregate = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate`, tenant)).body;
    expect(aggregate).toMatchObject({ runId, requests: all().length, failures: 3, seconds: 4, from: new Date(s0 * 1000).toISOString(), to: new Date((s0 + 3) * 1000).toISOString() });
    expect(aggregate.latency).toEqual(summaryOf(all()));

    const { endpoints } = (await get<{ endpoints: EndpointView[] }>(`/v1/runs/${runId}/metrics/endpoints`, tenant)).body;
    expect(endpoints.map((e) => [e.name, e.method, e.requests, e.failures])).toEqual([
      ["home", "GET", all(undefined, "home").length, 0],
      ["login", "GET", all(undefined, "login").length, 3],
    ]);
    expect(endpoints[1]!.latency).toEqual(summaryOf(all(undefined, "login")));
  });

  const samplesOf = (keep: (second: number, worker: string, name: string) => boolean) =>
    Object.entries(samples).flatMap(([s, workers]) =>
      Object.entries(workers).flatMap(([w, byName]) => Object.entries(byName).flatMap(([n, v]) => (keep(Number(s), w, n) ? v : []))),
    );

  it("rolls seconds up into 10 s and 1 min points, exact at every step", async () => {
    for (const [step, size] of [["10s", 10], ["1m", 60]] as const) {
      const { body } = await get<{ step: string; points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=${step}`, tenant);
      expect(body.step).toBe(`${size}s`);
      const buckets = [...new Set([s0, s0 + 3].map((s) => Math.floor(s / size) * size))];
      expect(body.points.map((p) => p.time)).toEqual(buckets.map((b) => new Date(b * 1000).toISOString()));
      for (const [i, point] of body.points.entries()) {
        const values = samplesOf((s) => Math.floor(s / size) * size === buckets[i]);
        const expected = summaryOf(values);
        expect(point).toMatchObject({ requests: values.length, p50: expected.p50, p90: expected.p90, p99: expected.p99, p999: expected.p999, users: 10 });
      }
    }
  });

  it("narrows any query to some request names and some workers", async () => {
    const logins = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=1s&requests=login`, tenant)).body.points;
    expect(logins.map((p) => p.requests)).toEqual([0, 1, 2, 3].map((i) => samplesOf((s, _w, n) => s === s0 + i && n === "login").length));
    expect(logins[1]!.p99).toBe(summaryOf(samplesOf((s, _w, n) => s === s0 + 1 && n === "login")).p99);

    const w1 = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate?workers=w1`, tenant)).body;
    expect(w1.latency).toEqual(summaryOf(samplesOf((_s, w) => w === "w1")));
    const w2Login = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate?workers=w2&requests=login`, tenant)).body;
    expect(w2Login).toMatchObject({ requests: 3, failures: 2 });
    expect(w2Login.latency).toEqual(summaryOf(samplesOf((_s, w, n) => w === "w2" && n === "login")));
    const both = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate?requests=home&requests=login`, tenant)).body;
    expect(both.latency).toEqual(summaryOf(all()));

    const later = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate?from=${s0 + 1}&to=${s0 + 3}`, tenant)).body;
    expect(later).toMatchObject({ requests: samplesOf((s) => s > s0).length, from: new Date((s0 + 1) * 1000).toISOString(), seconds: 3 });
    expect(later.latency).toEqual(summaryOf(samplesOf((s) => s > s0)));
  });

  it("gives the distribution: the percentile curve and each second's p50 and p99", async () => {
    const { status, body } = await get<DistributionView>(`/v1/runs/${runId}/metrics/distribution`, tenant);
    expect(status).toBe(200);
    const expected = summaryOf(all());
    expect(body.requests).toBe(all().length);
    const at = (p: number) => body.percentiles.find((x) => x.percentile === p)?.latencyMs;
    expect([at(50), at(90), at(99), at(99.9), at(100)]).toEqual([expected.p50, expected.p90, expected.p99, expected.p999, expected.max]);
    expect(body.percentiles.map((x) => x.latencyMs)).toEqual([...body.percentiles.map((x) => x.latencyMs)].sort((a, b) => a - b));
    expect(body.points.map((p) => [p.time, p.requests])).toEqual(
      [0, 1, 3].map((i) => [new Date((s0 + i) * 1000).toISOString(), samplesOf((s) => s === s0 + i).length]),
    );
    expect(body.points[0]!.p99).toBe(summaryOf(samplesOf((s) => s === s0)).p99);
  });

  it("answers 404 for unknown ids and 400 naming the field for bad input", async () => {
    for (const path of ["/v1/load-tests/nope", "/v1/runs/nope", "/v1/runs/nope/metrics/timeseries", "/v1/runs/nope/metrics/aggregate", "/v1/runs/nope/metrics/endpoints", "/v1/runs/nope/metrics/distribution"]) {
      const res = await get<{ error: { code: string } }>(path, tenant);
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, "not_found"]);
    }
    const cases: [string, string][] = [
      ["/v1/runs?status=Sleeping", "status"],
      ["/v1/runs?limit=501", "limit"],
      ["/v1/load-tests?offset=-1", "offset"],
      [`/v1/runs/${runId}/metrics/timeseries?from=yesterday`, "from"],
      [`/v1/runs/${runId}/metrics/timeseries?to=1e9`, "to"],
      [`/v1/runs/${runId}/metrics/timeseries?from=${s0 + 5}&to=${s0}`, "to"],
      [`/v1/runs/${runId}/metrics/timeseries?from=0&to=${s0}`, "to"],
      [`/v1/runs/${runId}/metrics/timeseries?step=5s`, "step"],
      [`/v1/runs/${runId}/metrics/timeseries?step=1s&from=0&to=${s0}`, "to"],
      [`/v1/runs/${runId}/metrics/aggregate?from=soon`, "from"],
      [`/v1/runs/${runId}/metrics/distribution?from=${s0 + 5}&to=${s0}`, "to"],
    ];
    for (const [path, field] of cases) {
      const res = await get<{ error: { field?: string } }>(path, tenant);
      expect([path, res.status, res.body.error.field]).toEqual([path, 400, field]);
    }
    const badTenant = await projections.routes.request("/v1/runs", { headers: { "X-Tenant-Id": "a.b" } });
    expect(badTenant.status).toBe(400);
  });
});

describe("raw windows", () => {
  const storedRows = (tenant: string) =>
    projections.database.db
      .execute(sql`select worker_id, event::text as event, requests from metric_windows where tenant_id = ${tenant} order by second`)
      .then(rowsOf<{ worker_id: string; event: string | null; requests: unknown }>);

  it("keep each window's event as it was published, and rows stored before it keep reading", async () => {
    const { tenant, runId } = await createdRun("lt-raw");
    const seq = await publishWindow(js, env.ns, tenant, { runId, workerId: "w1", second: 5000, activeUsers: 2, requests: [requestWindow("home", [1000, 3000])] });
    expect(await projections.projectors.metrics.waitFor(seq, 5000)).toBe(true);
    const published = (await (await jetstreamManager(env.nc)).streams.getMessage(env.ns.streams.metrics, { seq }))!.string();
    expect(await storedRows(tenant)).toEqual([{ worker_id: "w1", event: published, requests: null }]);

    // A row from before migration 0009: its requests, no event.
    const older = JSON.stringify([requestWindow("home", [2000])]);
    await projections.database.db.execute(
      sql`insert into metric_windows (tenant_id, run_id, worker_id, second, active_users, requests) values (${tenant}, ${runId}, 'w0', 4999, 1, ${older}::json)`,
    );
    const read = await projections.readModel.windows(tenant, runId);
    expect(read.map((w) => [w.workerId, w.second, w.requests.map((r) => [r.name, r.count])])).toEqual([
      ["w0", 4999, [["home", 1]]],
      ["w1", 5000, [["home", 2]]],
    ]);
  });

  it("store a window whose bytes are not UTF-8 as it was parsed, and go on", async () => {
    const { tenant, runId } = await createdRun("lt-utf");
    const window = { runId, workerId: "w1", second: 6000, activeUsers: 1, requests: [requestWindow("homeX", [1000])] };
    const id = newId();
    const envelope = { id, type: "metrics.window", schemaVersion: 1, tenantId: tenant, aggregate: { type: "run", id: runId }, time: new Date(6e6).toISOString(), actor: "worker:w1", causationId: null, correlationId: id, data: window };
    const bytes = Buffer.from(JSON.stringify(envelope));
    bytes[bytes.indexOf("homeX") + 4] = 0xff; // not UTF-8: decoded as U+FFFD
    const { seq } = await js.publish(subjects.metrics(env.ns, tenant, runId, "w1"), bytes);
    const next = await publishWindow(js, env.ns, tenant, { ...window, second: 6001, requests: [requestWindow("home", [2000])] });
    expect(await projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    const rows = await storedRows(tenant);
    expect(rows.map((r) => (JSON.parse(r.event!) as { data: { requests: { name: string }[] } }).data.requests[0]!.name)).toEqual(["home\uFFFD", "home"]);
    expect(seq).toBeLessThan(next);
  });

  it("dead-letter a window whose counters do not fit the table, and go on", async () => {
    const { tenant, runId } = await createdRun("lt-big");
    const window = { runId, workerId: "w1", second: 7000, activeUsers: 1, requests: [requestWindow("home", [1000])] };
    const huge = await publishWindow(js, env.ns, tenant, { ...window, iterations: 2 ** 31 });
    const next = await publishWindow(js, env.ns, tenant, { ...window, second: 7001, iterations: 2 ** 31 - 1 });
    expect(await projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect((await storedRows(tenant)).map((r) => r.worker_id)).toEqual(["w1"]);
    const [letter] = await projections.database.db.select().from(projectionDeadLetters).where(inArray(projectionDeadLetters.seq, [huge]));
    expect(letter).toMatchObject({ projection: METRICS_PROJECTION, seq: huge });
    expect(letter!.reason).toMatch(/iterations/);
  });
});

describe("restarts", () => {
  const windowCount = async (tenant: string) => {
    const [row] = await projections.database.db.select({ n: count() }).from(metricWindows).where(and(eq(metricWindows.tenantId, tenant)));
    return row?.n ?? 0;
  };

  it("resume from the checkpoint without applying anything twice", async () => {
    const tenant = newTenant();
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    await applied(await appendEvents(store, tenant, run, [runCreated("lt-r"), { type: "run.worker-assigned", data: { workerId: "w1", lanes: [0], laneCount: 1, vus: 1, arrivalRate: 0, reason: "plan" } }]));
    const windowSeq = await publishWindow(js, env.ns, tenant, { runId, workerId: "w1", second: 1000, activeUsers: 1, requests: [requestWindow("home", [1000])] });
    expect(await projections.projectors.metrics.waitFor(windowSeq, 5000)).toBe(true);
    await projections.stop();

    // Rewind the cursor to the start of the stream: everything is delivered again, and must be skipped.
    const jsm = await jetstreamManager(env.nc);
    for (const [stream, durable, filter] of [
      [env.ns.streams.events, "proj_events", subjects.allEvents(env.ns)],
      [env.ns.streams.metrics, "proj_metrics", subjects.allMetrics(env.ns)],
    ] as const) {
      await jsm.consumers.delete(stream, durable);
      await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filter, deliver_policy: DeliverPolicy.All });
    }
    // And a message published while it was down.
    const seq = await appendEvents(store, tenant, run, [{ type: "run.stopping", data: { reason: "duration" } }]);

    projections = await start();
    await applied(seq);
    expect(await projections.readModel.run(tenant, runId)).toMatchObject({ status: "Stopping", version: 3 });
    await publishWindow(js, env.ns, tenant, { runId, workerId: "w1", second: 1000, activeUsers: 1, requests: [requestWindow("home", [1000])] }); // a duplicate
    const next = await publishWindow(js, env.ns, tenant, { runId, workerId: "w1", second: 1001, activeUsers: 1, requests: [requestWindow("home", [2000])] });
    expect(await projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect(await windowCount(tenant)).toBe(2);
  });

  it("counts a window once, even when it comes again after its raw row was pruned", async () => {
    const { tenant, runId } = await createdRun("lt-k");
    const { db } = projections.database;
    const window = { runId, workerId: "w1", second: 3000, activeUsers: 1, requests: [requestWindow("home", [1000, 2000, 3000])] };
    const runTotal = async () => {
      const rows = await db
        .select({ requests: metricRollups.requests })
        .from(metricRollups)
        .where(and(eq(metricRollups.tenantId, tenant), eq(metricRollups.runId, runId), eq(metricRollups.step, 0), eq(metricRollups.method, "")));
      return rows[0]?.requests;
    };
    const first = await publishWindow(js, env.ns, tenant, window);
    expect(await projections.projectors.metrics.waitFor(first, 5000)).toBe(true);
    // The raw row is stored apart from the rollups' transaction, but before its checkpoint moves.
    expect(await windowCount(tenant)).toBe(1);
    expect(await runTotal()).toBe(3);

    // Again while its raw row is there (binary COPY refuses the chunk; the insert takes it),
    // alongside a new window that must be stored all the same.
    await publishWindow(js, env.ns, tenant, window, `dup.${runId}`);
    const next = await publishWindow(js, env.ns, tenant, { ...window, second: 3001, requests: [requestWindow("home", [4000])] });
    expect(await projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect(await windowCount(tenant)).toBe(2);
    expect(await runTotal()).toBe(4);

    await db.delete(metricWindows).where(eq(metricWindows.tenantId, tenant)); // as pruning does
    // Past the stream's duplicate window (an import months later, say): a new message id.
    const again = await publishWindow(js, env.ns, tenant, window, `again.${runId}`);
    expect(again).toBeGreaterThan(first);
    expect(await projections.projectors.metrics.waitFor(again, 5000)).toBe(true);
    expect(await runTotal()).toBe(4);
    expect(await windowCount(tenant)).toBe(1);
  });

  it("holds a batch whose raw windows cannot be stored, and applies it once they can", async () => {
    const { tenant, runId } = await createdRun("lt-s");
    const { db } = projections.database;
    await db.execute(sql`alter table metric_windows rename to metric_windows_away`);
    let seq = 0;
    try {
      seq = await publishWindow(js, env.ns, tenant, { runId, workerId: "w1", second: 4000, activeUsers: 1, requests: [requestWindow("home", [1000])] });
      expect(await projections.projectors.metrics.waitFor(seq, 700)).toBe(false);
      expect(await readCheckpoint(db, METRICS_PROJECTION)).toBeLessThan(seq);
    } finally {
      await db.execute(sql`alter table metric_windows_away rename to metric_windows`);
    }
    expect(await projections.projectors.metrics.waitFor(seq, 10_000)).toBe(true);
    expect(await windowCount(tenant)).toBe(1);
  });

  it("replays the streams into a database that lost them", async () => {
    const tenant = newTenant();
    const id = newId();
    const seq = await appendEvents(store, tenant, { type: "load-test", id }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
    await applied(seq);
    await projections.stop();
    const fresh = await testDatabase();
    try {
      // The durable's ack floor is ahead of the new database's checkpoint (0): it is recreated from the start.
      projections = await start(fresh.url);
      await applied(seq);
      expect(await projections.readModel.loadTest(tenant, id)).not.toBeNull();
      await eventually(() => projections.ready());
      await projections.stop();
    } finally {
      await fresh.drop();
    }
    projections = await start();
  });
});
