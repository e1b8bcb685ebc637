import type { MetricWindow, RunPlan } from "@loadline/core";
import type { RunTotals } from "../windows.ts";
import { ThreadEngine, type ClosableTransport } from "./thread-engine.ts";

/** One run's load on this worker, in this thread or spread over worker threads. */
export interface LoadEngine {
  /** Resolves once the executors run (threads take a moment to start), or could not start. */
  start(): Promise<void>;
  /** Closes the seconds before `second`: their windows go to `onWindows` (at once, or when every thread answered). */
  tick(second: number): void;
  /** Starts no further iteration, lets those running end for up to `graceMs`, aborts the rest, hands over the last windows. */
  stop(graceMs: number): Promise<RunTotals>;
  /** VUs active now (as last reported by the threads). */
  readonly activeUsers: number;
  /** Resolves once every executor is over by itself (durations passed, iterations done) or stopped. */
  readonly finished: Promise<void>;
}

export type LoadEngineOptions = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  fraction: number;
  /** Epoch second of the first window. */
  firstSecond: number;
  /** Where every closed second's window goes, one per second, in order, no gap. */
  onWindows: (windows: MetricWindow[]) => void;
  onError: (err: unknown) => void;
  /** Told when a stop had to abort iterations still running after the grace period. */
  onAbortedAfterGrace?: () => void;
  /** Told what the engine chose instead of what was asked (threads it cannot start). */
  onWarning?: (message: string) => void;
};

/** The engine in the calling thread: no merge, no message. */
export class InlineEngine implements LoadEngine {
  private readonly engine: ThreadEngine;

  constructor(
    private readonly opts: LoadEngineOptions,
    transport?: ClosableTransport,
  ) {
    this.engine = new ThreadEngine({ ...opts, thread: { index: 0, count: 1 }, ...(transport ? { transport } : {}) });
  }

  get activeUsers(): number {
    return this.engine.activeUsers;
  }

  get finished(): Promise<void> {
    return this.engine.done;
  }

  start(): Promise<void> {
    return this.engine.start();
  }

  tick(second: number): void {
    const windows = this.engine.closeBefore(second);
    if (windows.length > 0) this.opts.onWindows(windows);
  }

  async stop(graceMs: number): Promise<RunTotals> {
    const { windows, totals, abortedAfterGrace } = await this.engine.stop(graceMs);
    if (abortedAfterGrace) this.opts.onAbortedAfterGrace?.();
    if (windows.length > 0) this.opts.onWindows(windows);
    return totals;
  }
}
