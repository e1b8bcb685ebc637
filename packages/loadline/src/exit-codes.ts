import type { RunView } from "@loadline/core";

/**
 * What `loadline run` and `loadline demo` exit with. 99 is kept for a run that breaks its
 * thresholds (to come), so that CI can tell a slow system from a broken run.
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
} as const;

/** The exit code of a run as it ended. */
export function runExitCode(run: Pick<RunView, "status" | "degraded">): number {
  if (run.status !== "Completed") return EXIT.failed;
  return run.degraded ? EXIT.degraded : EXIT.completed;
}
