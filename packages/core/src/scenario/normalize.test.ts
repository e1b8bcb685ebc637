import { describe, expect, it } from "vitest";
import { type Executor, executorDurationSec, executorMaxVUs, executorStartVUs } from "./executors.ts";
import { runPlan, scaleExecutor } from "./normalize.ts";

describe("runPlan", () => {
  it("turns the simple form into one scenario on constant VUs from the run's parameters", () => {
    const plan = runPlan(
      {
        targetUrl: "http://127.0.0.1:1",
        requests: [
          { name: "home", method: "GET", path: "/" },
          { method: "POST", path: "/buy", body: "{}" },
        ],
      },
      { targetUsers: 10, spawnRate: 2, durationSec: 30 },
    );
    expect(plan.workload).toEqual({ type: "constant-vus", vus: 10, durationSec: 30, spawnRate: 2 });
    expect(plan.scenarios).toHaveLength(1);
    expect(plan.scenarios[0]!.steps).toEqual([
      { type: "request", name: "home", method: "GET", url: "/", timeoutMs: 60_000, checks: [], extract: [] },
      { type: "request", method: "POST", url: "/buy", body: { raw: "{}" }, timeoutMs: 60_000, checks: [], extract: [] },
    ]);
  });
});

describe("scaleExecutor", () => {
  it("gives a worker its fraction of VUs, rates and iterations, and keeps durations", () => {
    expect(scaleExecutor({ type: "constant-vus", vus: 10, durationSec: 5 }, 0.5)).toEqual({ type: "constant-vus", vus: 5, durationSec: 5 });
    expect(
      scaleExecutor({ type: "constant-arrival-rate", rate: 300, timeUnitSec: 1, durationSec: 5, preAllocatedVUs: 10, maxVUs: 40 }, 0.25),
    ).toEqual({
      type: "constant-arrival-rate",
      rate: 75,
      timeUnitSec: 1,
      durationSec: 5,
      preAllocatedVUs: 3,
      maxVUs: 10,
    });
    expect(scaleExecutor({ type: "shared-iterations", vus: 4, iterations: 1000, maxDurationSec: 60 }, 0.5)).toMatchObject({
      vus: 2,
      iterations: 500,
    });
  });
  it("keeps at least one VU", () => {
    expect(scaleExecutor({ type: "per-vu-iterations", vus: 1, iterations: 3, maxDurationSec: 60 }, 0.1)).toMatchObject({ vus: 1 });
  });
  it("returns the executor itself at fraction 1", () => {
    const e: Executor = { type: "ramping-vus", startVUs: 0, stages: [{ durationSec: 10, target: 5 }] };
    expect(scaleExecutor(e, 1)).toBe(e);
  });
});

describe("executor bounds", () => {
  it("knows each executor's duration and peak VUs", () => {
    const ramp: Executor = {
      type: "ramping-vus",
      startVUs: 2,
      stages: [
        { durationSec: 10, target: 20 },
        { durationSec: 5, target: 0 },
      ],
    };
    expect(executorDurationSec(ramp)).toBe(15);
    expect(executorMaxVUs(ramp)).toBe(20);
    expect(executorMaxVUs({ type: "constant-arrival-rate", rate: 1, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 5 })).toBe(5);
    // What holds connections from the start: a ramp's first VUs, an open executor's pre-allocated ones.
    expect(executorStartVUs(ramp)).toBe(2);
    expect(
      executorStartVUs({ type: "constant-arrival-rate", rate: 1, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 5, maxVUs: 50 }),
    ).toBe(5);
    expect(executorStartVUs({ type: "constant-vus", vus: 7, durationSec: 1 })).toBe(7);
  });
});
