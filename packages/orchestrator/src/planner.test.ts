import { type Executor, laneShare } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { type Candidate, planReassignment, planRun } from "./planner.ts";

const worker = (workerId: string, maxVUs: number, labels: Record<string, string> = {}, committedVUs = 0): Candidate => ({
  workerId,
  labels,
  capacity: { maxVUs, maxArrivalRate: 1000 },
  committed: { vus: committedVUs, arrivalRate: 0 },
});
const vus = (n: number): Executor => ({ type: "constant-vus", vus: n, durationSec: 10 });
const rate = (perSec: number, preAllocatedVUs = 50): Executor => ({
  type: "constant-arrival-rate",
  rate: perSec,
  timeUnitSec: 1,
  durationSec: 10,
  preAllocatedVUs,
});
const lanesOf = (plan: ReturnType<typeof planRun>) =>
  plan.ok ? Object.fromEntries(plan.assignments.map((a) => [a.workerId, a.lanes])) : plan.reason;

describe("planRun", () => {
  it("takes the fewest workers that hold the run, the roomiest first", () => {
    expect(lanesOf(planRun([worker("a", 100), worker("b", 500)], [vus(300)]))).toEqual({ b: [0] });
    expect(lanesOf(planRun([worker("a", 100), worker("b", 500)], [vus(550)]))).toEqual({ b: [0, 1, 2, 3, 4], a: [5] });
  });

  it("splits VUs in proportion to free capacity, and every VU lands on exactly one worker", () => {
    const plan = planRun([worker("a", 1000), worker("b", 1000, {}, 500), worker("c", 1000)], [vus(1999), rate(300)], { workers: 3 });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.laneCount).toBe(5);
    expect(lanesOf(plan)).toEqual({ a: [0, 1], c: [2, 3], b: [4] });
    expect(plan.assignments.reduce((n, a) => n + a.vus, 0)).toBe(1999 + 50);
    expect(plan.assignments.reduce((n, a) => n + a.arrivalRate, 0)).toBeCloseTo(300);
    for (const a of plan.assignments)
      expect(a.vus).toBe(a.lanes.reduce((n, l) => n + laneShare(1999, { index: l, count: 5 }) + laneShare(50, { index: l, count: 5 }), 0));
  });

  it("uses exactly the workers asked for, among those matching the selector", () => {
    const fleet = [worker("eu1", 100, { region: "eu" }), worker("eu2", 100, { region: "eu" }), worker("us1", 100, { region: "us" })];
    expect(lanesOf(planRun(fleet, [vus(10)], { workers: 2, selector: { region: "eu" } }))).toEqual({ eu1: [0], eu2: [1] });
    expect(lanesOf(planRun(fleet, [vus(10)], { selector: { region: "us" } }))).toEqual({ us1: [0] });
  });

  it("fails with the reason when it cannot be planned", () => {
    expect(lanesOf(planRun([], [vus(10)]))).toBe("no live worker to run the load");
    expect(lanesOf(planRun([worker("a", 100)], [vus(10)], { selector: { region: "eu" } }))).toBe(
      "no live worker matching region=eu to run the load",
    );
    expect(lanesOf(planRun([worker("a", 100)], [vus(10)], { workers: 2 }))).toBe("2 workers asked, but only 1 live worker has room");
    expect(lanesOf(planRun([worker("a", 100), worker("b", 50)], [vus(200)]))).toBe(
      "capacity is short: the run needs 200 VUs, 2 live workers have 150 VUs free",
    );
    expect(lanesOf(planRun([worker("a", 100), worker("b", 100), worker("c", 100)], [vus(2)], { workers: 3 }))).toBe(
      "the run cannot be spread over 3 workers: its smallest workload has 2 VUs",
    );
    expect(lanesOf(planRun([worker("a", 100, {}, 100)], [vus(1)]))).toMatch(/^capacity is short/);
  });
});

describe("planReassignment", () => {
  const run = { executors: [vus(90)], laneCount: 3, inRun: ["a", "b"], excluded: ["x"] };

  it("gives the lost lanes to the workers of the run first, each lane to the one with most room", () => {
    const fleet = [worker("a", 100, {}, 30), worker("b", 100, {}, 60), worker("idle", 1000)];
    expect(planReassignment(fleet, run, [2])).toEqual({ assignments: [{ workerId: "a", lanes: [2], vus: 30, arrivalRate: 0 }], left: [] });
    const both = planReassignment(fleet, { ...run, executors: [vus(150)], laneCount: 3 }, [1, 2]);
    expect(both.assignments.map((a) => [a.workerId, a.lanes])).toEqual([
      ["a", [1]],
      ["idle", [2]],
    ]);
  });

  it("never to a worker the run lost, nor off the selector; leaves the lane, with why, when nobody has room", () => {
    const fleet = [worker("x", 1000), worker("other-region", 1000, { region: "us" }), worker("a", 100, { region: "eu" }, 90)];
    expect(planReassignment(fleet, { ...run, placement: { selector: { region: "eu" } } }, [2])).toEqual({
      assignments: [],
      left: [2],
      reason: "no live worker matching region=eu has room for lane 2 (30 VUs)",
    });
  });

  it("gives out the lanes that fit and leaves the rest: a worker that joins takes what it has room for", () => {
    // Lanes of 30 VUs; the run's own workers are full, a newcomer has room for one lane.
    const fleet = [worker("a", 100, {}, 100), worker("b", 100, {}, 100), worker("joiner", 40)];
    expect(planReassignment(fleet, run, [0, 1])).toEqual({
      assignments: [{ workerId: "joiner", lanes: [0], vus: 30, arrivalRate: 0 }],
      left: [1],
      reason: "no live worker has room for lane 1 (30 VUs)",
    });
  });
});

describe("a share's vCPUs (what the run's cost counts)", () => {
  it("records each worker's threads on its share, in a plan and in a reassignment", () => {
    const threaded = (id: string, threads: number): Candidate => ({ ...worker(id, 100), threads });
    const plan = planRun([threaded("a", 4), threaded("b", 2)], [vus(150)]);
    expect(plan.ok && plan.assignments.map((a) => [a.workerId, a.vcpus])).toEqual([
      ["a", 4],
      ["b", 2],
    ]);
    const moved = planReassignment([threaded("c", 8)], { executors: [vus(10)], laneCount: 2, inRun: [], excluded: [] }, [1]);
    expect(moved.assignments[0]).toMatchObject({ workerId: "c", vcpus: 8 });
  });

  it("records none for a worker that did not say its threads", () => {
    const plan = planRun([worker("a", 100)], [vus(10)]);
    expect(plan.ok && "vcpus" in plan.assignments[0]!).toBe(false);
  });
});
