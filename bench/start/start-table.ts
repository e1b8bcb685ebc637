// The start section's table, from what start.ts collected.
import { fmt, markdownTable } from "../lib/table.ts";
import { percentile } from "../read-side/bench-util.ts";

/** One run's times, ms: from its command to its first request's arrival, and the steps between (undefined: not seen). */
export type StartTry = {
  toFirstArrival: number | undefined;
  toAssigned: number | undefined;
  assignedToReady: number | undefined;
  readyToStarted: number | undefined;
  startedToFirstArrival: number | undefined;
};

export type StartData = { tries: StartTry[]; machine: string; loadAverageBefore: string; loadAverageAfter: string; failure?: string };

export function startTable(d: StartData): string {
  const row = (what: string, pick: (t: StartTry) => number | undefined, goal: string) => {
    const xs = d.tries
      .map(pick)
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => a - b);
    return xs.length === 0
      ? [what, "—", "—", "—", "0", goal]
      : [what, fmt(percentile(xs, 50), 0), fmt(percentile(xs, 99), 0), fmt(xs.at(-1)!, 0), fmt(xs.length, 0), goal];
  };
  return [
    `### Start — run.start command → first request at the target, one real worker, ${d.tries.length} runs one after the other`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["from → to", "p50 ms", "p99 ms", "max ms", "runs", "goal"],
          [
            row("run.start command → first request at the target", (t) => t.toFirstArrival, "p99 < 250 ms"),
            row("↳ command → planned (run.worker-assigned appended)", (t) => t.toAssigned, ""),
            row("↳ planned → the worker ready (threads up, connections warm)", (t) => t.assignedToReady, ""),
            row("↳ ready → run.started appended", (t) => t.readyToStarted, ""),
            row("↳ run.started → first request at the target (the start lead)", (t) => t.startedToFirstArrival, ""),
          ],
          [false, true, true, true, true, false],
        ),
    "",
    "The orchestrator and the worker are the deployed processes (`npm start` of each); the harness sends the command on",
    "LL_COMMANDS as the API does, reads the run's events as they are appended, and runs the target, so every time is on one clock.",
  ].join("\n");
}
