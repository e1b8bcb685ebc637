import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.ts";
import { compileRun } from "./scenario/compile-run.ts";
import { loadTestInputSchema, loadTestSpecSchema } from "./schemas/load-test.ts";
import { runCommands, runEvents } from "./schemas/run.ts";
import {
  durationOfSeed,
  lastMetricsOf,
  loadTestInputOfSeed,
  runScopeOf,
  seedPointOf,
  seedSummaryOf,
  seedWriteInput,
} from "./seed-contract.ts";
import type { MetricsPoint } from "./views.ts";

const point = (over: Partial<MetricsPoint>): MetricsPoint => ({
  time: "2026-01-01T00:00:00.000Z",
  requests: 0,
  failures: 0,
  rps: 0,
  errorRate: 0,
  p50: 0,
  p90: 0,
  p95: 0,
  p99: 0,
  p999: 0,
  min: 0,
  max: 0,
  mean: 0,
  users: 0,
  interrupted: 0,
  interruptedIterations: 0,
  ...over,
});

const refusal = (fn: () => unknown): { code: string; field: string | undefined; message: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, field: e.field, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
};

const base = { name: "t", targetUrl: "http://127.0.0.1:1" };
const scenario = { name: "s", steps: [{ type: "request", url: "/" }] };

describe("seed 001's metric names", () => {
  it("names a point as the seed's metrics_timeseries does, beside Loadline's names in lastMetrics", () => {
    const p = point({ requests: 50, failures: 1, rps: 50, errorRate: 0.02, p50: 3, p95: 9, p99: 12, min: 1, max: 20, mean: 4, users: 5 });
    expect(seedPointOf(p)).toEqual({
      timestamp: p.time,
      totalRPS: 50,
      totalRequests: 50,
      totalFailures: 1,
      errorRate: 0.02,
      currentUsers: 5,
      p50ResponseMs: 3,
      p95ResponseMs: 9,
      p99ResponseMs: 12,
      minResponseMs: 1,
      maxResponseMs: 20,
      avgResponseMs: 4,
    });
    expect(lastMetricsOf(p)).toMatchObject({ rps: 50, p50: 3, users: 5, totalRPS: 50, p50ResponseMs: 3, currentUsers: 5 });
  });

  it("summarises the points that had load: rates averaged, percentiles weighted by requests, counts summed", () => {
    const summary = seedSummaryOf([
      point({ requests: 100, failures: 2, rps: 100, p50: 10, p95: 20, p99: 30, users: 4 }),
      point({}), // a bucket without data: a gap, not a second of zero load
      point({ requests: 300, rps: 300, p50: 2, p95: 4, p99: 6, users: 4 }),
    ]);
    expect(summary).toEqual({
      avgRPS: 200,
      maxRPS: 300,
      minRPS: 100,
      avgP50: 4, // (10·100 + 2·300) / 400
      avgP95: 8,
      avgP99: 12,
      totalRequests: 400,
      totalFailures: 2,
    });
  });

  it("counts a second with users but no response yet as load (its rate is 0), and gives zeros for no data", () => {
    expect(seedSummaryOf([point({ users: 3 }), point({ requests: 10, rps: 10, p50: 1, users: 3 })])).toMatchObject({
      avgRPS: 5,
      minRPS: 0,
      avgP50: 1,
    });
    expect(seedSummaryOf([])).toEqual({
      avgRPS: 0,
      maxRPS: 0,
      minRPS: 0,
      avgP50: 0,
      avgP95: 0,
      avgP99: 0,
      totalRequests: 0,
      totalFailures: 0,
    });
  });
});

describe("seed 001's input", () => {
  it("reads a locustfile without an engine as engine locust, and refuses a Locust cluster naming it", () => {
    const locustfile = "from locust import HttpUser";
    expect(loadTestInputOfSeed({ ...base, locustfile, createdBy: "u" }, "acme")).toEqual({ ...base, locustfile, engine: "locust" });
    expect(loadTestInputOfSeed({ ...base, locustfile, engine: "locust" }, "acme")).toEqual({ ...base, locustfile, engine: "locust" });
    const r = refusal(() => loadTestInputOfSeed({ ...base, locustfile, locustClusterId: "c1" }, "acme"));
    expect(r).toMatchObject({ code: "invalid", field: "locustClusterId" });
    expect(r.message).toMatch(/own workers/);
  });

  it("drops createdBy and updatedBy (the actor is the credential's), keeping the rest", () => {
    expect(loadTestInputOfSeed({ ...base, createdBy: "someone@else", updatedBy: "x" }, "acme")).toEqual(base);
    expect(seedWriteInput({ targetUsers: 2, createdBy: "u" }, "acme")).toEqual({ targetUsers: 2 });
    expect(seedWriteInput([1], "acme")).toEqual([1]);
  });

  it("takes the caller's own tenantId and refuses another's, naming it", () => {
    expect(seedWriteInput({ ...base, tenantId: "acme" }, "acme")).toEqual(base);
    expect(refusal(() => seedWriteInput({ ...base, tenantId: "globex" }, "acme"))).toMatchObject({ code: "forbidden", field: "tenantId" });
    expect(refusal(() => seedWriteInput({ ...base, tenantId: null }, "acme"))).toMatchObject({ field: "tenantId" });
  });

  it("takes durationSeconds for durationSec, refusing the two when they disagree", () => {
    expect(durationOfSeed({ durationSeconds: 30 })).toBe(30);
    expect(durationOfSeed({ durationSec: 30, durationSeconds: 30 })).toBe(30);
    expect(durationOfSeed({})).toBeUndefined();
    expect(refusal(() => durationOfSeed({ durationSec: 30, durationSeconds: 31 }))).toMatchObject({ field: "durationSeconds" });
  });

  it("gives a run its test's envId unless the start names one", () => {
    expect(runScopeOf({ name: "nightly" }, { envId: "staging" })).toEqual({ name: "nightly", envId: "staging" });
    expect(runScopeOf({ envId: "prod", metadata: { ticket: 7 } }, { envId: "staging" })).toEqual({
      envId: "prod",
      metadata: { ticket: 7 },
    });
    expect(runScopeOf({}, {})).toEqual({});
  });

  it("bounds envId and metadata, on tests and runs", () => {
    const ok = { ...base, requests: [{ method: "GET", path: "/" }], defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
    expect(loadTestInputSchema.parse({ ...ok, envId: "staging-eu", metadata: { team: "payments", n: [1, null] } })).toMatchObject({
      envId: "staging-eu",
      metadata: { team: "payments", n: [1, null] },
    });
    expect(loadTestInputSchema.safeParse({ ...ok, envId: "no spaces" }).success).toBe(false);
    expect(loadTestInputSchema.safeParse({ ...ok, metadata: { big: "x".repeat(20_000) } }).success).toBe(false);
    expect(loadTestInputSchema.safeParse({ ...ok, metadata: [1] }).success).toBe(false);
    const start = { loadTestId: "lt", overrides: {} };
    expect(runCommands["run.start"].parse({ ...start, name: "n", envId: "e", metadata: { a: 1 } })).toMatchObject({
      name: "n",
      envId: "e",
    });
    expect(runCommands["run.start"].safeParse({ ...start, name: "" }).success).toBe(false);
    expect(runEvents["run.created"].shape.envId).toBeDefined();
  });
});

describe("a test without defaults (issue 20)", () => {
  it("may leave them out when its workload says how to load, and its run takes the workload's figures", () => {
    const spec = loadTestInputSchema.parse({
      ...base,
      scenarios: [scenario],
      workload: { type: "constant-vus", vus: 4, durationSec: 3 },
    });
    expect(spec.defaultUsers).toBeUndefined();
    const { parameters, target } = compileRun(spec);
    expect(parameters).toEqual({ targetUsers: 4, spawnRate: 4, durationSec: 3 });
    expect(target.workload).toEqual({ type: "constant-vus", vus: 4, durationSec: 3 });
    expect(compileRun(spec, { durationSec: 1 }).parameters.durationSec).toBe(1);
  });

  it("may leave them out when every scenario has its own executor: the run has no shared workload", () => {
    const spec = loadTestSpecSchema.parse({
      ...base,
      scenarios: [{ ...scenario, executor: { type: "per-vu-iterations", vus: 2, iterations: 3, maxDurationSec: 5 } }],
    });
    const { parameters, target } = compileRun(spec);
    expect(parameters).toEqual({ targetUsers: 2, spawnRate: 2, durationSec: 5 });
    expect(target.workload).toBeUndefined();
  });

  it("still needs each default when some load is the shared default workload, naming the missing one", () => {
    const simple = loadTestInputSchema.safeParse({ ...base, requests: [{ method: "GET", path: "/" }], defaultUsers: 1 });
    expect(simple.success).toBe(false);
    expect(simple.error?.issues.map((i) => i.path.join("."))).toEqual(["defaultSpawnRate", "defaultDurationSec"]);
    const mixed = loadTestInputSchema.safeParse({
      ...base,
      scenarios: [scenario, { ...scenario, name: "own", executor: { type: "constant-vus", vus: 1, durationSec: 1 } }],
    });
    expect(mixed.error?.issues[0]).toMatchObject({ path: ["defaultUsers"], message: expect.stringMatching(/no workload/) });
  });

  it("keeps checking given defaults against maxDurationSec", () => {
    const r = loadTestInputSchema.safeParse({
      ...base,
      scenarios: [scenario],
      workload: { type: "constant-vus", vus: 1, durationSec: 1 },
      defaultDurationSec: 100,
      maxDurationSec: 10,
    });
    expect(r.error?.issues[0]?.path).toEqual(["defaultDurationSec"]);
  });
});
