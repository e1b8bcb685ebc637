import { createHistogram, type EventLoopUtilization, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import type { GeneratorHealth } from "@loadline/core";

/** The event-loop probe's period: its timer's lateness beyond it is the loop's delay. */
const PROBE_MS = 10;
const NS_PER_MS = 1e6;
const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;

/**
 * One engine thread's own health (issue 24), sampled at each window: its event loop's delay
 * (a 10 ms timer's lateness, percentiles), how late its open executors started iterations
 * against their schedule, its garbage-collection pauses, and how busy it was (event-loop
 * utilization: the share of the time it ran rather than waited). Each figure is this thread's:
 * perf_hooks measures the isolate it runs in. Cheap: one 10 ms timer and a histogram record per
 * arrival.
 */
export class GeneratorProbe {
  private readonly loop = monitorEventLoopDelay({ resolution: PROBE_MS });
  private readonly slip = createHistogram();
  private readonly gc: PerformanceObserver;
  /**
   * In whole microseconds: a field that holds only small integers keeps the probe's shape. In
   * milliseconds it became a fraction at the first GC, the probe's map changed, and the code that
   * inlines `recordTimerSlip` (the arrival executor's `launch`) bailed out.
   */
  private gcUs = 0;
  private utilization: EventLoopUtilization;

  constructor() {
    this.gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.gcUs += Math.round(entry.duration * 1e3);
    });
    this.utilization = performance.eventLoopUtilization();
  }

  /**
   * Measures from now: the run's load begins (preparing it is not its health). Nothing runs
   * before, so a load stopped before it began (a run cancelled while starting) leaves no probe
   * timer or observer behind.
   */
  start(): void {
    this.loop.enable();
    this.gc.observe({ entryTypes: ["gc"] });
    this.reset();
  }

  /** An open executor started an iteration `lateMs` after it was due. */
  recordTimerSlip(lateMs: number): void {
    this.slip.record(Math.max(1, Math.round(lateMs * NS_PER_MS)));
  }

  private reset(): void {
    this.loop.reset();
    this.slip.reset();
    this.gcUs = 0;
    this.utilization = performance.eventLoopUtilization();
  }

  /** The health since the last sample (or reset), and begins the next; whether a second was saturated is the windows' to say. */
  sample(): Omit<GeneratorHealth, "saturated"> {
    const since = performance.eventLoopUtilization(this.utilization);
    const measured: Omit<GeneratorHealth, "saturated"> = {
      loopDelayP95Ms: this.loop.count === 0 ? 0 : ms(Math.max(0, this.loop.percentile(95) - PROBE_MS * NS_PER_MS)),
      loopDelayMaxMs: this.loop.count === 0 ? 0 : ms(Math.max(0, this.loop.max - PROBE_MS * NS_PER_MS)),
      gcPauseMs: this.gcUs / 1e3,
      busy: Math.round(since.utilization * 1e3) / 1e3,
    };
    if (this.slip.count > 0) {
      measured.timerSlipP50Ms = ms(this.slip.percentile(50));
      measured.timerSlipP95Ms = ms(this.slip.percentile(95));
      measured.timerSlipMaxMs = ms(this.slip.max);
    }
    this.reset();
    return measured;
  }

  stop(): void {
    this.loop.disable();
    this.gc.disconnect();
  }
}
