import { describe, expect, it } from "vitest";
import type { WorkerRegistration } from "@loadline/core";
import { planRun, splitProportionally } from "./planner.ts";

const worker = (workerId: string, maxUsers: number, runs: string[] = []): WorkerRegistration => ({
  workerId,
  version: "0.1.0",
  capacity: { maxUsers },
  labels: {},
  startedAt: "2026-01-01T00:00:00Z",
  heartbeatAt: "2026-01-01T00:00:00Z",
  runs,
});

describe("planRun", () => {
  it("fails with a reason when no worker is live", () => {
    expect(planRun([], { targetUsers: 10, spawnRate: 1 })).toEqual({ ok: false, reason: "no live worker to run the load" });
  });

  it("gives the whole run to the least busy worker that can hold it", () => {
    const plan = planRun([worker("busy", 100, ["r1"]), worker("idle", 100)], { targetUsers: 10, spawnRate: 2 });
    expect(plan).toEqual({ ok: true, assignments: [{ workerId: "idle", users: 10, spawnRate: 2, fraction: 1 }] });
  });

  it("splits across workers in proportion to capacity when none holds it alone", () => {
    const plan = planRun([worker("a", 300), worker("b", 100)], { targetUsers: 400, spawnRate: 40 });
    expect(plan).toEqual({
      ok: true,
      assignments: [
        { workerId: "a", users: 300, spawnRate: 30, fraction: 0.75 },
        { workerId: "b", users: 100, spawnRate: 10, fraction: 0.25 },
      ],
    });
  });

  it("fails when the fleet's capacity is short", () => {
    const plan = planRun([worker("a", 5), worker("b", 5)], { targetUsers: 11, spawnRate: 1 });
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toMatch(/capacity is short: 11 users asked, 10 available/);
  });
});

describe("splitProportionally", () => {
  it("always sums to the total", () => {
    for (const total of [1, 7, 10, 99, 1000]) {
      expect(splitProportionally(total, [1, 1, 1]).reduce((a, b) => a + b, 0)).toBe(total);
      expect(splitProportionally(total, [5, 3, 2, 7]).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
  it("gives the remainders to the largest fractions", () => {
    expect(splitProportionally(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });
});
