import { type LoadTestView, type MetricsPoint, newId, type RunView, type SeedMetricsPoint, type SeedSummary } from "@loadline/core";
import { beforeAll, describe, expect, it } from "vitest";
import { seedTimeseries } from "./seed-summaries.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

const live = testProjections();
const { get } = live;

describe("seed 001's read side (issue 20)", () => {
  const s0 = Math.floor(Date.now() / 1000) - 100;
  let tenant: string;
  let runId: string;
  beforeAll(async () => {
    tenant = live.newTenant();
    runId = newId();
    await live.applied(
      await appendEvents(live.store, tenant, { type: "run", id: runId }, [
        runCreated("lt-s", { name: "nightly", envId: "staging", metadata: { build: 7 } }),
      ]),
    );
    // Seconds 0 and 1 with load (100 then 300 requests), none at 2, 20 requests at 3; latencies HDR keeps exact (< 2048 µs).
    const latencies = (n: number, us: number) => Array.from({ length: n }, () => us);
    let last = 0;
    for (const [i, n, us] of [
      [0, 100, 1_000],
      [1, 300, 2_000],
      [3, 20, 1_500],
    ] as const) {
      last = await publishWindow(live.js, live.env.ns, tenant, {
        runId,
        workerId: "w1",
        second: s0 + i,
        activeUsers: 4,
        requests: [requestWindow("home", latencies(n, us), i === 0 ? 2 : 0)],
      });
    }
    expect(await live.projections.projectors.metrics.waitFor(last, 5000)).toBe(true);
  });

  it("answers a run with its name, envId, metadata, audit fields and the seed's lastMetrics names", async () => {
    const { body } = await get<RunView>(`/v1/runs/${runId}`, tenant);
    expect(body).toMatchObject({
      name: "nightly",
      envId: "staging",
      metadata: { build: 7 },
      createdBy: "tester",
      updatedBy: "tester",
      durationSeconds: body.durationSec,
    });
    expect(body.updatedAt).toBe(body.createdAt);
    expect(body.lastMetrics).toMatchObject({ requests: 20, totalRequests: 20, p50ResponseMs: 1.5, currentUsers: 4, users: 4 });
  });

  it("lists runs by envId", async () => {
    const other = newId();
    await live.applied(await appendEvents(live.store, tenant, { type: "run", id: other }, [runCreated("lt-s", { envId: "prod" })]));
    const staging = await get<{ items: RunView[]; total: number }>("/v1/runs?envId=staging", tenant);
    expect(staging.body.items.map((r) => r.id)).toEqual([runId]);
    const prod = await get<{ items: RunView[] }>("/v1/runs?envId=prod", tenant);
    expect(prod.body.items.map((r) => r.id)).toEqual([other]);
    expect((await get<{ items: RunView[] }>("/v1/runs", tenant)).body.items).toHaveLength(2);
    expect((await get<{ error: { field: string } }>("/v1/runs?envId=a%20b", tenant)).body.error.field).toBe("envId");
  });

  it("lists load tests by envId, each with status Created", async () => {
    for (const [id, envId] of [
      ["lt-a", "staging"],
      ["lt-b", undefined],
    ] as const) {
      const spec = loadTestSpec(envId ? { envId, metadata: { owner: "qa" } } : {});
      await live.applied(
        await appendEvents(live.store, tenant, { type: "load-test", id }, [{ type: "load-test.created", data: { spec } }]),
      );
    }
    const { body } = await get<{ items: LoadTestView[]; total: number }>("/v1/load-tests?envId=staging", tenant);
    expect(body.items.map((t) => [t.id, t.envId, t.metadata, t.status])).toEqual([["lt-a", "staging", { owner: "qa" }, "Created"]]);
    expect((await get<{ total: number }>("/v1/load-tests", tenant)).body.total).toBe(2);
  });

  it("gives the timeseries the seed's dataPoints (seconds with load) and summary", async () => {
    const { body } = await get<{ points: MetricsPoint[]; dataPoints: SeedMetricsPoint[]; summary: SeedSummary }>(
      `/v1/runs/${runId}/metrics/timeseries?step=1s`,
      tenant,
    );
    expect(body.points).toHaveLength(4);
    expect(body.dataPoints.map((p) => [p.timestamp, p.totalRequests, p.totalRPS, p.p50ResponseMs, p.currentUsers])).toEqual([
      [new Date(s0 * 1000).toISOString(), 100, 100, 1, 4],
      [new Date((s0 + 1) * 1000).toISOString(), 300, 300, 2, 4],
      [new Date((s0 + 3) * 1000).toISOString(), 20, 20, 1.5, 4],
    ]);
    expect(body.summary).toEqual({
      avgRPS: 140,
      maxRPS: 300,
      minRPS: 20,
      avgP50: 1.738, // (1·100 + 2·300 + 1.5·20) / 420
      avgP95: 1.738,
      avgP99: 1.738,
      totalRequests: 420,
      totalFailures: 2,
    });
    expect(seedTimeseries(body.points)).toEqual({ dataPoints: body.dataPoints, summary: body.summary });
  });

  it("adds the same summary figures to the aggregate, also over a range wider than a series may cover", async () => {
    const { body } = await get<Record<string, unknown>>(`/v1/runs/${runId}/metrics/aggregate`, tenant);
    expect(body).toMatchObject({ requests: 420, avgRPS: 140, maxRPS: 300, minRPS: 20, avgP50: 1.738, avgP95: 1.738, totalRequests: 420 });
    const wide = await get<Record<string, unknown>>(`/v1/runs/${runId}/metrics/aggregate?from=0&to=${s0 + 10_000_000}`, tenant);
    expect([wide.status, wide.body.totalRequests, wide.body.maxRPS]).toEqual([200, 420, 300]);
    const none = await get<Record<string, unknown>>(`/v1/runs/${runId}/metrics/aggregate?from=0&to=10`, tenant);
    expect([none.status, none.body.totalRequests, none.body.avgRPS]).toEqual([200, 0, 0]);
  });

  it("serves the distribution as the seed's scatter, with its points under the seed's names", async () => {
    const [{ body: scatter }, { body: distribution }] = await Promise.all([
      get<Record<string, unknown>>(`/v1/runs/${runId}/metrics/scatter`, tenant),
      get<Record<string, unknown>>(`/v1/runs/${runId}/metrics/distribution`, tenant),
    ]);
    expect(scatter).toMatchObject(distribution);
    expect(scatter.dataPoints).toEqual([
      { timestamp: new Date(s0 * 1000).toISOString(), totalRequests: 100, p50ResponseMs: 1, p99ResponseMs: 1 },
      { timestamp: new Date((s0 + 1) * 1000).toISOString(), totalRequests: 300, p50ResponseMs: 2, p99ResponseMs: 2 },
      { timestamp: new Date((s0 + 3) * 1000).toISOString(), totalRequests: 20, p50ResponseMs: 1.5, p99ResponseMs: 1.5 },
    ]);
  });
});
