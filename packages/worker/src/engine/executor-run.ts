/** One executor's part of the load in one thread. */
export interface ExecutorRun {
  /** Starts the schedule; the start time is the executor's time zero. */
  start(): void;
  /** Resolves when the executor is over (schedule done, or stopped) and its last iteration has ended. */
  readonly done: Promise<void>;
}

/** A promise with its resolve, for an executor's `done`. */
export function completion(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
