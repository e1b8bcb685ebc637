import { describe, expect, it } from "vitest";
import { droppedLate, GENERATOR_BOUNDS, generatorSaturated, mergeGeneratorHealth } from "./generator-health.ts";
import type { GeneratorHealth } from "./schemas/metrics.ts";

const quiet: GeneratorHealth = { loopDelayP95Ms: 1.2, loopDelayMaxMs: 3, gcPauseMs: 0.4, busy: 0.2, saturated: false };

describe("generatorSaturated", () => {
  it("holds a quiet second unsaturated, and flags each bound passed on its own", () => {
    expect(generatorSaturated(quiet)).toBe(false);
    expect(generatorSaturated({ ...quiet, timerSlipP95Ms: GENERATOR_BOUNDS.timerSlipP95Ms })).toBe(false);
    expect(generatorSaturated({ ...quiet, timerSlipP95Ms: GENERATOR_BOUNDS.timerSlipP95Ms + 0.1 })).toBe(true);
    // Late all the time, by less than the p95's bound: a generator short of CPU.
    expect(generatorSaturated({ ...quiet, timerSlipP50Ms: GENERATOR_BOUNDS.timerSlipP50Ms, timerSlipP95Ms: 30 })).toBe(false);
    expect(generatorSaturated({ ...quiet, timerSlipP50Ms: GENERATOR_BOUNDS.timerSlipP50Ms + 0.1, timerSlipP95Ms: 30 })).toBe(true);
    expect(generatorSaturated({ ...quiet, loopDelayP95Ms: GENERATOR_BOUNDS.loopDelayP95Ms + 0.1 })).toBe(true);
    // A long maximum or a GC pause alone is on record, not a saturation: one stall is not the second;
    // nor is a thread busy throughout (an open executor's polling reads so at a few hundred arrivals/s).
    expect(generatorSaturated({ ...quiet, loopDelayMaxMs: 400, gcPauseMs: 30, busy: 1 })).toBe(false);
  });

  it("flags a second whose drops came late, a quarter of them or more, however quiet its percentiles", () => {
    expect(droppedLate(GENERATOR_BOUNDS.droppedLateMs - 0.1)).toBe(false);
    expect(droppedLate(GENERATOR_BOUNDS.droppedLateMs)).toBe(true);
    const second = { ...quiet, timerSlipP95Ms: 12 };
    // A generator short of CPU: its drops are the arrivals its lateness held back.
    expect(generatorSaturated(second, { dropped: 400, late: 380 })).toBe(true);
    expect(generatorSaturated(second, { dropped: 4, late: 1 })).toBe(true);
    // A slow target's drops start on time: the second is the target's, a stall's few late ones included.
    expect(generatorSaturated(second, { dropped: 1200, late: 0 })).toBe(false);
    expect(generatorSaturated(second, { dropped: 1200, late: 60 })).toBe(false);
    expect(generatorSaturated(second, { dropped: 4, late: 0 })).toBe(false);
  });
});

describe("generatorSaturated against the target's own time", () => {
  const b = GENERATOR_BOUNDS;
  const late = { ...quiet, timerSlipP50Ms: 0.1, timerSlipP95Ms: b.timerSlipOverServiceMs + 2 };
  const second = { dropped: 0, late: 0, iterations: b.slipAgainstServiceMinIterations };

  it("flags a second whose slip p95 passed the bound and the target's own service-time p95", () => {
    // Half its thread taken, the generator catches its backlog up: nothing dropped, one start in twenty 7 ms late
    // against a target answering in 0.4 ms at the p95.
    expect(generatorSaturated(late, { ...second, serviceP95Ms: 0.4 })).toBe(true);
  });

  it("leaves it to the target when the target took longer, to a light second's few starts, and under the bound", () => {
    // A slow target: its own time is longer than the generator's lateness.
    expect(generatorSaturated(late, { ...second, serviceP95Ms: late.timerSlipP95Ms })).toBe(false);
    // Too few starts for a p95: one stall of a loaded host would be it.
    expect(generatorSaturated(late, { ...second, iterations: b.slipAgainstServiceMinIterations - 1, serviceP95Ms: 0.4 })).toBe(false);
    // Under the bound, however fast the target.
    expect(generatorSaturated({ ...late, timerSlipP95Ms: b.timerSlipOverServiceMs }, { ...second, serviceP95Ms: 0.01 })).toBe(false);
    // No request timed (a second without requests), or no open executor (no slip): nothing to set against.
    expect(generatorSaturated(late, second)).toBe(false);
    expect(generatorSaturated(quiet, { ...second, serviceP95Ms: 0.01 })).toBe(false);
  });
});

describe("mergeGeneratorHealth", () => {
  it("keeps one thread's figures, and takes the worst of several, saturated when any was", () => {
    expect(mergeGeneratorHealth([])).toBeUndefined();
    expect(mergeGeneratorHealth([quiet])).toBe(quiet);
    const busy: GeneratorHealth = {
      loopDelayP95Ms: 80,
      loopDelayMaxMs: 120,
      timerSlipP95Ms: 30,
      timerSlipMaxMs: 90,
      gcPauseMs: 2,
      busy: 0.99,
      saturated: true,
    };
    expect(mergeGeneratorHealth([quiet, busy])).toEqual({
      loopDelayP95Ms: 80,
      loopDelayMaxMs: 120,
      timerSlipP95Ms: 30,
      timerSlipMaxMs: 90,
      gcPauseMs: 2,
      busy: 0.99,
      saturated: true,
    });
    expect(mergeGeneratorHealth([quiet, { ...quiet, busy: 0.5 }])).toEqual({ ...quiet, busy: 0.5 });
  });
});
