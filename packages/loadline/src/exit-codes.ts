import type { RunView } from "@loadline/core";

/**
 * What `loadline run` and `loadline demo` exit with: 99 for a run that failed a threshold (as
 * k6 does), so that CI can tell a slow system from a broken run.
 */
export const EXIT = {
  /** The run completed with all of its planned load. */
  completed: 0,
  /** The run failed or was cancelled. */
  failed: 1,
  /** The test file or the test was refused. */
  refused: 2,
  /** The run completed, but some of its planned load was not run (lanes lost and not, or late, taken over): its figures are of less load than asked. */
  degraded: 3,
  /** The run completed (or was stopped by an abortOnFail threshold) and a threshold failed. */
  thresholdsFailed: 99,
} as const;

/** The exit code of a run as it ended: a failed run first, then a failed threshold, then missing load. */
export function runExitCode(run: Pick<RunView, "status" | "degraded" | "verdict">): number {
  if (run.status !== "Completed") return EXIT.failed;
  if (run.verdict === "failed") return EXIT.thresholdsFailed;
  return run.degraded ? EXIT.degraded : EXIT.completed;
}
