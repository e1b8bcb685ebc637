import { seededRandom } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { standardNormal, thinkSampler } from "./think-time.ts";

const draws = (n: number, f: () => number) => Array.from({ length: n }, f);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("think time samplers", () => {
  it("constant: always its ms", () => {
    const sample = thinkSampler({ type: "think", distribution: "constant", ms: 250 });
    expect(draws(5, () => sample(Math.random))).toEqual([250, 250, 250, 250, 250]);
  });

  it("uniform: within the bounds, reaching both ends, either way round", () => {
    const sample = thinkSampler({ type: "think", distribution: "uniform", minMs: 100, maxMs: 300 });
    expect(sample(() => 0)).toBe(100);
    expect(sample(() => 0.999999)).toBeCloseTo(300, 2);
    const random = seededRandom(1);
    const xs = draws(10_000, () => sample(random));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...xs)).toBeLessThan(300);
    expect(mean(xs)).toBeCloseTo(200, -1);
    const reversed = thinkSampler({ type: "think", distribution: "uniform", minMs: 300, maxMs: 100 });
    expect(reversed(() => 0)).toBe(100);
  });

  it("normal: mean and spread over many draws, clamped at 0", () => {
    const random = seededRandom(42);
    const sample = thinkSampler({ type: "think", distribution: "normal", meanMs: 500, stddevMs: 100 });
    const xs = draws(20_000, () => sample(random));
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    expect(Math.abs(m - 500)).toBeLessThan(5);
    expect(Math.abs(sd - 100)).toBeLessThan(5);
    const wide = thinkSampler({ type: "think", distribution: "normal", meanMs: 10, stddevMs: 100 });
    const clamped = draws(5_000, () => wide(random));
    expect(Math.min(...clamped)).toBe(0);
    expect(clamped.filter((x) => x === 0).length).toBeGreaterThan(1_000);
  });

  it("Box-Muller never takes log(0)", () => {
    expect(Number.isFinite(standardNormal(() => 0))).toBe(true);
  });
});
