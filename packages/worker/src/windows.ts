import { encodeHistogram, newLatencyHistogram, type Histogram, type MetricWindow } from "@loadline/core";

/** One finished request, as the target saw it. */
export type Sample = {
  name: string;
  method: string;
  /** Microseconds, at least 1. */
  latencyUs: number;
  ok: boolean;
  bytesIn: number;
  bytesOut: number;
};

export type RunTotals = { requests: number; failures: number };

type RequestStats = {
  name: string;
  method: string;
  count: number;
  failures: number;
  bytesIn: number;
  bytesOut: number;
  histogram: Histogram;
};

type SecondStats = { activeUsers: number; requests: Map<string, RequestStats> };

export const currentSecond = (nowMs: number = Date.now()): number => Math.floor(nowMs / 1000);

/**
 * Collects one run's samples into wall-clock seconds and turns each finished second into
 * a MetricWindow, exactly once and in order, with no gap: a second without requests still
 * gets a window. A sample for a second already closed (the wall clock stepped back) goes
 * into the first open second, so that every request is counted in some window.
 */
export class WindowAccumulator {
  private readonly seconds = new Map<number, SecondStats>();
  private nextSecond: number;
  private activeUsers = 0;
  private finished = false;
  private readonly sums: RunTotals = { requests: 0, failures: 0 };

  constructor(
    private readonly runId: string,
    private readonly workerId: string,
    firstSecond: number,
  ) {
    this.nextSecond = firstSecond;
  }

  /** What this worker has recorded for the run so far. */
  get totals(): RunTotals {
    return { ...this.sums };
  }

  /** The first second that has no window yet. */
  get openSecond(): number {
    return this.nextSecond;
  }

  record(second: number, sample: Sample): void {
    if (this.finished) throw new Error(`run ${this.runId}: sample recorded after the last window`);
    const stats = this.requestStats(this.secondStats(second), sample.name, sample.method);
    stats.count++;
    if (!sample.ok) stats.failures++;
    stats.bytesIn += sample.bytesIn;
    stats.bytesOut += sample.bytesOut;
    stats.histogram.recordValue(Math.max(1, Math.round(sample.latencyUs)));
    this.sums.requests++;
    if (!sample.ok) this.sums.failures++;
  }

  /** A window reports the most users that were active during its second. */
  setActiveUsers(users: number, second: number): void {
    this.activeUsers = users;
    if (this.finished) return;
    const stats = this.secondStats(second);
    stats.activeUsers = Math.max(stats.activeUsers, users);
  }

  /** Windows of every second before `untilSecond` not yet closed, oldest first. */
  closeBefore(untilSecond: number): MetricWindow[] {
    if (this.finished) return [];
    const windows: MetricWindow[] = [];
    for (; this.nextSecond < untilSecond; this.nextSecond++) {
      windows.push(this.windowOf(this.nextSecond, this.seconds.get(this.nextSecond)));
      this.seconds.delete(this.nextSecond);
    }
    return windows;
  }

  /** The last windows of the run, the current partial second included; nothing is recorded after. */
  finish(currentSecondNow: number): MetricWindow[] {
    const last = Math.max(currentSecondNow, ...this.seconds.keys());
    const windows = this.closeBefore(last + 1);
    this.finished = true;
    return windows;
  }

  private secondStats(second: number): SecondStats {
    const s = Math.max(second, this.nextSecond);
    let stats = this.seconds.get(s);
    if (!stats) {
      stats = { activeUsers: this.activeUsers, requests: new Map() };
      this.seconds.set(s, stats);
    }
    return stats;
  }

  private requestStats(second: SecondStats, name: string, method: string): RequestStats {
    const key = `${method} ${name}`;
    let stats = second.requests.get(key);
    if (!stats) {
      stats = { name, method, count: 0, failures: 0, bytesIn: 0, bytesOut: 0, histogram: newLatencyHistogram() };
      second.requests.set(key, stats);
    }
    return stats;
  }

  private windowOf(second: number, stats: SecondStats | undefined): MetricWindow {
    return {
      runId: this.runId,
      workerId: this.workerId,
      second,
      activeUsers: stats?.activeUsers ?? this.activeUsers,
      requests: [...(stats?.requests.values() ?? [])].map((r) => ({
        name: r.name,
        method: r.method,
        count: r.count,
        failures: r.failures,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        histogram: encodeHistogram(r.histogram),
      })),
    };
  }
}
