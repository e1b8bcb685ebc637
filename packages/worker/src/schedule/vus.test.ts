import { describe, expect, it } from "vitest";
import { type VuChange, vusAt, vuTimeline } from "./vus.ts";

const timeline = (e: Parameters<typeof vuTimeline>[0]): VuChange[] => [...vuTimeline(e)];

describe("vuTimeline", () => {
  it("starts constant VUs all at once without a spawn rate, and ends them at the duration", () => {
    expect(timeline({ type: "constant-vus", vus: 4, durationSec: 10 })).toEqual([
      { atMs: 0, vus: 4 },
      { atMs: 10_000, vus: 0 },
    ]);
  });

  it("spawns constant VUs evenly at the spawn rate, the first at once", () => {
    const t = timeline({ type: "constant-vus", vus: 10, durationSec: 60, spawnRate: 2 });
    expect(t.slice(0, 3)).toEqual([
      { atMs: 0, vus: 1 },
      { atMs: 500, vus: 2 },
      { atMs: 1000, vus: 3 },
    ]);
    expect(t.at(-2)).toEqual({ atMs: 4500, vus: 10 });
    expect(t.at(-1)).toEqual({ atMs: 60_000, vus: 0 });
  });

  it("ramps VUs up and down along the stages, changing when the line crosses a whole number", () => {
    const e = {
      type: "ramping-vus" as const,
      startVUs: 2,
      stages: [
        { durationSec: 4, target: 10 }, // +1 every 0.5 s
        { durationSec: 2, target: 10 },
        { durationSec: 2, target: 6 }, // -1 every 0.5 s
      ],
    };
    expect(vusAt(e, 0)).toBe(2);
    expect(vusAt(e, 499)).toBe(2);
    expect(vusAt(e, 500)).toBe(3);
    expect(vusAt(e, 2000)).toBe(6);
    expect(vusAt(e, 4000)).toBe(10);
    expect(vusAt(e, 5999)).toBe(10);
    expect(vusAt(e, 6499)).toBe(10);
    expect(vusAt(e, 6500)).toBe(9);
    expect(vusAt(e, 7999)).toBe(7);
    expect(vusAt(e, 8000)).toBe(0); // over
    const t = timeline(e);
    expect(t.filter((c) => c.atMs > 0 && c.atMs <= 4000)).toHaveLength(8);
    expect(t).toEqual([...t].sort((a, b) => a.atMs - b.atMs));
  });

  it("ramps from zero: the first VU comes when the line reaches one", () => {
    const e = { type: "ramping-vus" as const, startVUs: 0, stages: [{ durationSec: 10, target: 10 }] };
    expect(vusAt(e, 999)).toBe(0);
    expect(vusAt(e, 1000)).toBe(1);
    expect(vusAt(e, 9999)).toBe(9);
  });
});
