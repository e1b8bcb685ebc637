import { mergeHistograms } from "./histogram/codec.ts";
import type { Histogram } from "./histogram/latency-histogram.ts";
import { type LatencySummary, summarizeMerged } from "./histogram/summary.ts";
import { protocolOf } from "./protocols.ts";
import type { MetricWindow, RequestWindow } from "./schemas/metrics.ts";
import type { EndpointView, LatencyPercentile, MetricsPoint, RequestStats, RunCounters } from "./views.ts";

/** A stored window: the part of a metric window the read side keeps. */
export type WindowRow = Pick<MetricWindow, "second" | "workerId" | "activeUsers" | "requests"> &
  Partial<Pick<MetricWindow, "iterations" | "droppedIterations" | "interruptedIterations" | "checksPassed" | "checksFailed">>;

/** One point of a series before its percentiles are taken: the figures of a span of time. */
export type MetricsBucket = {
  /** Epoch second the bucket starts at. */
  start: number;
  /** Seconds of the bucket that have data: the rate divides by them. */
  seconds: number;
  /** Users summed over workers, in the bucket's busiest second. */
  users: number;
  requests: readonly RequestWindow[];
  /** Iterations cut short at the stop in the bucket; absent: none. */
  interruptedIterations?: number;
  /**
   * The bucket's totals and exact latency summary when they are known already (a rollup row
   * stores them): `requests` may then be empty, and no histogram is read.
   */
  summary?: BucketSummary;
};

export type BucketSummary = { requests: number; failures: number; interrupted: number; latency: LatencySummary };

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  if (!from) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** Totals and exact percentiles of some requests over `seconds`. */
export function requestStats(requests: readonly RequestWindow[], seconds: number): RequestStats {
  let count = 0;
  let failures = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let interrupted = 0;
  const failuresByKind: Record<string, number> = {};
  const statusCodes: Record<string, number> = {};
  const service: string[] = [];
  for (const r of requests) {
    count += r.count;
    failures += r.failures;
    bytesIn += r.bytesIn;
    bytesOut += r.bytesOut;
    interrupted += r.interrupted ?? 0;
    addCounts(failuresByKind, r.failuresByKind);
    addCounts(statusCodes, r.statusCodes);
    if (r.serviceHistogram) service.push(r.serviceHistogram);
  }
  return {
    requests: count,
    failures,
    errorRate: ratio(failures, count),
    rps: ratio(count, seconds),
    bytesIn,
    bytesOut,
    latency: summarizeMerged(requests.map((r) => r.histogram)),
    serviceTime: service.length > 0 ? summarizeMerged(service) : null,
    failuresByKind,
    statusCodes,
    interrupted,
  };
}

/** Iterations (finished, dropped, interrupted) and checks, summed over windows. */
export function runCounters(rows: readonly Partial<RunCounters>[]): RunCounters {
  const c: RunCounters = { iterations: 0, droppedIterations: 0, interruptedIterations: 0, checksPassed: 0, checksFailed: 0 };
  for (const r of rows) {
    c.iterations += r.iterations ?? 0;
    c.droppedIterations += r.droppedIterations ?? 0;
    c.interruptedIterations += r.interruptedIterations ?? 0;
    c.checksPassed += r.checksPassed ?? 0;
    c.checksFailed += r.checksFailed ?? 0;
  }
  return c;
}

/** First and last second of some windows, or null when there are none. */
export function secondSpan(rows: readonly { second: number }[]): { first: number; last: number } | null {
  if (rows.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    first = Math.min(first, r.second);
    last = Math.max(last, r.second);
  }
  return { first, last };
}

/** The same, per request name and method, sorted by name; rates over `seconds`. */
export function endpointStats(requests: readonly RequestWindow[], seconds: number): EndpointView[] {
  const groups = new Map<string, RequestWindow[]>();
  for (const r of requests) {
    const key = `${r.method} ${r.name}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()]
    .map((list) => {
      const protocol = protocolOf(list);
      const messagesIn = list.reduce((n, r) => n + (r.messagesIn ?? 0), 0);
      const messagesOut = list.reduce((n, r) => n + (r.messagesOut ?? 0), 0);
      return {
        name: list[0]!.name,
        method: list[0]!.method,
        ...(protocol ? { protocol } : {}),
        ...requestStats(list, seconds),
        ...(messagesIn > 0 ? { messagesIn } : {}),
        ...(messagesOut > 0 ? { messagesOut } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method));
}

/** The bucket a second falls in, for buckets of `step` seconds aligned on the epoch. */
export const bucketStart = (second: number, step: number): number => Math.floor(second / step) * step;

/** Raw windows (any workers) grouped into buckets of `step` seconds, ordered by time. */
export function bucketWindows(rows: readonly WindowRow[], step: number): MetricsBucket[] {
  const byBucket = new Map<number, { usersBySecond: Map<number, number>; requests: RequestWindow[]; interruptedIterations: number }>();
  for (const r of rows) {
    const start = bucketStart(r.second, step);
    let b = byBucket.get(start);
    if (!b) byBucket.set(start, (b = { usersBySecond: new Map(), requests: [], interruptedIterations: 0 }));
    b.usersBySecond.set(r.second, (b.usersBySecond.get(r.second) ?? 0) + r.activeUsers);
    b.requests.push(...r.requests);
    b.interruptedIterations += r.interruptedIterations ?? 0;
  }
  return [...byBucket]
    .sort(([a], [b]) => a - b)
    .map(([start, b]) => ({
      start,
      seconds: b.usersBySecond.size,
      users: Math.max(...b.usersBySecond.values()),
      requests: b.requests,
      interruptedIterations: b.interruptedIterations,
    }));
}

/** One point per bucket of `step` seconds from the bucket of `from` to that of `to`; a bucket without data is a zero point. */
export function series(buckets: readonly MetricsBucket[], from: number, to: number, step: number): MetricsPoint[] {
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const points: MetricsPoint[] = [];
  for (let start = bucketStart(from, step); start <= to; start += step) {
    points.push(pointOf(byStart.get(start) ?? { start, seconds: 0, users: 0, requests: [] }));
  }
  return points;
}

/** A bucket's totals and exact latency, over every request in it: its stored summary, or merged from its histograms. */
export function bucketSummary(bucket: MetricsBucket): BucketSummary {
  if (bucket.summary) return bucket.summary;
  let requests = 0;
  let failures = 0;
  let interrupted = 0;
  for (const r of bucket.requests) {
    requests += r.count;
    failures += r.failures;
    interrupted += r.interrupted ?? 0;
  }
  return { requests, failures, interrupted, latency: summarizeMerged(bucket.requests.map((r) => r.histogram)) };
}

/** A bucket as a point: totals, rate per second of data, exact percentiles over every request in it. */
export function pointOf(bucket: MetricsBucket): MetricsPoint {
  const { requests, failures, interrupted, latency } = bucketSummary(bucket);
  const { p50, p90, p95, p99, p999, min, max, mean } = latency;
  return {
    time: new Date(bucket.start * 1000).toISOString(),
    requests,
    failures,
    rps: ratio(requests, Math.max(1, bucket.seconds)),
    errorRate: ratio(failures, requests),
    p50,
    p90,
    p95,
    p99,
    p999,
    min,
    max,
    mean,
    users: bucket.users,
    interrupted,
    interruptedIterations: bucket.interruptedIterations ?? 0,
  };
}

/** The percentiles a distribution curve shows: dense where latency tails live. */
export const CURVE_PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100] as const;

/** The percentile → latency curve of some requests, merged exactly. */
export function latencyCurve(requests: readonly RequestWindow[]): { count: number; percentiles: LatencyPercentile[] } {
  const h: Histogram = mergeHistograms(requests.map((r) => r.histogram));
  if (h.totalCount === 0) return { count: 0, percentiles: [] };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    percentiles: CURVE_PERCENTILES.map((p) => ({
      percentile: p,
      latencyMs: ms(p === 0 ? h.minNonZeroValue : p === 100 ? h.maxValue : h.getValueAtPercentile(p)),
    })),
  };
}
