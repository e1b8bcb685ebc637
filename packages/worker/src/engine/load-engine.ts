import type { MetricWindow, RunPlan } from "@loadline/core";
import type { RunTotals } from "../windows.ts";
import type { LoadControl } from "./load-control.ts";

/** Which lanes of a run this worker runs. */
export type LaneShare = { laneCount: number; lanes: readonly number[] };

/** The whole run on one worker. */
export const ALL_LANES: LaneShare = { laneCount: 1, lanes: [0] };

/**
 * One run's load on this worker, in this thread (InlineEngine) or spread over worker threads
 * (MultiThreadEngine), as createLoadEngine picks: prepared (threads up, HTTP warm), then begun
 * at the run's agreed start on every worker at once.
 */
export interface LoadEngine {
  /** Resolves once the engine can begin at once (or could not start). */
  prepare(): Promise<void>;
  /** The executors' time zero, epoch ms: a moment ahead (they wait for it) or behind (they catch up). */
  begin(originMs: number): void;
  /** More lanes of the run, a lost worker's: they join at the run's point in time, or at the start when not begun. */
  addLanes(lanes: readonly number[]): void;
  /**
   * The run's live control (pause, resume, scale; see LoadControl), to every thread and
   * executor: the whole state, so that the same one twice changes nothing. Before `begin` it is
   * kept for the start.
   */
  control(c: LoadControl): void;
  /** Closes the seconds before `second`: their windows go to `onWindows` (at once, or when every thread answered). */
  tick(second: number): void;
  /**
   * Starts no further iteration; those running get their executor's graceful stop (at most
   * `capMs` when given), then are interrupted; hands over the last windows.
   */
  stop(capMs?: number): Promise<RunTotals>;
  /** VUs active now (as last reported by the threads). */
  readonly activeUsers: number;
  /** Resolves once every executor is over by itself (durations passed, iterations done) or stopped. */
  readonly finished: Promise<void>;
}

export type LoadEngineOptions = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  share: LaneShare;
  /** Where every closed second's window goes, one per second, in order, no gap. */
  onWindows: (windows: MetricWindow[]) => void;
  onError: (err: unknown) => void;
  /** Told when a stop interrupted iterations still running after their graceful stop. */
  onAbortedAfterGrace?: () => void;
  /** Told what the engine chose instead of what was asked (threads it cannot start). */
  onWarning?: (message: string) => void;
};

/** Prepares and begins now: a run of its own (local runs, tests). */
export async function startNow(engine: LoadEngine): Promise<void> {
  await engine.prepare();
  engine.begin(Date.now());
}
