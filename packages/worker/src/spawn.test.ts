import { describe, expect, it } from "vitest";
import { Spawner, startOffsetMs, usersDue } from "./spawn.ts";

describe("usersDue", () => {
  it("starts the first user at once and the rest evenly spaced", () => {
    expect(usersDue(0, 10, 2)).toBe(1);
    expect(usersDue(499, 10, 2)).toBe(1);
    expect(usersDue(500, 10, 2)).toBe(2);
    expect(usersDue(4500, 10, 2)).toBe(10);
    expect(usersDue(60_000, 10, 2)).toBe(10);
  });

  it("starts many users per millisecond at a high rate", () => {
    expect(usersDue(1, 1000, 100_000)).toBe(101);
  });

  it("starts nobody for zero users or before the start", () => {
    expect(usersDue(1000, 0, 5)).toBe(0);
    expect(usersDue(-1, 5, 5)).toBe(0);
  });

  it("gives each user's offset", () => {
    expect(startOffsetMs(0, 4)).toBe(0);
    expect(startOffsetMs(3, 4)).toBe(750);
  });
});

describe("Spawner", () => {
  it("starts every user, in order, at the given rate", async () => {
    const starts: { index: number; at: number }[] = [];
    const t0 = performance.now();
    const spawner = new Spawner(5, 50, (index) => starts.push({ index, at: performance.now() - t0 }));
    spawner.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(starts.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(starts[0]!.at).toBeLessThan(10);
    // 20 ms apart: the last one is due at 80 ms.
    expect(starts[4]!.at).toBeGreaterThanOrEqual(79);
  });

  it("starts nobody more once cancelled", async () => {
    const started: number[] = [];
    const spawner = new Spawner(100, 20, (i) => started.push(i));
    spawner.start();
    spawner.cancel();
    await new Promise((r) => setTimeout(r, 120));
    expect(started).toEqual([0]);
    expect(spawner.started).toBe(1);
  });
});
