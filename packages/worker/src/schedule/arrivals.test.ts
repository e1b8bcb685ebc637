import { describe, expect, it } from "vitest";
import { ArrivalSchedule, arrivalCount, type RateSegment, rateSegments } from "./arrivals.ts";

const times = (segments: RateSegment[], lane?: { index: number; count: number }): number[] => {
  const schedule = new ArrivalSchedule(segments, lane);
  const out: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) out.push(t);
  return out;
};

describe("rateSegments", () => {
  it("turns a constant rate per time unit into iterations per second", () => {
    expect(rateSegments({ type: "constant-arrival-rate", rate: 30, timeUnitSec: 60, durationSec: 120, preAllocatedVUs: 1 })).toEqual([
      { durationSec: 120, from: 0.5, to: 0.5 },
    ]);
  });

  it("chains the stages of a ramp from the start rate", () => {
    expect(
      rateSegments({
        type: "ramping-arrival-rate",
        startRate: 2,
        timeUnitSec: 1,
        stages: [
          { durationSec: 10, target: 20 },
          { durationSec: 5, target: 20 },
          { durationSec: 5, target: 0 },
        ],
        preAllocatedVUs: 1,
      }),
    ).toEqual([
      { durationSec: 10, from: 2, to: 20 },
      { durationSec: 5, from: 20, to: 20 },
      { durationSec: 5, from: 20, to: 0 },
    ]);
  });
});

describe("ArrivalSchedule", () => {
  it("spaces a constant rate exactly, the first at once and none at the end", () => {
    const t = times([{ durationSec: 3, from: 200, to: 200 }]);
    expect(t).toHaveLength(600);
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo(5, 9);
    expect(t[599]).toBeCloseTo(2995, 9);
    // Computed, not accumulated: the 500th is exactly where it should be.
    expect(t[500]).toBeCloseTo(2500, 9);
  });

  it("handles a rate below one per second", () => {
    expect(times([{ durationSec: 10, from: 0.25, to: 0.25 }])).toEqual([0, 4000, 8000]);
  });

  it("follows a linear ramp: iteration i is due when the integral of the rate reaches i", () => {
    // 0 → 10/s over 10 s: N(t) = t²/2, so iteration i is due at √(2i) s, 50 in all.
    const t = times([{ durationSec: 10, from: 0, to: 10 }]);
    expect(t).toHaveLength(50);
    expect(t[2]).toBeCloseTo(2000, 6);
    expect(t[8]).toBeCloseTo(4000, 6);
    expect(t[49]).toBeCloseTo(Math.sqrt(98) * 1000, 6);
  });

  it("ramps down and continues through later stages without drift", () => {
    // 10 → 0 over 2 s (10 arrivals), nothing for 1 s, then 4/s for 1 s.
    const t = times([
      { durationSec: 2, from: 10, to: 0 },
      { durationSec: 1, from: 0, to: 0 },
      { durationSec: 1, from: 4, to: 4 },
    ]);
    expect(t.filter((x) => x < 2000)).toHaveLength(10);
    // The 11th is due when the integral reaches 10: at 2 s, where the ramp ends; then none while the rate is 0.
    expect(t.filter((x) => x >= 2000 && x < 3000).map((x) => Math.round(x))).toEqual([2000]);
    expect(t.filter((x) => x >= 3000).map((x) => Math.round(x))).toEqual([3250, 3500, 3750]);
    expect(t).toEqual([...t].sort((a, b) => a - b));
  });

  it("splits into lanes that take every n-th iteration, exactly", () => {
    const segments = [{ durationSec: 2, from: 7, to: 31 }];
    const whole = times(segments);
    const lanes = [0, 1, 2].map((index) => times(segments, { index, count: 3 }));
    expect(lanes.reduce((n, l) => n + l.length, 0)).toBe(whole.length);
    expect(lanes[1]).toEqual(whole.filter((_, i) => i % 3 === 1));
    expect(arrivalCount(segments, { index: 2, count: 3 })).toBe(lanes[2]!.length);
  });
});
