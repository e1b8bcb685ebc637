import { describe, expect, it } from "vitest";
import { GENERATOR_BOUNDS, generatorSaturated, mergeGeneratorHealth } from "./generator-health.ts";
import type { GeneratorHealth } from "./schemas/metrics.ts";

const quiet: GeneratorHealth = { loopDelayP99Ms: 1.2, loopDelayMaxMs: 3, gcPauseMs: 0.4, busy: 0.2, saturated: false };

describe("generatorSaturated", () => {
  it("holds a quiet second unsaturated, and flags each bound passed on its own", () => {
    expect(generatorSaturated(quiet)).toBe(false);
    expect(generatorSaturated({ ...quiet, timerSlipP99Ms: GENERATOR_BOUNDS.timerSlipP99Ms })).toBe(false);
    expect(generatorSaturated({ ...quiet, timerSlipP99Ms: GENERATOR_BOUNDS.timerSlipP99Ms + 0.1 })).toBe(true);
    expect(generatorSaturated({ ...quiet, loopDelayP99Ms: GENERATOR_BOUNDS.loopDelayP99Ms + 0.1 })).toBe(true);
    expect(generatorSaturated({ ...quiet, busy: 0.99 })).toBe(true);
    // A long maximum or a GC pause alone is on record, not a saturation: one stall is not the second.
    expect(generatorSaturated({ ...quiet, loopDelayMaxMs: 400, gcPauseMs: 30 })).toBe(false);
  });
});

describe("mergeGeneratorHealth", () => {
  it("keeps one thread's figures, and takes the worst of several, saturated when any was", () => {
    expect(mergeGeneratorHealth([])).toBeUndefined();
    expect(mergeGeneratorHealth([quiet])).toBe(quiet);
    const busy: GeneratorHealth = {
      loopDelayP99Ms: 80,
      loopDelayMaxMs: 120,
      timerSlipP99Ms: 30,
      timerSlipMaxMs: 90,
      gcPauseMs: 2,
      busy: 0.99,
      saturated: true,
    };
    expect(mergeGeneratorHealth([quiet, busy])).toEqual({
      loopDelayP99Ms: 80,
      loopDelayMaxMs: 120,
      timerSlipP99Ms: 30,
      timerSlipMaxMs: 90,
      gcPauseMs: 2,
      busy: 0.99,
      saturated: true,
    });
    expect(mergeGeneratorHealth([quiet, { ...quiet, busy: 0.5 }])).toEqual({ ...quiet, busy: 0.5 });
  });
});
