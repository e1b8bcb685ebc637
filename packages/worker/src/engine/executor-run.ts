import type { ExecutorControl } from "./load-control.ts";

/** When an executor starts, in `performance.now()` time of its own thread. */
export type ExecutorStart = {
  /** The executor's time zero: the run's agreed start. It may be a moment ahead (the executor waits) or behind. */
  origin: number;
  /**
   * Set when the lane joins a run in progress (it was a lost worker's): iterations due before
   * it are not this worker's to catch up on. Absent, a late start catches up (a burst, never a gap).
   */
  joinedAt?: number;
};

/** One executor's part of the load in one thread. */
export interface ExecutorRun {
  start(at: ExecutorStart): void;
  /** The run's live control (pause, scale), before or after the start: the whole state each time. */
  control(c: ExecutorControl): void;
  /** Resolves when the executor is over (schedule done, or stopped) and its last iteration has ended. */
  readonly done: Promise<void>;
}

/** Makes VU number k of an executor (0-based, in the whole run) its id in the run. */
export type VuIds = (k: number) => number;

/** A promise with its resolve, for an executor's `done`. */
export function completion(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
