import { describe, expect, it } from "vitest";
import { locustSchedule, stepAt } from "./locust-schedule.ts";

describe("locustSchedule", () => {
  it("holds a constant-vus workload's users, cut to the lanes as lanes cut VUs, its spawn rate in proportion", () => {
    const e = { type: "constant-vus" as const, vus: 10, spawnRate: 5, durationSec: 30 };
    expect(locustSchedule(e, [0], 1)).toEqual({ steps: [{ atMs: 0, users: 10, rate: 5 }], endMs: 30_000 });
    // Lanes 0 and 2 of 4 hold VUs 0, 4, 8 and 2, 6: five of ten.
    expect(locustSchedule(e, [0, 2], 4).steps).toEqual([{ atMs: 0, users: 5, rate: 2.5 }]);
    // Lane 1 of 4 holds VUs 1, 5, 9: spawned at once.
    expect(locustSchedule({ ...e, spawnRate: undefined }, [1], 4).steps).toEqual([{ atMs: 0, users: 3, rate: 3 }]);
  });

  it("ramps a ramping-vus workload linearly over each stage: a spawn rate of the change over the stage's duration", () => {
    const e = {
      type: "ramping-vus" as const,
      startVUs: 2,
      stages: [
        { durationSec: 10, target: 12 },
        { durationSec: 5, target: 12 },
        { durationSec: 4, target: 0 },
      ],
    };
    const s = locustSchedule(e, [0], 1);
    expect(s).toEqual({
      steps: [
        { atMs: 0, users: 2, rate: 2 },
        { atMs: 0, users: 12, rate: 1 },
        { atMs: 15_000, users: 0, rate: 3 },
      ],
      endMs: 19_000,
    });
    expect(stepAt(s, 14_999)).toEqual({ atMs: 0, users: 12, rate: 1 });
    expect(stepAt(s, 15_000).users).toBe(0);
  });

  it("refuses the executors Locust cannot run", () => {
    expect(() => locustSchedule({ type: "per-vu-iterations", vus: 1, iterations: 1, maxDurationSec: 10 }, [0], 1)).toThrow(
      /per-vu-iterations/,
    );
  });
});
