import { runPlan, type Scenario } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { laneOf, longestDurationSec, workloadsOf } from "./workloads.ts";

const scenario = (name: string, over: Partial<Scenario> = {}): Scenario => ({
  name,
  weight: 1,
  variables: {},
  steps: [{ type: "request", method: "GET", url: "/", timeoutMs: 1000, checks: [], extract: [] }],
  ...over,
});

describe("workloadsOf", () => {
  it("shares the workload among the scenarios without an executor, by weight; one more per executor of a scenario", () => {
    const plan = {
      targetUrl: "http://127.0.0.1:1",
      workload: { type: "constant-vus" as const, vus: 40, durationSec: 30 },
      scenarios: [
        scenario("browse", { weight: 3 }),
        scenario("spike", { executor: { type: "shared-iterations", vus: 4, iterations: 100, maxDurationSec: 90 } }),
        scenario("buy", { weight: 1 }),
      ],
    };
    const workloads = workloadsOf(plan, 0.5);
    expect(workloads).toEqual([
      { executor: { type: "constant-vus", vus: 20, durationSec: 30 }, scenarios: [0, 2], weights: [3, 1], firstVuId: 1 },
      { executor: { type: "shared-iterations", vus: 2, iterations: 50, maxDurationSec: 90 }, scenarios: [1], weights: [1], firstVuId: 21 },
    ]);
    expect(longestDurationSec(workloads)).toBe(90);
  });

  it("runs the simple form as constant VUs of the run's parameters", () => {
    const plan = runPlan({ targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET", path: "/" }] }, { targetUsers: 8, spawnRate: 2, durationSec: 60 });
    expect(workloadsOf(plan, 0.25)[0]!.executor).toEqual({ type: "constant-vus", vus: 2, durationSec: 60, spawnRate: 0.5 });
  });
});

describe("laneOf", () => {
  it("shares an executor among no more threads than it has VUs", () => {
    const e = { type: "per-vu-iterations" as const, vus: 2, iterations: 5, maxDurationSec: 60 };
    expect(laneOf(e, { index: 1, count: 4 })).toEqual({ index: 1, count: 2 });
    expect(laneOf(e, { index: 2, count: 4 })).toBeUndefined();
    expect(laneOf({ ...e, vus: 8 }, { index: 3, count: 4 })).toEqual({ index: 3, count: 4 });
  });
});
