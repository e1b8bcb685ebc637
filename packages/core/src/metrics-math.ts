import { mergeHistograms, summarize } from "./histogram.ts";
import type { MetricWindow, RequestWindow } from "./schemas/metrics.ts";
import type { EndpointView, MetricsPoint, RequestStats, RunCounters } from "./views.ts";

/** A stored window: the part of a metric window the read side keeps. */
export type WindowRow = Pick<MetricWindow, "second" | "workerId" | "activeUsers" | "requests"> &
  Partial<Pick<MetricWindow, "iterations" | "droppedIterations" | "checksPassed" | "checksFailed">>;

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  if (!from) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

function requestStats(requests: readonly RequestWindow[], seconds: number): RequestStats {
  let count = 0;
  let failures = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  const failuresByKind: Record<string, number> = {};
  const statusCodes: Record<string, number> = {};
  const service: string[] = [];
  for (const r of requests) {
    count += r.count;
    failures += r.failures;
    bytesIn += r.bytesIn;
    bytesOut += r.bytesOut;
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
    latency: summarize(mergeHistograms(requests.map((r) => r.histogram))),
    serviceTime: service.length > 0 ? summarize(mergeHistograms(service)) : null,
    failuresByKind,
    statusCodes,
  };
}

/** Iterations, dropped iterations and checks, summed over windows. */
export function runCounters(rows: readonly WindowRow[]): RunCounters {
  const c: RunCounters = { iterations: 0, droppedIterations: 0, checksPassed: 0, checksFailed: 0 };
  for (const r of rows) {
    c.iterations += r.iterations ?? 0;
    c.droppedIterations += r.droppedIterations ?? 0;
    c.checksPassed += r.checksPassed ?? 0;
    c.checksFailed += r.checksFailed ?? 0;
  }
  return c;
}

const span = (rows: readonly WindowRow[]): { first: number; last: number } | null => {
  if (rows.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    first = Math.min(first, r.second);
    last = Math.max(last, r.second);
  }
  return { first, last };
};

/** Totals and exact percentiles over every window given. */
export function aggregateWindows(rows: readonly WindowRow[]): RequestStats & RunCounters & { first: number | null; last: number | null; seconds: number } {
  const s = span(rows);
  const seconds = s ? s.last - s.first + 1 : 0;
  return { ...requestStats(rows.flatMap((r) => r.requests), seconds), ...runCounters(rows), first: s?.first ?? null, last: s?.last ?? null, seconds };
}

/** The same, per request name and method, sorted by name. */
export function endpointStats(rows: readonly WindowRow[]): EndpointView[] {
  const s = span(rows);
  const seconds = s ? s.last - s.first + 1 : 0;
  const groups = new Map<string, RequestWindow[]>();
  for (const row of rows) {
    for (const r of row.requests) {
      const key = `${r.method} ${r.name}`;
      const list = groups.get(key) ?? [];
      list.push(r);
      groups.set(key, list);
    }
  }
  return [...groups.values()]
    .map((list) => ({ name: list[0]!.name, method: list[0]!.method, ...requestStats(list, seconds) }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method));
}

/** One point a second from `from` to `to` (epoch seconds, inclusive); a second with no window is a zero point. */
export function timeseries(rows: readonly WindowRow[], from?: number, to?: number): MetricsPoint[] {
  const s = span(rows);
  const start = from ?? s?.first;
  const end = to ?? s?.last;
  if (start === undefined || end === undefined || end < start) return [];
  const bySecond = new Map<number, WindowRow[]>();
  for (const r of rows) {
    if (r.second < start || r.second > end) continue;
    const list = bySecond.get(r.second) ?? [];
    list.push(r);
    bySecond.set(r.second, list);
  }
  const points: MetricsPoint[] = [];
  for (let second = start; second <= end; second++) points.push(pointOf(second, bySecond.get(second) ?? []));
  return points;
}

export function pointOf(second: number, rows: readonly WindowRow[]): MetricsPoint {
  const stats = requestStats(rows.flatMap((r) => r.requests), 1);
  const { p50, p95, p99, min, max, mean } = stats.latency;
  return {
    time: new Date(second * 1000).toISOString(),
    requests: stats.requests,
    failures: stats.failures,
    rps: stats.requests,
    errorRate: stats.errorRate,
    p50,
    p95,
    p99,
    min,
    max,
    mean,
    users: rows.reduce((sum, r) => sum + r.activeUsers, 0),
  };
}
