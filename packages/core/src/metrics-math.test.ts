// The read side's arithmetic over metric windows: totals, rates, buckets and series, with latency
// percentiles merged exactly from real HDR histograms of known samples.
import { describe, expect, it } from "vitest";
import { encodeHistogram } from "./histogram/codec.ts";
import { newLatencyHistogram } from "./histogram/latency-histogram.ts";
import type { LatencySummary } from "./histogram/summary.ts";
import { latencies, recorded } from "./histogram/test-support.ts";
import {
  bucketStart,
  bucketSummary,
  bucketWindows,
  CURVE_PERCENTILES,
  endpointStats,
  latencyCurve,
  type MetricsBucket,
  pointOf,
  requestStats,
  runCounters,
  secondSpan,
  series,
  type WindowRow,
} from "./metrics-math.ts";
import { seededRandom } from "./random.ts";
import type { RequestWindow } from "./schemas/metrics.ts";

/** 1, 2, ..., n (µs). */
const upTo = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A request window whose histogram holds exactly `samples` (µs), counting them as its requests. */
function window(samples: readonly number[], over: Partial<RequestWindow> = {}): RequestWindow {
  return {
    name: "home",
    method: "GET",
    count: samples.length,
    failures: 0,
    bytesIn: 0,
    bytesOut: 0,
    histogram: encodeHistogram(recorded(samples)),
    ...over,
  };
}

/** A request window of `count` samples of `value` µs (recorded with a count, not one by one). */
function repeated(value: number, count: number, over: Partial<RequestWindow> = {}): RequestWindow {
  const h = newLatencyHistogram();
  h.recordValueWithCount(value, count);
  return { ...window([], over), count, histogram: encodeHistogram(h), ...over };
}

const EMPTY_LATENCY: LatencySummary = { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };

/**
 * Every value below 2048 µs has a bucket of its own at 3 significant digits, so 1..1000 µs is held
 * exactly: the percentiles are the order statistics themselves, and the mean is the samples' mean
 * (500.5 µs, rounded to the µs: 0.501 ms).
 */
const ONE_TO_THOUSAND: LatencySummary = {
  count: 1000,
  min: 0.001,
  max: 1,
  mean: 0.501,
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
};

/**
 * 100 samples of 10 ms and one of 1 s. At 3 significant digits 10,000 µs falls in a bucket 8 µs
 * wide ([10000, 10007]) and 1,000,000 µs in one 512 µs wide ([999936, 1000447]): a percentile is
 * its bucket's highest value, the mean adds each bucket's middle (10004, 1000192), the extremes
 * of an encoded histogram are its extreme buckets' bounds.
 */
const TEN_MS_AND_ONE_SECOND: LatencySummary = {
  count: 101,
  min: 10,
  max: 1000.447,
  mean: 19.808, // (100 × 10004 + 1000192) / 101 = 19807.84 µs
  p50: 10.007,
  p90: 10.007,
  p95: 10.007,
  p99: 10.007, // rank ceil(0.99 × 101) = 100: still a 10 ms sample
  p999: 1000.447, // rank ceil(0.999 × 101) = 101: the 1 s sample
};

/** HDR at 3 significant digits: within 1/1000 of the true value, plus the rounding to the µs. */
function expectWithinHdr(actualMs: number, trueUs: number, label: string): void {
  expect(Math.abs(actualMs * 1000 - trueUs), `${label}: ${actualMs} ms against ${trueUs / 1000} ms`).toBeLessThanOrEqual(
    trueUs / 1000 + 0.5,
  );
}

describe("requestStats", () => {
  it("sums counts, failures, bytes and counters, and merges the windows' histograms exactly", () => {
    const windows = [
      window(upTo(1, 400), {
        failures: 3,
        bytesIn: 4000,
        bytesOut: 400,
        failuresByKind: { "5xx": 2, timeout: 1 },
        statusCodes: { "200": 397, "500": 2 },
        interrupted: 3,
      }),
      window(upTo(401, 1000), {
        failures: 1,
        bytesIn: 6000,
        bytesOut: 600,
        failuresByKind: { "5xx": 1 },
        statusCodes: { "200": 599, "500": 1 },
        serviceHistogram: encodeHistogram(recorded(upTo(1, 200))),
        interrupted: 2,
      }),
    ];
    const stats = requestStats(windows, 4);
    expect(stats).toEqual({
      requests: 1000,
      failures: 4,
      errorRate: 0.004,
      rps: 250,
      bytesIn: 10_000,
      bytesOut: 1000,
      latency: ONE_TO_THOUSAND,
      // Only the second window measured service time: 1..200 µs.
      serviceTime: { count: 200, min: 0.001, max: 0.2, mean: 0.101, p50: 0.1, p90: 0.18, p95: 0.19, p99: 0.198, p999: 0.2 },
      failuresByKind: { "5xx": 3, timeout: 1 },
      statusCodes: { "200": 996, "500": 3 },
      // Counted apart: requests, failures, error rate and latency are those of the requests that ended.
      interrupted: 5,
    });
    // The merge is of samples, not of percentiles: any split of the same samples gives the same figures.
    expect(requestStats([window(upTo(1, 1000))], 4).latency).toEqual(ONE_TO_THOUSAND);
    const tenWays = Array.from({ length: 10 }, (_, i) => window(upTo(1, 1000).filter((v) => v % 10 === i)));
    expect(requestStats(tenWays, 4).latency).toEqual(ONE_TO_THOUSAND);
    expect(requestStats([...windows].reverse(), 4)).toEqual(stats);
  });

  it("gives HDR's figures for samples beyond the exact range, within its precision of the true ones", () => {
    const stats = requestStats([repeated(10_000, 60), repeated(10_000, 40), window([1_000_000])], 2);
    expect(stats.latency).toEqual(TEN_MS_AND_ONE_SECOND);
    expect(stats.requests).toBe(101);
    expect(stats.rps).toBe(50.5);
    expectWithinHdr(stats.latency.p50, 10_000, "p50");
    expectWithinHdr(stats.latency.p999, 1_000_000, "p99.9");
    expectWithinHdr(stats.latency.max, 1_000_000, "max");
    // A single window is summarized straight from its encoding, without a merge: same figures.
    expect(requestStats([window([...Array<number>(100).fill(10_000), 1_000_000])], 2).latency).toEqual(TEN_MS_AND_ONE_SECOND);
  });

  it("puts every percentile of a skewed sample within 0.1% of its exact order statistic", () => {
    const random = seededRandom(42);
    const perWindow = Array.from({ length: 24 }, () => latencies(random, 50 + Math.floor(random() * 300)));
    const all = perWindow.flat().sort((a, b) => a - b);
    const stats = requestStats(
      perWindow.map((s) => window(s)),
      24,
    );
    expect(stats.requests).toBe(all.length);
    expect(stats.latency.count).toBe(all.length);
    const rank = (p: number) => all[Math.ceil((p / 100) * all.length) - 1]!;
    for (const [key, p] of [
      ["p50", 50],
      ["p90", 90],
      ["p95", 95],
      ["p99", 99],
      ["p999", 99.9],
    ] as const) {
      expectWithinHdr(stats.latency[key], rank(p), key);
      // HDR reports a bucket's highest value: never below the true figure.
      expect(stats.latency[key] * 1000).toBeGreaterThanOrEqual(rank(p) - 0.5);
    }
    expectWithinHdr(stats.latency.min, all[0]!, "min");
    expectWithinHdr(stats.latency.max, all.at(-1)!, "max");
    expectWithinHdr(stats.latency.mean, all.reduce((s, v) => s + v, 0) / all.length, "mean");
  });

  it("answers zeros, not NaN, for no requests and no seconds", () => {
    const none = {
      requests: 0,
      failures: 0,
      errorRate: 0,
      rps: 0,
      bytesIn: 0,
      bytesOut: 0,
      latency: EMPTY_LATENCY,
      serviceTime: null,
      failuresByKind: {},
      statusCodes: {},
      interrupted: 0,
    };
    expect(requestStats([], 0)).toEqual(none);
    expect(requestStats([], 10)).toEqual(none);
    expect(requestStats([window([]), window([])], 0)).toEqual(none);
    // Requests over zero seconds: no rate rather than Infinity.
    expect(requestStats([window([5, 6])], 0).rps).toBe(0);
  });
});

describe("runCounters", () => {
  it("sums each counter, a missing one counting as zero", () => {
    expect(
      runCounters([
        { iterations: 10, droppedIterations: 1, checksPassed: 7, checksFailed: 2 },
        { iterations: 5, interruptedIterations: 2 },
        {},
        { droppedIterations: 3, checksFailed: 1, interruptedIterations: 1 },
      ]),
    ).toEqual({ iterations: 15, droppedIterations: 4, interruptedIterations: 3, checksPassed: 7, checksFailed: 3 });
  });

  it("is all zeros for no windows", () => {
    expect(runCounters([])).toEqual({ iterations: 0, droppedIterations: 0, interruptedIterations: 0, checksPassed: 0, checksFailed: 0 });
  });
});

describe("secondSpan", () => {
  it("is the first and last second, whatever the order", () => {
    expect(secondSpan([{ second: 1005 }, { second: 998 }, { second: 1200 }, { second: 1000 }])).toEqual({ first: 998, last: 1200 });
    expect(secondSpan([{ second: 7 }])).toEqual({ first: 7, last: 7 });
  });

  it("is null for no windows", () => {
    expect(secondSpan([])).toBeNull();
  });
});

describe("endpointStats", () => {
  it("groups by method and name, sorted by name then method, each with its own exact figures", () => {
    const requests = [
      window(upTo(1, 100), { name: "/b", method: "GET", failures: 1 }),
      window(upTo(1, 1000), { name: "/a", method: "POST" }),
      window(upTo(1, 10), { name: "/a", method: "GET", bytesIn: 50 }),
      window(upTo(11, 20), { name: "/a", method: "GET", bytesIn: 70, statusCodes: { "200": 10 } }),
      window(upTo(101, 200), { name: "/b", method: "GET", failures: 2 }),
    ];
    const endpoints = endpointStats(requests, 10);
    expect(endpoints.map((e) => `${e.method} ${e.name}`)).toEqual(["GET /a", "POST /a", "GET /b"]);
    const [getA, postA, getB] = endpoints;
    expect(getA).toMatchObject({ name: "/a", method: "GET", requests: 20, failures: 0, rps: 2, bytesIn: 120, statusCodes: { "200": 10 } });
    expect(getA!.latency).toEqual({
      count: 20,
      min: 0.001,
      max: 0.02,
      mean: 0.011,
      p50: 0.01,
      p90: 0.018,
      p95: 0.019,
      p99: 0.02,
      p999: 0.02,
    });
    expect(postA).toMatchObject({ name: "/a", method: "POST", requests: 1000, rps: 100, latency: ONE_TO_THOUSAND });
    expect(getB).toMatchObject({ name: "/b", method: "GET", requests: 200, failures: 3, errorRate: 0.015, rps: 20 });
    expect(getB!.latency).toMatchObject({ count: 200, min: 0.001, max: 0.2, p50: 0.1, p99: 0.198 });
    // Each endpoint is requestStats of its own windows, nothing of the others'.
    expect(getB).toEqual({ name: "/b", method: "GET", ...requestStats([requests[0]!, requests[4]!], 10) });
  });

  it("is empty for no requests", () => {
    expect(endpointStats([], 10)).toEqual([]);
  });
});

describe("bucketStart", () => {
  it("aligns a second on the epoch in steps", () => {
    expect([999, 1000, 1005, 1009, 1010].map((s) => bucketStart(s, 10))).toEqual([990, 1000, 1000, 1000, 1010]);
    expect([0, 59, 60, 119, 120].map((s) => bucketStart(s, 60))).toEqual([0, 0, 60, 60, 120]);
    expect(bucketStart(1_700_000_123, 1)).toBe(1_700_000_123);
  });
});

describe("bucketWindows", () => {
  const row = (
    second: number,
    workerId: string,
    activeUsers: number,
    requests: RequestWindow[],
    interruptedIterations?: number,
  ): WindowRow => ({
    second,
    workerId,
    activeUsers,
    requests,
    ...(interruptedIterations === undefined ? {} : { interruptedIterations }),
  });

  it("groups windows into buckets across step boundaries, users summed over workers in the busiest second", () => {
    const a = window([1000]);
    const b = window([2000]);
    const c = window([3000]);
    const d = window([4000]);
    const e = window([5000]);
    const f = window([6000]);
    const rows = [
      row(1025, "w1", 2, [f], 4),
      row(1009, "w2", 4, [c], 1),
      row(1008, "w1", 5, [a]),
      row(1010, "w1", 3, [d]),
      row(1009, "w1", 3, [b], 2),
      row(1012, "w2", 1, [e]),
    ];
    const buckets = bucketWindows(rows, 10);
    expect(buckets.map((x) => x.start)).toEqual([1000, 1010, 1020]);
    // 1008 (w1: 5 users) and 1009 (w1 3 + w2 4 = 7): the busiest second has 7, not the 12 of all rows.
    expect(buckets[0]).toEqual({ start: 1000, seconds: 2, users: 7, requests: [c, a, b], interruptedIterations: 3 });
    // 1010 falls in the next bucket, not in the one before it.
    expect(buckets[1]).toEqual({ start: 1010, seconds: 2, users: 3, requests: [d, e], interruptedIterations: 0 });
    expect(buckets[2]).toEqual({ start: 1020, seconds: 1, users: 2, requests: [f], interruptedIterations: 4 });

    // Step 1: one bucket per second of data, the gap left out.
    expect(bucketWindows(rows, 1).map((x) => [x.start, x.seconds, x.users])).toEqual([
      [1008, 1, 5],
      [1009, 1, 7],
      [1010, 1, 3],
      [1012, 1, 1],
      [1025, 1, 2],
    ]);
    // Step 60: 1020 is a minute boundary, so 1025 starts the next bucket.
    expect(bucketWindows(rows, 60)).toEqual([
      { start: 960, seconds: 4, users: 7, requests: [c, a, d, b, e], interruptedIterations: 3 },
      { start: 1020, seconds: 1, users: 2, requests: [f], interruptedIterations: 4 },
    ]);
  });

  it("keeps a window without requests as a second of data", () => {
    const [bucket] = bucketWindows([row(1000, "w1", 10, []), row(1001, "w1", 10, [window([1, 2])])], 10);
    expect(bucket).toMatchObject({ start: 1000, seconds: 2, users: 10 });
    expect(pointOf(bucket!).rps).toBe(1);
  });

  it("is empty for no windows", () => {
    expect(bucketWindows([], 10)).toEqual([]);
  });
});

describe("pointOf and bucketSummary", () => {
  it("makes a bucket a point: totals, rate per second of data, exact percentiles over all its requests", () => {
    const bucket: MetricsBucket = {
      start: 1_700_000_000,
      seconds: 4,
      users: 12,
      requests: [window(upTo(1, 500), { failures: 5, interrupted: 2 }), window(upTo(501, 1000), { failures: 15, name: "/other" })],
      interruptedIterations: 2,
    };
    expect(bucketSummary(bucket)).toEqual({ requests: 1000, failures: 20, interrupted: 2, latency: ONE_TO_THOUSAND });
    expect(pointOf(bucket)).toEqual({
      time: "2023-11-14T22:13:20.000Z",
      requests: 1000,
      failures: 20,
      rps: 250,
      errorRate: 0.02,
      p50: 0.5,
      p90: 0.9,
      p95: 0.95,
      p99: 0.99,
      p999: 0.999,
      min: 0.001,
      max: 1,
      mean: 0.501,
      users: 12,
      interrupted: 2,
      interruptedIterations: 2,
    });
  });

  it("uses a stored summary as it is, reading no histogram", () => {
    const summary = { requests: 30, failures: 3, interrupted: 4, latency: TEN_MS_AND_ONE_SECOND };
    // Requests that disagree with the summary: the summary wins.
    const bucket: MetricsBucket = {
      start: 60,
      seconds: 10,
      users: 2,
      summary,
      requests: [window(upTo(1, 1000))],
      interruptedIterations: 1,
    };
    expect(bucketSummary(bucket)).toBe(summary);
    expect(pointOf(bucket)).toEqual({
      time: "1970-01-01T00:01:00.000Z",
      requests: 30,
      failures: 3,
      rps: 3,
      errorRate: 0.1,
      p50: 10.007,
      p90: 10.007,
      p95: 10.007,
      p99: 10.007,
      p999: 1000.447,
      min: 10,
      max: 1000.447,
      mean: 19.808,
      users: 2,
      interrupted: 4,
      interruptedIterations: 1,
    });
  });

  it("divides by at least one second, and gives zeros for an empty bucket", () => {
    expect(pointOf({ start: 0, seconds: 0, users: 0, requests: [window([100, 200, 300])] }).rps).toBe(3);
    expect(pointOf({ start: 10, seconds: 0, users: 0, requests: [] })).toEqual({
      time: "1970-01-01T00:00:10.000Z",
      requests: 0,
      failures: 0,
      rps: 0,
      errorRate: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      min: 0,
      max: 0,
      mean: 0,
      users: 0,
      interrupted: 0,
      interruptedIterations: 0,
    });
  });
});

describe("series", () => {
  const zero = (start: number) => pointOf({ start, seconds: 0, users: 0, requests: [] });

  it("gives one point per step from the bucket of `from` to that of `to`, zero points in the gaps", () => {
    const first: MetricsBucket = { start: 1000, seconds: 10, users: 5, requests: [window(upTo(1, 1000))] };
    const third: MetricsBucket = { start: 1020, seconds: 5, users: 8, requests: [window([1_000_000]), repeated(10_000, 100)] };
    const points = series([third, first], 1003, 1029, 10);
    expect(points.map((p) => p.time)).toEqual(["1970-01-01T00:16:40.000Z", "1970-01-01T00:16:50.000Z", "1970-01-01T00:17:00.000Z"]);
    expect(points[0]).toEqual(pointOf(first));
    expect(points[0]).toMatchObject({ requests: 1000, rps: 100, users: 5, p50: 0.5, p99: 0.99 });
    expect(points[1]).toEqual(zero(1010));
    expect(points[1]).toMatchObject({ requests: 0, rps: 0, users: 0, p50: 0, max: 0 });
    expect(points[2]).toMatchObject({ requests: 101, rps: 20.2, users: 8, p50: 10.007, p999: 1000.447, max: 1000.447, min: 10 });
  });

  it("includes the bucket `to` falls in, and only the buckets of the range", () => {
    const at = (start: number): MetricsBucket => ({ start, seconds: 1, users: 1, requests: [window([start])] });
    const buckets = [at(990), at(1000), at(1010), at(1020)];
    expect(series(buckets, 1000, 1020, 10).map((p) => p.requests)).toEqual([1, 1, 1]);
    expect(series(buckets, 1000, 1019, 10).map((p) => p.p50)).toEqual([1, 1.01]);
    expect(series(buckets, 1000, 1000, 10)).toEqual([pointOf(at(1000))]);
    // Step 1 over a gap of 3 seconds.
    const ones = series([at(5), at(9)], 5, 9, 1);
    expect(ones.map((p) => p.requests)).toEqual([1, 0, 0, 0, 1]);
    expect(ones.slice(1, 4)).toEqual([zero(6), zero(7), zero(8)]);
  });

  it("is all zero points without buckets, and empty when the range is", () => {
    expect(series([], 0, 50, 10)).toEqual([0, 10, 20, 30, 40, 50].map(zero));
    expect(series([], 100, 99, 10)).toEqual([]);
    expect(series([], 100, 50, 10)).toEqual([]);
    // `from` after `to` in the same bucket: that bucket.
    expect(series([], 105, 101, 10)).toEqual([zero(100)]);
  });
});

describe("latencyCurve", () => {
  it("is the percentile → latency curve of the merged histograms, min and max at the ends", () => {
    const curve = latencyCurve([window(upTo(1, 300)), window(upTo(301, 1000))]);
    expect(curve.count).toBe(1000);
    expect(curve.percentiles.map((p) => p.percentile)).toEqual([...CURVE_PERCENTILES]);
    expect(curve.percentiles.map((p) => p.latencyMs)).toEqual([
      0.001, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 1, 1,
    ]);
  });

  it("reads the extremes and tail from HDR buckets beyond the exact range", () => {
    const curve = latencyCurve([repeated(10_000, 100), window([1_000_000])]);
    expect(curve.count).toBe(101);
    const byPercentile = new Map(curve.percentiles.map((p) => [p.percentile, p.latencyMs]));
    expect(byPercentile.get(0)).toBe(10);
    expect(byPercentile.get(50)).toBe(10.007);
    expect(byPercentile.get(99)).toBe(10.007);
    expect(byPercentile.get(99.9)).toBe(1000.447);
    expect(byPercentile.get(100)).toBe(1000.447);
  });

  it("is empty for no requests, or only empty histograms", () => {
    expect(latencyCurve([])).toEqual({ count: 0, percentiles: [] });
    expect(latencyCurve([window([]), window([])])).toEqual({ count: 0, percentiles: [] });
  });
});
