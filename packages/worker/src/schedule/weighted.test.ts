import { globalItem, laneShare } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { LanePicks, PickSequence, SmoothWeightedRoundRobin } from "./weighted.ts";

const tally = (picks: number[], n: number) => Array.from({ length: n }, (_, i) => picks.filter((p) => p === i).length);

describe("SmoothWeightedRoundRobin", () => {
  it("gives exact shares, interleaved", () => {
    const swrr = new SmoothWeightedRoundRobin([3, 1]);
    const picks = Array.from({ length: 8 }, () => swrr.next());
    expect(picks).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(tally(picks, 2)).toEqual([6, 2]);
  });

  it("keeps every prefix within one pick of its share, for any weights", () => {
    const weights = [5, 2, 0.5, 2.5];
    const total = weights.reduce((a, b) => a + b);
    const swrr = new SmoothWeightedRoundRobin(weights);
    const counts = [0, 0, 0, 0];
    for (let n = 1; n <= 1000; n++) {
      counts[swrr.next()]!++;
      for (const [i, c] of counts.entries()) expect(Math.abs(c - (n * weights[i]!) / total)).toBeLessThan(1);
    }
  });

  it("refuses no weights or a weight that is not positive", () => {
    expect(() => new SmoothWeightedRoundRobin([])).toThrow();
    expect(() => new SmoothWeightedRoundRobin([1, 0])).toThrow();
  });
});

describe("lanes", () => {
  it("split any count exactly, every thread getting its share within one", () => {
    for (const total of [0, 1, 2, 5, 7, 100, 1001]) {
      for (const count of [1, 2, 3, 4, 8]) {
        const shares = Array.from({ length: count }, (_, index) => laneShare(total, { index, count }));
        expect(shares.reduce((a, b) => a + b)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("number items across lanes without overlap", () => {
    const seen = new Set<number>();
    for (let index = 0; index < 3; index++)
      for (let m = 0; m < laneShare(10, { index, count: 3 }); m++) seen.add(globalItem(m, { index, count: 3 }));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("see the same picks as the whole sequence, so shares stay exact across threads", () => {
    const weights = [3, 1];
    const whole = new PickSequence(weights);
    const lanes = [0, 1].map((index) => new LanePicks(weights, { index, count: 2 }));
    const merged: number[] = [];
    for (let i = 0; i < 40; i++) merged.push(lanes[i % 2]!.next());
    expect(merged).toEqual(Array.from({ length: 40 }, (_, i) => whole.at(i)));
    expect(tally(merged, 2)).toEqual([30, 10]);
  });

  it("give 3:1 weights exactly 75% and 25% of the VUs", () => {
    const picks = new PickSequence([3, 1]);
    expect(
      tally(
        Array.from({ length: 100 }, (_, k) => picks.at(k)),
        2,
      ),
    ).toEqual([75, 25]);
    expect(picks.at(2)).toBe(1);
  });
});
