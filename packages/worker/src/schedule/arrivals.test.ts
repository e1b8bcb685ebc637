import { describe, expect, it } from "vitest";
import { ArrivalSchedule, arrivalCount, type RateSegment, rateSegments, scaledSegments, segmentsMs } from "./arrivals.ts";

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

  it("passes over the iterations due before an instant as taking them one by one would", () => {
    const segments = [
      { durationSec: 3, from: 0, to: 90 },
      { durationSec: 4, from: 90, to: 90 },
    ];
    for (const lane of [undefined, { index: 2, count: 5 }]) {
      const all = times(segments, lane);
      for (const ms of [0, 1, 999.5, 1500, 2999, 3000, 4321.7, 6999, 7000]) {
        const schedule = new ArrivalSchedule(segments, lane);
        schedule.skipBefore(ms);
        let t = schedule.next();
        while (t !== undefined && t < ms) t = schedule.next();
        expect(t, `${ms} ms`).toBe(all.find((x) => x >= ms));
      }
    }
  });
});

describe("scaledSegments", () => {
  it("multiplies the rate from each change's instant on, splitting the segment it falls in", () => {
    const ramp = [{ durationSec: 4, from: 0, to: 40 }];
    expect(scaledSegments(ramp, [])).toEqual(ramp);
    expect(
      scaledSegments(ramp, [
        { atMs: 1000, factor: 2 },
        { atMs: 3000, factor: 0.5 },
      ]),
    ).toEqual([
      { durationSec: 1, from: 0, to: 10 },
      { durationSec: 2, from: 20, to: 60 },
      { durationSec: 1, from: 15, to: 20 },
    ]);
    expect(segmentsMs(scaledSegments(ramp, [{ atMs: 1000, factor: 2 }]))).toBe(4000);
  });

  it("keeps the schedule exact across a scale: the count is the integral of the scaled rate, the lanes an exact cut", () => {
    // 100/s for 1 s, then ×2: 200/s for 2 s. 100 + 400 arrivals; spaced 10 ms, then 5 ms, with no gap nor repeat at the change.
    const segments = scaledSegments([{ durationSec: 3, from: 100, to: 100 }], [{ atMs: 1000, factor: 2 }]);
    const t = times(segments);
    expect(t).toHaveLength(500);
    expect(t.filter((x) => x < 1000)).toHaveLength(100);
    expect(t[99]).toBeCloseTo(990, 6);
    expect(t[100]).toBeCloseTo(1000, 6);
    expect(t[101]).toBeCloseTo(1005, 6);
    expect(t[499]).toBeCloseTo(2995, 6);
    const lanes = [0, 1, 2, 3].map((index) => times(segments, { index, count: 4 }));
    expect(lanes.flat().sort((a, b) => a - b)).toEqual(t);
  });

  it("rebuilt mid-run from the iteration it was at, goes on as one built with the change from the start", () => {
    const plan = [{ durationSec: 5, from: 20, to: 80 }];
    const lane = { index: 1, count: 3 };
    const before = new ArrivalSchedule(plan, lane);
    let due = before.next()!;
    while (due < 2000) due = before.next()!;
    // At 2 s a ×1.5 from 2.5 s on comes: the pending iteration (due after 2 s) is the one the new schedule starts at.
    const changed = scaledSegments(plan, [{ atMs: 2500, factor: 1.5 }]);
    const after = new ArrivalSchedule(changed, lane, before.upcomingIndex - lane.count);
    const rest: number[] = [];
    for (let x = after.next(); x !== undefined; x = after.next()) rest.push(x);
    expect(rest).toEqual(times(changed, lane).filter((x) => x >= 2000));
  });
});
