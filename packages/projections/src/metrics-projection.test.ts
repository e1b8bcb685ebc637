import {
  type AggregateView,
  type DistributionView,
  type EndpointView,
  encodeHistogram,
  lastMetricsOf,
  type MetricsPoint,
  mergeHistograms,
  newId,
  newLatencyHistogram,
  summarize,
} from "@loadline/core";
import { subjects } from "@loadline/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import { and, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { metricRollups, projectionDeadLetters } from "./schema.ts";
import { rowsOf } from "./sql-helpers.ts";
import { publishWindow, requestWindow } from "./test-fixtures.ts";
import { served, testProjections } from "./test-projections.ts";

const live = testProjections();
const { get, createdRun } = live;

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
      .flatMap(([, workers]) =>
        Object.values(workers).flatMap((byName) =>
          Object.entries(byName)
            .filter(([n]) => name === undefined || n === name)
            .flatMap(([, v]) => v),
        ),
      );

  let tenant: string;
  let runId: string;
  beforeAll(async () => {
    ({ tenant, runId } = await createdRun("lt-m"));
    let last = 0;
    for (const [second, workers] of Object.entries(samples)) {
      for (const [workerId, byName] of Object.entries(workers)) {
        const requests = Object.entries(byName).map(([name, values]) => requestWindow(name, values, name === "login" ? 1 : 0));
        last = await publishWindow(live.js, live.env.ns, tenant, { runId, workerId, second: Number(second), activeUsers: 5, requests });
      }
    }
    expect(await live.projections.projectors.metrics.waitFor(last, 5000)).toBe(true);
  });

  it("gives a point a second, with percentiles merged exactly across workers", async () => {
    const { status, body } = await get<{ runId: string; points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries`, tenant);
    expect(status).toBe(200);
    expect(body.runId).toBe(runId);
    expect(body.points.map((p) => p.time)).toEqual([0, 1, 2, 3].map((i) => new Date((s0 + i) * 1000).toISOString()));
    for (const [i, point] of body.points.entries()) {
      const values = all(s0 + i);
      const expected = summaryOf(values);
      expect(point).toMatchObject({
        requests: values.length,
        p50: expected.p50,
        p95: expected.p95,
        p99: expected.p99,
        min: expected.min,
        max: expected.max,
      });
    }
    expect(body.points[2]).toMatchObject({ requests: 0, users: 0 });
    expect(body.points[0]).toMatchObject({ users: 10, failures: 2 });

    const run = await live.projections.readModel.run(tenant, runId);
    expect(run?.lastMetrics).toEqual(lastMetricsOf(body.points[3]!));

    const window = await get<{ points: MetricsPoint[] }>(
      `/v1/runs/${runId}/metrics/timeseries?from=${new Date((s0 + 1) * 1000).toISOString()}&to=${s0 + 2}`,
      tenant,
    );
    expect(window.body.points.map((p) => p.requests)).toEqual([all(s0 + 1).length, 0]);
  });

  it("answers the same points from rows stored before they carried a summary", async () => {
    const path = `/v1/runs/${runId}/metrics/timeseries?step=1s`;
    const withSummaries = (await get<{ points: MetricsPoint[] }>(path, tenant)).body.points;
    const { db } = live.projections.database;
    const saved = await db.select().from(metricRollups).where(eq(metricRollups.runId, runId));
    await db.update(metricRollups).set({ latency: null }).where(eq(metricRollups.runId, runId));
    try {
      expect((await get<{ points: MetricsPoint[] }>(path, tenant)).body.points).toEqual(withSummaries);
      expect((await get<{ points: MetricsPoint[] }>(`${path}&requests=login`, tenant)).body.points.map((p) => p.p99)).toEqual(
        [0, 1, 2, 3].map((i) => summaryOf(samplesOf((s, _w, n) => s === s0 + i && n === "login")).p99),
      );
    } finally {
      for (const r of saved)
        await db
          .update(metricRollups)
          .set({ latency: r.latency })
          .where(
            and(
              eq(metricRollups.runId, runId),
              eq(metricRollups.step, r.step),
              eq(metricRollups.bucket, r.bucket),
              eq(metricRollups.method, r.method),
              eq(metricRollups.name, r.name),
            ),
          );
    }
  });

  it("aggregates the whole run and splits it per endpoint", async () => {
    const aggregate = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate`, tenant)).body;
    expect(aggregate).toMatchObject({
      runId,
      requests: all().length,
      failures: 3,
      seconds: 4,
      from: new Date(s0 * 1000).toISOString(),
      to: new Date((s0 + 3) * 1000).toISOString(),
    });
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
    for (const [step, size] of [
      ["10s", 10],
      ["1m", 60],
    ] as const) {
      const { body } = await get<{ step: string; points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=${step}`, tenant);
      expect(body.step).toBe(`${size}s`);
      const buckets = [...new Set([s0, s0 + 3].map((s) => Math.floor(s / size) * size))];
      expect(body.points.map((p) => p.time)).toEqual(buckets.map((b) => new Date(b * 1000).toISOString()));
      for (const [i, point] of body.points.entries()) {
        const values = samplesOf((s) => Math.floor(s / size) * size === buckets[i]);
        const expected = summaryOf(values);
        expect(point).toMatchObject({
          requests: values.length,
          p50: expected.p50,
          p90: expected.p90,
          p99: expected.p99,
          p999: expected.p999,
          users: 10,
        });
      }
    }
  });

  it("narrows any query to some request names and some workers", async () => {
    const logins = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=1s&requests=login`, tenant)).body
      .points;
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
    for (const path of [
      "/v1/load-tests/nope",
      "/v1/runs/nope",
      "/v1/runs/nope/metrics/timeseries",
      "/v1/runs/nope/metrics/aggregate",
      "/v1/runs/nope/metrics/endpoints",
      "/v1/runs/nope/metrics/distribution",
    ]) {
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
    const badTenant = await served(live.projections.routes).request("/v1/runs", { headers: { "X-Tenant-Id": "a.b" } });
    expect(badTenant.status).toBe(400);
  });
});

describe("interrupted requests and iterations", () => {
  // The stop's last second: w1 gave up on 3 "home" and 1 "login" in flight, w2 on 2 "home"; before it, an older
  // worker's window without the fields at all.
  let tenant: string;
  let runId: string;
  const s0 = 9000;
  beforeAll(async () => {
    ({ tenant, runId } = await createdRun("lt-interrupted"));
    const windows = [
      { workerId: "w1", second: s0, activeUsers: 4, requests: [requestWindow("home", [1000, 2000])], iterations: 2 },
      {
        workerId: "w1",
        second: s0 + 1,
        activeUsers: 4,
        requests: [
          { ...requestWindow("home", [3000]), interrupted: 3 },
          { ...requestWindow("login", [], 0), interrupted: 1 },
        ],
        iterations: 1,
        interruptedIterations: 4,
      },
      {
        workerId: "w2",
        second: s0 + 1,
        activeUsers: 2,
        requests: [{ ...requestWindow("home", [4000]), interrupted: 2 }],
        interruptedIterations: 2,
      },
    ];
    let last = 0;
    for (const w of windows) last = await publishWindow(live.js, live.env.ns, tenant, { runId, ...w });
    expect(await live.projections.projectors.metrics.waitFor(last, 5000)).toBe(true);
  });

  it("are stored, rolled up and exposed apart: in no request count, failure or latency", async () => {
    const aggregate = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate`, tenant)).body;
    expect(aggregate).toMatchObject({ requests: 4, failures: 0, errorRate: 0, interrupted: 6, iterations: 3, interruptedIterations: 6 });
    expect(aggregate.latency.max).toBeLessThan(5);
    expect(aggregate.endpoints.map((e) => [e.name, e.requests, e.interrupted])).toEqual([
      ["home", 4, 5],
      ["login", 0, 1],
    ]);
    const rows = await live.projections.database.db
      .select({
        step: metricRollups.step,
        name: metricRollups.name,
        interrupted: metricRollups.interrupted,
        iterations: metricRollups.interruptedIterations,
      })
      .from(metricRollups)
      .where(and(eq(metricRollups.tenantId, tenant), eq(metricRollups.runId, runId), eq(metricRollups.step, 0)));
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { step: 0, name: "", interrupted: 6, iterations: 6 },
      { step: 0, name: "home", interrupted: 5, iterations: 0 },
      { step: 0, name: "login", interrupted: 1, iterations: 0 },
    ]);
  });

  it("show in the second they happened, at every step, for some names and some workers", async () => {
    const points = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=1s`, tenant)).body.points;
    expect(points.map((p) => [p.requests, p.interrupted, p.interruptedIterations])).toEqual([
      [2, 0, 0],
      [2, 6, 6],
    ]);
    const tens = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=10s`, tenant)).body.points;
    expect(tens.map((p) => [p.requests, p.interrupted, p.interruptedIterations])).toEqual([[4, 6, 6]]);
    const logins = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=1s&requests=login`, tenant)).body
      .points;
    expect(logins.map((p) => [p.requests, p.interrupted])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    const w2 = (await get<AggregateView>(`/v1/runs/${runId}/metrics/aggregate?workers=w2`, tenant)).body;
    expect(w2).toMatchObject({ requests: 1, interrupted: 2, interruptedIterations: 2 });
    const w1Points = (await get<{ points: MetricsPoint[] }>(`/v1/runs/${runId}/metrics/timeseries?step=1s&workers=w1`, tenant)).body.points;
    expect(w1Points.map((p) => [p.interrupted, p.interruptedIterations])).toEqual([
      [0, 0],
      [4, 4],
    ]);
    const run = (await get<{ lastMetrics: MetricsPoint }>(`/v1/runs/${runId}`, tenant)).body;
    expect(run.lastMetrics).toMatchObject({ requests: 2, interrupted: 6, interruptedIterations: 6 });
  });
});

describe("raw windows", () => {
  const storedRows = (tenant: string) =>
    live.projections.database.db
      .execute(sql`select worker_id, event::text as event, requests from metric_windows where tenant_id = ${tenant} order by second`)
      .then(rowsOf<{ worker_id: string; event: string | null; requests: unknown }>);

  it("keep each window's event as it was published, and rows stored before it keep reading", async () => {
    const { tenant, runId } = await createdRun("lt-raw");
    const seq = await publishWindow(live.js, live.env.ns, tenant, {
      runId,
      workerId: "w1",
      second: 5000,
      activeUsers: 2,
      requests: [requestWindow("home", [1000, 3000])],
    });
    expect(await live.projections.projectors.metrics.waitFor(seq, 5000)).toBe(true);
    const published = (await (await jetstreamManager(live.env.nc)).streams.getMessage(live.env.ns.streams.metrics, { seq }))!.string();
    expect(await storedRows(tenant)).toEqual([{ worker_id: "w1", event: published, requests: null }]);

    // A row from before migration 0009: its requests, no event.
    const older = JSON.stringify([requestWindow("home", [2000])]);
    await live.projections.database.db.execute(
      sql`insert into metric_windows (tenant_id, run_id, worker_id, second, active_users, requests) values (${tenant}, ${runId}, 'w0', 4999, 1, ${older}::json)`,
    );
    const read = await live.projections.readModel.windows(tenant, runId);
    expect(read.map((w) => [w.workerId, w.second, w.requests.map((r) => [r.name, r.count])])).toEqual([
      ["w0", 4999, [["home", 1]]],
      ["w1", 5000, [["home", 2]]],
    ]);
  });

  it("store a window whose bytes are not UTF-8 as it was parsed, and go on", async () => {
    const { tenant, runId } = await createdRun("lt-utf");
    const window = { runId, workerId: "w1", second: 6000, activeUsers: 1, requests: [requestWindow("homeX", [1000])] };
    const id = newId();
    const envelope = {
      id,
      type: "metrics.window",
      schemaVersion: 1,
      tenantId: tenant,
      aggregate: { type: "run", id: runId },
      time: new Date(6e6).toISOString(),
      actor: "worker:w1",
      causationId: null,
      correlationId: id,
      data: window,
    };
    const bytes = Buffer.from(JSON.stringify(envelope));
    bytes[bytes.indexOf("homeX") + 4] = 0xff; // not UTF-8: decoded as U+FFFD
    const { seq } = await live.js.publish(subjects.metrics(live.env.ns, tenant, runId, "w1"), bytes);
    const next = await publishWindow(live.js, live.env.ns, tenant, { ...window, second: 6001, requests: [requestWindow("home", [2000])] });
    expect(await live.projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    const rows = await storedRows(tenant);
    expect(rows.map((r) => (JSON.parse(r.event!) as { data: { requests: { name: string }[] } }).data.requests[0]!.name)).toEqual([
      "home\uFFFD",
      "home",
    ]);
    expect(seq).toBeLessThan(next);
  });

  it("dead-letter a window whose counters do not fit the table, and go on", async () => {
    const { tenant, runId } = await createdRun("lt-big");
    const window = { runId, workerId: "w1", second: 7000, activeUsers: 1, requests: [requestWindow("home", [1000])] };
    const huge = await publishWindow(live.js, live.env.ns, tenant, { ...window, iterations: 2 ** 31 });
    const next = await publishWindow(live.js, live.env.ns, tenant, { ...window, second: 7001, iterations: 2 ** 31 - 1 });
    expect(await live.projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect((await storedRows(tenant)).map((r) => r.worker_id)).toEqual(["w1"]);
    const [letter] = await live.projections.database.db
      .select()
      .from(projectionDeadLetters)
      .where(inArray(projectionDeadLetters.seq, [huge]));
    expect(letter).toMatchObject({ projection: METRICS_PROJECTION, seq: huge });
    expect(letter!.reason).toMatch(/iterations/);
  });
});
