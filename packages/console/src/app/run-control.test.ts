import { describe, expect, it } from "vitest";
import { controlFactors, controlText, currentSize, newerRun, scaleModelsOf } from "./run-control.ts";
import type { RunView } from "./types.ts";

describe("scaleModelsOf", () => {
  it("is VUs for a test without a workload (constant VUs from the run's users)", () => {
    expect(scaleModelsOf({ scenarios: null, workload: null })).toEqual({ vus: true, rate: false });
    expect(scaleModelsOf({ scenarios: [{ name: "a", steps: [] }], workload: null })).toEqual({ vus: true, rate: false });
  });

  it("follows the shared workload and each scenario's own executor", () => {
    const open = { type: "constant-arrival-rate", rate: 10, timeUnitSec: 1, durationSec: 60 };
    const closed = { type: "ramping-vus", startVUs: 0, stages: [] };
    expect(scaleModelsOf({ scenarios: null, workload: open })).toEqual({ vus: false, rate: true });
    expect(scaleModelsOf({ scenarios: [{ executor: open }, { executor: closed }], workload: null })).toEqual({ vus: true, rate: true });
    // Every scenario has its own: the shared workload is not run.
    expect(scaleModelsOf({ scenarios: [{ executor: open }], workload: closed })).toEqual({ vus: false, rate: true });
    // One without: it runs the shared workload.
    expect(scaleModelsOf({ scenarios: [{ executor: open }, {}], workload: closed })).toEqual({ vus: true, rate: true });
  });

  it("offers both when the test is not known", () => {
    expect(scaleModelsOf(null)).toEqual({ vus: true, rate: true });
  });
});

describe("the control's words", () => {
  it("says what each control did", () => {
    expect(controlText({ type: "paused", at: "", by: "k" })).toBe("paused");
    expect(controlText({ type: "resumed", at: "", by: "k" })).toBe("resumed");
    expect(controlText({ type: "scaled", at: "", by: "k", vus: 12 })).toBe("scaled to 12 VUs");
    expect(controlText({ type: "scaled", at: "", by: "k", rate: 40 })).toBe("scaled to 40.0/s");
    expect(controlText({ type: "scaled", at: "", by: "k", vus: 3, rate: 250 })).toBe("scaled to 3 VUs, 250/s");
  });

  it("gives a scale's factors of the plan, when they are not 1", () => {
    expect(controlFactors({ type: "scaled", at: "", by: "k", vus: 12, vuFactor: 2, rateFactor: 1 })).toBe("×2 VUs");
    expect(controlFactors({ type: "scaled", at: "", by: "k", rate: 5, vuFactor: 1, rateFactor: 0.333333 })).toBe("×0.33 rate");
    expect(controlFactors({ type: "scaled", at: "", by: "k", vus: 4, vuFactor: 1 })).toBe("");
    expect(controlFactors({ type: "paused", at: "", by: "k" })).toBe("");
  });

  it("knows the run's size from its last scales", () => {
    expect(currentSize({ targetUsers: 6, controls: [] })).toEqual({ vus: 6, rate: null });
    expect(
      currentSize({
        targetUsers: 6,
        controls: [
          { type: "scaled", at: "", by: "k", vus: 9 },
          { type: "paused", at: "", by: "k" },
          { type: "scaled", at: "", by: "k", rate: 20 },
        ],
      }),
    ).toEqual({ vus: 9, rate: 20 });
  });
});

describe("newerRun", () => {
  const run = (version: number, extra: Partial<RunView> = {}) => ({ id: "r", version, ...extra }) as RunView;
  it("keeps the higher version, and takes the incoming one on a tie", () => {
    const v3 = run(3);
    expect(newerRun(null, v3)).toBe(v3);
    expect(newerRun(v3, run(2))).toBe(v3);
    const v4 = run(4, { pausedAt: "2026-01-01T00:00:00.000Z" });
    expect(newerRun(v3, v4)).toBe(v4);
    const requeued = run(3, { queue: { position: 1, queuedAt: "", expiresAt: "", reason: "" } });
    expect(newerRun(v3, requeued)).toBe(requeued);
  });
});
