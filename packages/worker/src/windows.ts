import {
  droppedLate,
  encodeHistogram,
  type FailureKind,
  generatorSaturated,
  type Histogram,
  type MetricWindow,
  mergeProtocols,
  newLatencyHistogram,
  type RequestWindow,
  type SecondLoad,
} from "@loadline/core";
import type { GeneratorProbe } from "./engine/generator-probe.ts";
import type { RequestRecord } from "./scenario/transport.ts";

/** One finished request, as the windows count it: the part of the step runtime's record they read. */
export type RequestSample = Pick<
  RequestRecord,
  | "name"
  | "method"
  | "status"
  | "failure"
  | "bytesIn"
  | "bytesOut"
  | "checksPassed"
  | "checksFailed"
  | "interrupted"
  | "protocol"
  | "messagesIn"
  | "messagesOut"
>;

export type RunTotals = { requests: number; failures: number };

type RequestStats = {
  name: string;
  method: string;
  count: number;
  failures: number;
  bytesIn: number;
  bytesOut: number;
  /** Latency (µs): from the intended start for an open executor's first request of an iteration. */
  latency: Histogram;
  /** Service time (µs): from the send to the response. */
  service: Histogram;
  failuresByKind: Partial<Record<FailureKind, number>>;
  statusCodes: Map<number, number>;
  /** Aborted in flight at the stop: counted here only. */
  interrupted: number;
  /** WebSocket messages / SSE events in and out (ws and sse steps). */
  messagesIn: number;
  messagesOut: number;
  /** The HTTP protocol of its responses (several: joined by ", "); undefined before the first response. */
  protocol: string | undefined;
};

/** A group's passes in one second (steps with `group`). */
type GroupStats = { count: number; failures: number; duration: Histogram };

type SecondStats = {
  activeUsers: number;
  /** By group name; absent until a group ends in the second. */
  groups?: Map<string, GroupStats>;
  /** By request name, then the few methods sent under that name. */
  requests: Map<string, RequestStats[]>;
  iterations: number;
  droppedIterations: number;
  /** Of those, the ones dropped late enough to be the generator's (core's droppedLate). */
  lateDrops: number;
  interruptedIterations: number;
  checksPassed: number;
  checksFailed: number;
  /** The run was paused for some of the second. */
  paused: boolean;
};

export const currentSecond = (nowMs: number = Date.now()): number => Math.floor(nowMs / 1000);

const toMicros = (us: number): number => (us >= 1 ? Math.round(us) : 1);

/** A second's drops, iterations and slowest request's service-time p95, as generatorSaturated judges them. */
function secondLoad(stats: SecondStats | undefined): SecondLoad {
  const load: SecondLoad = { dropped: stats?.droppedIterations ?? 0, late: stats?.lateDrops ?? 0, iterations: stats?.iterations ?? 0 };
  for (const byMethod of stats?.requests.values() ?? []) {
    for (const r of byMethod) {
      if (r.count === 0) continue;
      const p95Ms = r.service.getValueAtPercentile(95) / 1000;
      load.serviceP95Ms = Math.max(load.serviceP95Ms ?? 0, p95Ms);
    }
  }
  return load;
}

/**
 * Collects one run's measurements into wall-clock seconds and turns each finished second
 * into a MetricWindow, exactly once and in order, with no gap: a second without requests
 * still gets a window. A measurement for a second already closed (the wall clock stepped
 * back) goes into the first open second, so that every request is counted in some window.
 */
export class WindowAccumulator {
  private readonly seconds = new Map<number, SecondStats>();
  private nextSecond: number;
  private activeUsers = 0;
  private paused = false;
  private finished = false;
  private readonly sums: RunTotals = { requests: 0, failures: 0 };
  /**
   * Histograms of closed seconds, reset for reuse: a new one costs a large allocation. It starts
   * with one, so that the first request's two take both ways (a spare one, a new one): `record`
   * optimised before a run (in its rehearsal) knows both then, and bailed out at the run's first
   * second when it knew one ("wrong map" on an array that had held nothing, or no feedback for
   * the call that makes a new one).
   */
  private readonly spare: Histogram[] = [newLatencyHistogram()];
  private lastSecond = -1;
  private lastStats: SecondStats | undefined;

  /** `probe`: the generator's own health, sampled into each window (absent: windows without it). */
  constructor(
    private readonly runId: string,
    private readonly workerId: string,
    firstSecond: number,
    private readonly probe?: GeneratorProbe,
  ) {
    this.nextSecond = firstSecond;
  }

  /** What has been recorded for the run so far. */
  get totals(): RunTotals {
    return { ...this.sums };
  }

  /** True once the last windows are out: nothing more may be recorded. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** The first second that has no window yet. */
  get openSecond(): number {
    return this.nextSecond;
  }

  /**
   * One request: its latency and service time in microseconds (each at least 1). An interrupted
   * one (the stop aborted it in flight) is only counted as such: its time is the stop's, not the
   * target's, and it neither succeeded nor failed.
   */
  record(second: number, sample: RequestSample, latencyUs: number, serviceUs: number): void {
    this.assertOpen();
    const seconds = this.secondStats(second);
    const stats = this.requestStats(seconds, sample.name, sample.method);
    if (sample.interrupted) {
      stats.interrupted++;
      return;
    }
    stats.count++;
    stats.bytesIn += sample.bytesIn;
    stats.bytesOut += sample.bytesOut;
    if (sample.messagesIn !== undefined) stats.messagesIn += sample.messagesIn;
    if (sample.messagesOut !== undefined) stats.messagesOut += sample.messagesOut;
    stats.latency.recordValue(toMicros(latencyUs));
    stats.service.recordValue(toMicros(serviceUs));
    // The same string response after response: only a change costs a merge.
    if (sample.protocol !== stats.protocol && sample.protocol !== undefined)
      stats.protocol = mergeProtocols(stats.protocol, sample.protocol);
    if (sample.status !== null) stats.statusCodes.set(sample.status, (stats.statusCodes.get(sample.status) ?? 0) + 1);
    if (sample.failure !== null) {
      stats.failures++;
      stats.failuresByKind[sample.failure] = (stats.failuresByKind[sample.failure] ?? 0) + 1;
      this.sums.failures++;
    }
    seconds.checksPassed += sample.checksPassed;
    seconds.checksFailed += sample.checksFailed;
    this.sums.requests++;
  }

  /** A pass through a group of steps ended: its duration in microseconds; failed when a request in it failed. */
  recordGroup(second: number, name: string, durationUs: number, failed: boolean): void {
    this.assertOpen();
    const stats = this.secondStats(second);
    stats.groups ??= new Map();
    let group = stats.groups.get(name);
    if (!group) stats.groups.set(name, (group = { count: 0, failures: 0, duration: this.histogram() }));
    group.count++;
    if (failed) group.failures++;
    group.duration.recordValue(toMicros(durationUs));
  }

  /** An iteration finished, or was `interrupted` (cut short at the stop). */
  recordIteration(second: number, interrupted = false): void {
    this.assertOpen();
    const stats = this.secondStats(second);
    if (interrupted) stats.interruptedIterations++;
    else stats.iterations++;
  }

  /** An open executor's iteration could not start in time: no VU was free, `lateMs` after it was due. */
  recordDropped(second: number, count = 1, lateMs = 0): void {
    this.assertOpen();
    const stats = this.secondStats(second);
    stats.droppedIterations += count;
    if (droppedLate(lateMs)) stats.lateDrops += count;
  }

  /** A window reports the most users that were active during its second. */
  setActiveUsers(users: number, second: number): void {
    this.activeUsers = users;
    if (this.finished) return;
    const stats = this.secondStats(second);
    if (users > stats.activeUsers) stats.activeUsers = users;
  }

  /**
   * The run is paused (or resumed) from `second` on: that second's window says it was paused,
   * and so does every later one until the resume's, which does too (paused for some of it).
   */
  setPaused(paused: boolean, second: number): void {
    if (this.finished || paused === this.paused) return;
    // The seconds so far without a window get the state they had: a quiet paused second says so too.
    for (let s = this.nextSecond; s < second; s++) this.secondStats(s);
    this.secondStats(second).paused = true;
    this.paused = paused;
  }

  /** Windows start at `second` rather than earlier: the run begins then. Only before anything is recorded. */
  skipTo(second: number): void {
    if (this.seconds.size === 0 && second > this.nextSecond) this.nextSecond = second;
  }

  /** Windows of every second before `untilSecond` not yet closed, oldest first. */
  closeBefore(untilSecond: number): MetricWindow[] {
    if (this.finished) return [];
    const windows: MetricWindow[] = [];
    const loads: SecondLoad[] = [];
    for (; this.nextSecond < untilSecond; this.nextSecond++) {
      const stats = this.seconds.get(this.nextSecond);
      // Only where the generator is judged, and before its window: that hands its histograms back to the spares.
      if (this.probe) loads.push(secondLoad(stats));
      windows.push(this.windowOf(this.nextSecond, stats));
      this.seconds.delete(this.nextSecond);
    }
    if (this.lastSecond < this.nextSecond) this.lastStats = undefined;
    // Measured since the last windows: seconds closed together (a stall held the ticker) share it;
    // each is judged with its own drops and its own requests' times too.
    if (this.probe && windows.length > 0) {
      const measured = this.probe.sample();
      windows.forEach((w, i) => {
        w.generator = { ...measured, saturated: generatorSaturated(measured, loads[i]) };
      });
    }
    return windows;
  }

  /** An open executor started an iteration `lateMs` after it was due (the generator's health). */
  recordTimerSlip(lateMs: number): void {
    this.probe?.recordTimerSlip(lateMs);
  }

  /**
   * Forgets what was recorded so far (a rehearsal's, before the run begins; see rehearsal.ts)
   * and stops measuring; its histograms are kept for the run's seconds.
   */
  forget(): void {
    for (const stats of this.seconds.values()) this.recycleAll(stats);
    this.seconds.clear();
    this.sums.requests = 0;
    this.sums.failures = 0;
    this.activeUsers = 0;
    this.lastSecond = -1;
    this.lastStats = undefined;
    this.probe?.stop();
  }

  /** The run's load begins: the generator's health is measured from now. */
  beginMeasuring(): void {
    this.probe?.start();
  }

  /** The last windows of the run, the current partial second included; nothing is recorded after. */
  finish(currentSecondNow: number): MetricWindow[] {
    const last = Math.max(currentSecondNow, ...this.seconds.keys());
    const windows = this.closeBefore(last + 1);
    this.finished = true;
    this.probe?.stop();
    return windows;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error(`run ${this.runId}: measurement recorded after the last window`);
  }

  private secondStats(second: number): SecondStats {
    if (second === this.lastSecond && this.lastStats) return this.lastStats;
    const s = Math.max(second, this.nextSecond);
    let stats = this.seconds.get(s);
    if (!stats) {
      stats = {
        activeUsers: this.activeUsers,
        requests: new Map(),
        iterations: 0,
        droppedIterations: 0,
        lateDrops: 0,
        interruptedIterations: 0,
        checksPassed: 0,
        checksFailed: 0,
        paused: this.paused,
      };
      this.seconds.set(s, stats);
    }
    if (s === second) {
      this.lastSecond = second;
      this.lastStats = stats;
    }
    return stats;
  }

  private requestStats(second: SecondStats, name: string, method: string): RequestStats {
    let byMethod = second.requests.get(name);
    if (byMethod) {
      for (const stats of byMethod) if (stats.method === method) return stats;
    } else {
      byMethod = [];
      second.requests.set(name, byMethod);
    }
    const stats: RequestStats = {
      name,
      method,
      count: 0,
      failures: 0,
      bytesIn: 0,
      bytesOut: 0,
      latency: this.histogram(),
      service: this.histogram(),
      failuresByKind: {},
      statusCodes: new Map(),
      interrupted: 0,
      protocol: undefined,
      messagesIn: 0,
      messagesOut: 0,
    };
    byMethod.push(stats);
    return stats;
  }

  private windowOf(second: number, stats: SecondStats | undefined): MetricWindow {
    const requests: RequestWindow[] = [];
    for (const byMethod of stats?.requests.values() ?? []) {
      for (const r of byMethod) {
        const request: RequestWindow = {
          name: r.name,
          method: r.method,
          count: r.count,
          failures: r.failures,
          bytesIn: r.bytesIn,
          bytesOut: r.bytesOut,
          histogram: encodeHistogram(r.latency),
          serviceHistogram: encodeHistogram(r.service),
          failuresByKind: { ...r.failuresByKind },
          statusCodes: Object.fromEntries([...r.statusCodes].map(([code, n]) => [String(code), n])),
        };
        // Only at a stop: the field is left out otherwise, as the windows of older workers have it.
        if (r.interrupted > 0) request.interrupted = r.interrupted;
        if (r.protocol !== undefined) request.protocol = r.protocol;
        // Only for ws and sse steps: left out for requests, as the windows of older workers have it.
        if (r.messagesIn > 0) request.messagesIn = r.messagesIn;
        if (r.messagesOut > 0) request.messagesOut = r.messagesOut;
        requests.push(request);
      }
    }
    const window: MetricWindow = {
      runId: this.runId,
      workerId: this.workerId,
      second,
      activeUsers: stats?.activeUsers ?? this.activeUsers,
      requests,
      iterations: stats?.iterations ?? 0,
      droppedIterations: stats?.droppedIterations ?? 0,
      checksPassed: stats?.checksPassed ?? 0,
      checksFailed: stats?.checksFailed ?? 0,
    };
    if (stats && stats.interruptedIterations > 0) window.interruptedIterations = stats.interruptedIterations;
    // Left out without groups, as the windows of older workers have it.
    if (stats?.groups) {
      window.groups = [...stats.groups].map(([name, g]) => ({
        name,
        count: g.count,
        failures: g.failures,
        histogram: encodeHistogram(g.duration),
      }));
    }
    // Left out when not paused, as the windows of older workers have it.
    if (stats?.paused ?? this.paused) window.paused = true;
    if (stats) this.recycleAll(stats);
    return window;
  }

  /** Every histogram of a second, encoded (its window) or forgotten: back to the spares. */
  private recycleAll(stats: SecondStats): void {
    for (const byMethod of stats.requests.values()) {
      for (const r of byMethod) {
        this.recycle(r.latency);
        this.recycle(r.service);
      }
    }
    for (const g of stats.groups?.values() ?? []) this.recycle(g.duration);
  }

  private histogram(): Histogram {
    return this.spare.pop() ?? newLatencyHistogram();
  }

  private recycle(h: Histogram): void {
    if (this.spare.length >= 64) return;
    h.reset();
    this.spare.push(h);
  }
}
