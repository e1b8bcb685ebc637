import { describe, expect, it } from "vitest";
import { encodeHistogram, mergeHistograms } from "../histogram/codec.ts";
import { newLatencyHistogram } from "../histogram/latency-histogram.ts";
import { summarizeEncoded } from "../histogram/summary.ts";
import { seededRandom } from "../random.ts";
import { COMPARED_METRICS, compareRuns, type EndpointSample, type RunSample, type SeriesSample } from "./compare-runs.ts";
import { batchStandardError, percentileStandardError, pooledProportionStandardError } from "./noise.ts";

const BUCKET_SEC = 10;

/** Log-normal latencies in µs around `medianMs` (σ 0.5), seeded: the same draws on every run. */
function latencies(seed: number, n: number, medianMs = 20): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(1, Math.round(medianMs * 1000 * Math.exp(0.5 * normal)));
  });
}

const encoded = (values: readonly number[]): string => {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h);
};

/** A series from its buckets' latencies (µs) and failures: buckets of 10 s, the whole run merged exactly. */
function series(buckets: readonly (readonly number[])[], failures: readonly number[] = []): SeriesSample {
  const histograms = buckets.map(encoded);
  const requests = buckets.reduce((n, b) => n + b.length, 0);
  return {
    histogram: encodeHistogram(mergeHistograms(histograms)),
    requests,
    failures: failures.reduce((n, f) => n + f, 0),
    seconds: buckets.length * BUCKET_SEC,
    buckets: buckets.map((b, i) => ({
      seconds: BUCKET_SEC,
      requests: b.length,
      failures: failures[i] ?? 0,
      latency: summarizeEncoded(histograms[i]!),
    })),
  };
}

/** `count` buckets of `perBucket` requests each, drawn from one distribution, seeded by `seed`. */
const steady = (seed: number, count = 30, perBucket = 500, medianMs = 20) =>
  Array.from({ length: count }, (_, i) => latencies(seed * 1000 + i, perBucket, medianMs));

const run = (overall: SeriesSample, endpoints: EndpointSample[] = []): RunSample => ({ overall, endpoints, bucketSec: BUCKET_SEC });
const verdicts = (c: ReturnType<typeof compareRuns>["overall"]) =>
  Object.fromEntries(COMPARED_METRICS.map((m) => [m, c.metrics?.[m].verdict]));

describe("compareRuns", () => {
  it("calls a clear 2× latency regression worse, on every percentile, and leaves throughput and errors the same", () => {
    const before = steady(1);
    const after = steady(2).map((b) => b.map((v) => v * 2));
    const c = compareRuns(run(series(after)), run(series(before)));
    expect(verdicts(c.overall)).toEqual({
      p50: "worse",
      p90: "worse",
      p95: "worse",
      p99: "worse",
      p999: "worse",
      errorRate: "same",
      rps: "same",
    });
    const p50 = c.overall.metrics!.p50;
    expect(p50.relative).toBeGreaterThan(0.9);
    expect(p50.relative).toBeLessThan(1.1);
    expect(p50.delta).toBeCloseTo(p50.current - p50.previous, 3);
    expect(p50.z).toBeGreaterThan(3);
    expect(c.verdict).toBe("worse");
    expect(c.counts).toEqual({ worse: 5, better: 0, same: 2 });
    // The other way round it is better.
    expect(compareRuns(run(series(before)), run(series(after))).overall.metrics!.p95.verdict).toBe("better");
  });

  it("calls the same distribution, resampled, the same on every figure", () => {
    for (const [a, b] of [
      [3, 4],
      [5, 6],
      [7, 8],
    ] as const) {
      const c = compareRuns(run(series(steady(a))), run(series(steady(b))));
      expect(c.verdict, `seeds ${a} and ${b}`).toBe("same");
      expect(c.counts).toEqual({ worse: 0, better: 0, same: 7 });
      // The resampled percentiles do differ, within the threshold (no failures: the error rate's is 0, and 0 = 0).
      for (const m of COMPARED_METRICS.filter((m) => m !== "errorRate")) expect(c.overall.metrics![m].threshold).toBeGreaterThan(0);
    }
  });

  it("calls more errors worse by the two-proportion z-test, and a few more within chance the same", () => {
    const latency = steady(9);
    const failing = (perBucket: number) => latency.map(() => perBucket);
    const base = series(latency, failing(2)); // 0.4%
    const more = compareRuns(run(series(steady(10), failing(10))), run(base)); // 2%
    expect(more.overall.metrics!.errorRate).toMatchObject({ previous: 0.004, current: 0.02, verdict: "worse" });
    expect(more.overall.metrics!.errorRate.z).toBeGreaterThan(10);
    expect(more.overall.metrics!.p50.verdict).toBe("same");
    // 0.4% against 0.47%: z ≈ 0.9, well within chance.
    const fewMore = series(
      steady(10),
      latency.map((_, i) => (i < 10 ? 3 : 2)),
    );
    expect(compareRuns(run(fewMore), run(base)).overall.metrics!.errorRate).toMatchObject({ verdict: "same" });
    // None before, a handful now out of 15,000: z ≈ 2.2 < 3, not yet a change.
    const none = series(latency, []);
    const five = series(latency, [1, 1, 1, 1, 1]);
    expect(compareRuns(run(five), run(none)).overall.metrics!.errorRate).toMatchObject({ relative: null, verdict: "same" });
    const fifty = series(
      latency,
      latency.map((_, i) => (i < 25 ? 2 : 0)),
    );
    expect(compareRuns(run(fifty), run(none)).overall.metrics!.errorRate.verdict).toBe("worse");
  });

  it("judges throughput against the buckets' spread of rates: a 30% drop is worse, a drift within the noise is not", () => {
    const before = series(steady(11, 30, 500));
    const after = series(steady(12, 30, 350));
    expect(compareRuns(run(after), run(before)).overall.metrics!.rps).toMatchObject({ previous: 50, current: 35, verdict: "worse" });
    expect(compareRuns(run(before), run(after)).overall.metrics!.rps.verdict).toBe("better");
    // Rates that swing from bucket to bucket (300..700 requests) average 50/s, as before: 4% less is noise.
    const swinging = series(Array.from({ length: 30 }, (_, i) => latencies(1300 + i, i % 2 === 0 ? 300 : 660)));
    const rps = compareRuns(run(swinging), run(before)).overall.metrics!.rps;
    expect(rps.relative).toBeCloseTo(-0.04, 2);
    expect(rps.verdict).toBe("same");
  });

  it("widens the threshold when a run's latency drifts from bucket to bucket", () => {
    const before = series(steady(13));
    const calm = series(steady(14));
    // Half the buckets 15% slower, half 15% faster: the same median overall, much more spread.
    const drifting = series(steady(14).map((b, i) => b.map((v) => Math.round(v * (i % 2 === 0 ? 1.15 : 0.85)))));
    const t = (s: SeriesSample) => compareRuns(run(s), run(before)).overall.metrics!.p50.threshold;
    expect(t(drifting)).toBeGreaterThan(t(calm));
  });

  it("matches endpoints by name and method; one a run lacks is listed with no figures", () => {
    const home = (seed: number, scale = 1): EndpointSample => ({
      name: "home",
      method: "GET",
      ...series(steady(seed, 20, 200).map((b) => b.map((v) => v * scale))),
    });
    const login = (method: string): EndpointSample => ({ name: "login", method, ...series(steady(15, 20, 100)) });
    const c = compareRuns(
      run(series(steady(16)), [home(17, 3), login("POST")]),
      run(series(steady(18)), [home(19), login("PUT"), { name: "gone", method: "GET", ...series([]) }]),
    );
    expect(c.endpoints.map((e) => [e.method, e.name, e.in, e.metrics === null])).toEqual([
      ["GET", "gone", "previous", true],
      ["GET", "home", "both", false],
      ["POST", "login", "current", true],
      ["PUT", "login", "previous", true],
    ]);
    expect(c.endpoints[1]!.metrics!.p50.verdict).toBe("worse");
    expect(c.endpoints[2]!.requests).toEqual({ current: 2000, previous: 0 });
    expect(c.verdict).toBe("worse");
    expect(c.method).toEqual({ relativeFloor: 0.05, k: 3, bucketSec: { current: 10, previous: 10 } });
  });

  it("compares a run with itself as the same, every delta 0", () => {
    const s = series(steady(20), [1, 0, 3]);
    const c = compareRuns(run(s), run(s));
    expect(c.verdict).toBe("same");
    for (const m of COMPARED_METRICS) expect(c.overall.metrics![m]).toMatchObject({ delta: 0, relative: 0, verdict: "same" });
  });

  it("has no figures for a run without requests", () => {
    const empty: SeriesSample = { histogram: null, requests: 0, failures: 0, seconds: 0, buckets: [] };
    const c = compareRuns(run(empty), run(series(steady(21))));
    expect(c.overall).toEqual({ requests: { current: 0, previous: 15000 }, metrics: null });
    expect(c.verdict).toBe("same");
  });
});

describe("the noise estimates", () => {
  it("batch standard error: the weighted spread over √k; 0 without two buckets or spread", () => {
    expect(batchStandardError([5, 5, 5], [1, 1, 1])).toBe(0);
    expect(batchStandardError([5], [10])).toBe(0);
    expect(batchStandardError([1, 100], [10, 0])).toBe(0);
    // Values 1..4, equal weights: sample variance 5/3, over 4 buckets.
    expect(batchStandardError([1, 2, 3, 4], [7, 7, 7, 7])).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
  });

  it("percentile standard error: from the order statistics of the merged histogram, shrinking as √n", () => {
    const small = mergeHistograms([encoded(latencies(30, 1_000))]);
    const large = mergeHistograms([encoded(latencies(30, 100_000))]);
    const a = percentileStandardError(small, 0.5);
    const b = percentileStandardError(large, 0.5);
    expect(a).toBeGreaterThan(0);
    expect(a / b).toBeGreaterThan(5);
    expect(a / b).toBeLessThan(20);
    expect(percentileStandardError(newLatencyHistogram(), 0.5)).toBe(0);
  });

  it("pooled proportion standard error: √(p(1−p)(1/n₁+1/n₂))", () => {
    expect(pooledProportionStandardError(10, 1000, 30, 1000)).toBeCloseTo(Math.sqrt(0.02 * 0.98 * 0.002), 12);
    expect(pooledProportionStandardError(0, 1000, 0, 1000)).toBe(0);
    expect(pooledProportionStandardError(0, 0, 3, 10)).toBe(0);
  });
});
