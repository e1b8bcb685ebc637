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

  it("scales the line: a ramp ×2 adds a VU twice as often, a constant count is rounded", () => {
    const ramp = { type: "ramping-vus" as const, startVUs: 0, stages: [{ durationSec: 10, target: 10 }] };
    const t = [...vuTimeline(ramp, 2)];
    expect(t.slice(0, 3)).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 500, vus: 1 },
      { atMs: 1000, vus: 2 },
    ]);
    expect(t.at(-2)).toEqual({ atMs: 10_000, vus: 20 });
    expect(t.at(-1)).toEqual({ atMs: 10_000, vus: 0 });
    expect(timeline({ type: "constant-vus", vus: 3, durationSec: 5 }).length).toBe(2);
    expect([...vuTimeline({ type: "constant-vus", vus: 3, durationSec: 5 }, 1.5)]).toEqual([
      { atMs: 0, vus: 5 }, // 4.5, rounded
      { atMs: 5000, vus: 0 },
    ]);
    // A spawn rate ×2 reaches twice the VUs at the same moment.
    const spawned = [...vuTimeline({ type: "constant-vus", vus: 10, durationSec: 60, spawnRate: 2 }, 2)];
    expect(spawned.at(-2)).toEqual({ atMs: 4500, vus: 20 });
    // Float noise does not move a count: 10 × 0.3 is 3.0000000000000004.
    expect(vusAt({ type: "constant-vus", vus: 10, durationSec: 5 }, 0, 0.3)).toBe(3);
  });

  it("starts a scaled timeline mid-run at the count it has then, and goes on as the full one does", () => {
    const e = {
      type: "ramping-vus" as const,
      startVUs: 3,
      stages: [
        { durationSec: 3, target: 17 },
        { durationSec: 2, target: 17 },
        { durationSec: 4, target: 2 },
        { durationSec: 1, target: 9 },
      ],
    };
    for (const factor of [1, 0.5, 1.37, 2, 3]) {
      const full = [...vuTimeline(e, factor)];
      const replay = (ms: number) => full.filter((c) => c.atMs <= ms).at(-1)!.vus;
      for (let ms = 0; ms <= 10_500; ms += 37) {
        const from = [...vuTimeline(e, factor, ms)];
        expect(from[0], `×${factor} at ${ms} ms`).toEqual({ atMs: Math.min(ms, 10_000), vus: replay(ms) });
        // The rest is the full timeline's changes after `ms`.
        expect(from.slice(1), `×${factor} at ${ms} ms`).toEqual(full.filter((c) => c.atMs > ms));
      }
    }
  });

  it("counts every VU of the scaled ramp once each way", () => {
    const e = {
      type: "ramping-vus" as const,
      startVUs: 0,
      stages: [
        { durationSec: 2, target: 7 },
        { durationSec: 2, target: 0 },
      ],
    };
    const t = [...vuTimeline(e, 3)];
    const counts = t.map((c) => c.vus);
    expect(Math.max(...counts)).toBe(21);
    // Up by one at a time to 21, then down by one at a time to 0; then the end.
    expect(counts).toEqual([...Array.from({ length: 22 }, (_, i) => i), ...Array.from({ length: 21 }, (_, i) => 20 - i), 0]);
    expect(t.at(-1)).toEqual({ atMs: 4000, vus: 0 });
    expect(t).toEqual([...t].sort((a, b) => a.atMs - b.atMs));
  });
});
