import { DEFAULT_PRICE_MODEL, type RunView } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { costOfRun } from "./run-cost.ts";

const base = {
  id: "r1",
  status: "Completed",
  startedAt: "2026-01-01T00:00:01.000Z",
  finishedAt: "2026-01-01T00:01:00.000Z",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:01:02.000Z",
  gaps: [],
  workers: [
    { workerId: "a", lanes: [0], vus: 5, arrivalRate: 0, state: "stopped", assignedAt: "2026-01-01T00:00:00.000Z", vcpus: 2 },
    { workerId: "b", lanes: [1], vus: 5, arrivalRate: 0, state: "stopped", assignedAt: "2026-01-01T00:00:30.000Z", vcpus: 4 },
  ],
} as unknown as RunView;
const totals = { requests: 1000, bytesIn: 600_000, bytesOut: 400_000, iterations: 100 };

describe("costOfRun", () => {
  it("prices the measured totals and each worker's vCPUs from its assignment to the load's end", () => {
    const cost = costOfRun(base, totals, DEFAULT_PRICE_MODEL, 0);
    expect(cost.usage).toEqual({ vcpuSeconds: 2 * 60 + 4 * 30, egressBytes: 1_000_000, requests: 1000, iterations: 100, estimated: false });
    expect(cost.breakdown.compute).toBeCloseTo((240 / 3600) * 0.04, 6);
    expect(cost.breakdown.egress).toBeCloseTo(0.001 * 0.09, 6);
  });

  it("counts a live run's workers until now, and an old run's workers as 1 vCPU, estimated", () => {
    const live = { ...base, status: "Running", finishedAt: null, workers: base.workers.map(({ vcpus: _, ...w }) => w) } as RunView;
    const cost = costOfRun(live, totals, DEFAULT_PRICE_MODEL, Date.parse("2026-01-01T00:00:40.000Z"));
    expect(cost.usage.vcpuSeconds).toBe(40 + 10);
    expect(cost.usage.estimated).toBe(true);
  });
});
