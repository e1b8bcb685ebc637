import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startSecondTicker } from "./second-ticker.ts";

// A fake clock: the ticker reads Date.now() and arms setTimeout, so the test moves both itself
// and every tick lands exactly where the ticker aims it, however busy the machine is.
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0); // a whole second, epoch ms
const s0 = T0 / 1000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: T0 + 300 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("startSecondTicker", () => {
  it("ticks just after each second boundary, with that second", () => {
    const ticks: { second: number; ms: number }[] = [];
    const ticker = startSecondTicker((second) => ticks.push({ second, ms: Date.now() % 1000 }));
    vi.advanceTimersByTime(704); // 4 ms past the boundary: not yet
    expect(ticks).toEqual([]);
    vi.advanceTimersByTime(1); // 5 ms past it
    expect(ticks).toEqual([{ second: s0 + 1, ms: 5 }]);
    vi.advanceTimersByTime(1400); // T0 + 2.4 s
    expect(ticks).toEqual([
      { second: s0 + 1, ms: 5 },
      { second: s0 + 2, ms: 5 },
    ]);
    ticker.stop();
    vi.advanceTimersByTime(3000);
    expect(ticks).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("re-arms from the clock: a late tick is late, the next one is on time again", () => {
    const ticks: { second: number; ms: number }[] = [];
    const ticker = startSecondTicker((second) => ticks.push({ second, ms: Date.now() % 1000 }));
    // The process stalls for 400 ms just before the tick is due: the wall clock moves on, the timer has not fired yet.
    vi.advanceTimersByTime(690);
    vi.setSystemTime(Date.now() + 400);
    vi.advanceTimersByTime(15); // the timer fires when due, 400 ms late by the clock
    expect(ticks).toEqual([{ second: s0 + 1, ms: 405 }]);
    vi.advanceTimersByTime(600); // 5 ms past the next boundary: no drift carried over
    expect(ticks).toEqual([
      { second: s0 + 1, ms: 405 },
      { second: s0 + 2, ms: 5 },
    ]);
    ticker.stop();
  });
});
