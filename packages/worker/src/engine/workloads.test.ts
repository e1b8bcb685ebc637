import { executorMaxVUs, laneShare, planExecutors, runPlan, type Scenario } from "@loadline/core";
import { describe, expect, it } from "vitest";
import {
  dealLanes,
  longestDurationSec,
  partsConnectionsAhead,
  partsMaxVus,
  partsPeakRate,
  scaledMaxVus,
  vuIdsOf,
  workloadsOf,
} from "./workloads.ts";

const scenario = (name: string, over: Partial<Scenario> = {}): Scenario => ({
  name,
  weight: 1,
  variables: {},
  steps: [{ type: "request", method: "GET", url: "/", timeoutMs: 1000, checks: [], extract: [] }],
  ...over,
});
const plan = {
  targetUrl: "http://127.0.0.1:1",
  workload: { type: "constant-vus" as const, vus: 40, durationSec: 30 },
  scenarios: [
    scenario("browse", { weight: 3 }),
    scenario("spike", { executor: { type: "shared-iterations", vus: 4, iterations: 100, maxDurationSec: 90 } }),
    scenario("buy", { weight: 1 }),
  ],
};

describe("workloadsOf", () => {
  it("shares the workload among the scenarios without an executor, by weight; one more per executor of a scenario", () => {
    const workloads = workloadsOf(plan);
    expect(workloads).toEqual([
      { executor: { type: "constant-vus", vus: 40, durationSec: 30 }, scenarios: [0, 2], weights: [3, 1], firstVuId: 1 },
      { executor: { type: "shared-iterations", vus: 4, iterations: 100, maxDurationSec: 90 }, scenarios: [1], weights: [1], firstVuId: 41 },
    ]);
    expect(workloads.map((w) => w.executor)).toEqual(planExecutors(plan));
    expect(longestDurationSec(workloads)).toBe(90);
  });

  it("runs the simple form as constant VUs of the run's parameters", () => {
    const simple = runPlan(
      { targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET", path: "/" }] },
      { targetUsers: 8, spawnRate: 2, durationSec: 60 },
    );
    expect(workloadsOf(simple)[0]!.executor).toEqual({ type: "constant-vus", vus: 8, durationSec: 60, spawnRate: 2 });
  });
});

describe("dealLanes", () => {
  const workloads = workloadsOf(plan);
  /** Every VU number of each workload, as the parts hold them. */
  const vusOf = (parts: { workload: number; lane: { index: number; count: number } }[], w: number) =>
    parts
      .filter((p) => p.workload === w)
      .flatMap((p) =>
        Array.from({ length: laneShare(executorMaxVUs(workloads[w]!.executor), p.lane) }, (_, m) => p.lane.index + m * p.lane.count),
      );

  it("gives each VU of the worker's lanes to exactly one thread, and spreads the lanes evenly", () => {
    const { parts } = dealLanes(workloads, [1, 3], 4, 3);
    const all = parts.flat();
    // Lanes 1 and 3 of 4: VUs 1, 3, 5, 7, ... of the 40, and of the 4 of "spike".
    expect(vusOf(all, 0).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    expect(vusOf(all, 1).sort((a, b) => a - b)).toEqual([1, 3]);
    const load = parts.map((p) => partsMaxVus(workloads, p));
    expect(load.reduce((a, b) => a + b, 0)).toBe(22);
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(4);
  });

  it("cuts a lane no finer than its VUs, and deals later lanes on from where it stopped", () => {
    const first = dealLanes(workloads, [0], 20, 2);
    // Lane 0 of 20 holds 2 of the 40 VUs (0, 20) and 1 of the 4 (0): one part a thread, then one.
    expect(first.parts.map((p) => p.map((x) => [x.workload, x.lane.index, x.lane.count]))).toEqual([
      [
        [0, 0, 40],
        [1, 0, 20],
      ],
      [[0, 20, 40]],
    ]);
    expect(first.nextThread).toBe(1);
    const later = dealLanes(workloads, [5], 20, 2, first.nextThread);
    expect(later.parts[1]![0]).toEqual({ workload: 0, lane: { index: 5, count: 40 } });
  });
});

describe("under a live scale", () => {
  const workloads = workloadsOf(plan);

  it("gives the VUs a scale adds ids after every planned one, unique in the run", () => {
    // Planned: 1..40 (the shared workload), 41..44 ("spike"). Scaled ×2, each has as many again.
    const ids = workloads.flatMap((w, i) => Array.from({ length: 2 * executorMaxVUs(w.executor) }, (_, k) => vuIdsOf(workloads, i)(k)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(vuIdsOf(workloads, 0)(39)).toBe(40);
    expect(vuIdsOf(workloads, 1)(0)).toBe(41);
    expect(Math.min(...ids.filter((id) => id > 44))).toBe(45);
  });

  it("makes room for the VUs a scale up may add, by the factor of each model; per-vu-iterations is not scaled", () => {
    const scale = { vuFactor: 2, rateFactor: 3 };
    expect(scaledMaxVus({ type: "constant-vus", vus: 10, durationSec: 1 }, scale)).toBe(20);
    expect(scaledMaxVus({ type: "shared-iterations", vus: 4, iterations: 9, maxDurationSec: 9 }, scale)).toBe(8);
    expect(scaledMaxVus({ type: "per-vu-iterations", vus: 4, iterations: 9, maxDurationSec: 9 }, scale)).toBe(4);
    const open = { type: "constant-arrival-rate" as const, rate: 9, timeUnitSec: 1, durationSec: 9, preAllocatedVUs: 2, maxVUs: 5 };
    expect(scaledMaxVus(open, scale)).toBe(15);
    // A scale down keeps the room it had; float noise adds none.
    expect(scaledMaxVus(open, { vuFactor: 1, rateFactor: 0.5 })).toBe(5);
    expect(scaledMaxVus({ type: "constant-vus", vus: 10, durationSec: 1 }, { vuFactor: 1.1, rateFactor: 1 })).toBe(11);
    expect(partsMaxVus(workloads, dealLanes(workloads, [0], 1, 1).parts[0]!, { vuFactor: 2, rateFactor: 1 })).toBe(88);
  });
});

describe("partsPeakRate", () => {
  it("adds up the peak arrival rates of a thread's open parts, each lane's share of its executor's", () => {
    const open = {
      ...plan,
      workload: { type: "constant-arrival-rate" as const, rate: 6000, timeUnitSec: 2, durationSec: 30, preAllocatedVUs: 10, maxVUs: 40 },
      scenarios: [
        scenario("browse"),
        scenario("ramp", {
          executor: {
            type: "ramping-arrival-rate",
            startRate: 100,
            timeUnitSec: 1,
            preAllocatedVUs: 4,
            maxVUs: 8,
            stages: [
              { durationSec: 10, target: 900 },
              { durationSec: 5, target: 0 },
            ],
          },
        }),
        scenario("spike", { executor: { type: "shared-iterations", vus: 4, iterations: 100, maxDurationSec: 90 } }),
      ],
    };
    const workloads = workloadsOf(open);
    const { parts } = dealLanes(workloads, [0, 1, 2, 3], 4, 2);
    // 3,000/s and 900/s at their peaks, the closed executor none: each of 2 threads holds half of every lane.
    expect(partsPeakRate(workloads, parts[0]!)).toBeCloseTo(1950);
    expect(partsPeakRate(workloads, parts[0]!) + partsPeakRate(workloads, parts[1]!)).toBeCloseTo(3900);
    expect(partsPeakRate(workloadsOf(plan), dealLanes(workloadsOf(plan), [0], 1, 1).parts[0]!)).toBe(0);
  });
});

describe("partsConnectionsAhead", () => {
  it("opens ahead for every VU an open executor may hold, and for the VUs a closed one starts with", () => {
    const mixed = {
      ...plan,
      workload: { type: "constant-arrival-rate" as const, rate: 100, timeUnitSec: 1, durationSec: 30, preAllocatedVUs: 10, maxVUs: 40 },
      scenarios: [
        scenario("browse"),
        scenario("ramp", {
          executor: { type: "ramping-vus", startVUs: 2, stages: [{ durationSec: 60, target: 500 }] },
        }),
      ],
    };
    const workloads = workloadsOf(mixed);
    // 40 for the open one (not its 10 pre-allocated), 2 for the ramp (its 500 come as it climbs).
    expect(partsConnectionsAhead(workloads, dealLanes(workloads, [0], 1, 1).parts[0]!)).toBe(42);
    // Two threads split them between them, lane by lane.
    const { parts } = dealLanes(workloads, [0], 1, 2);
    expect(partsConnectionsAhead(workloads, parts[0]!) + partsConnectionsAhead(workloads, parts[1]!)).toBe(42);
  });
});
