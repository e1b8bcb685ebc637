// The fleet section's table, from what fleet.ts collected.
import { START_LEAD_MS } from "@loadline/core";
import { fmt, markdownTable } from "../lib/table.ts";
import { percentile } from "../read-side/bench-util.ts";
import { type FleetData, type PhaseTimes, REQUEST_EVERY_MS } from "./fleet-data.ts";

const START_GOAL_MS = 1000;

function phaseTable(p: PhaseTimes, startGoal: string): string {
  const row = (what: string, xs: number[], goal: string) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? [what, "—", "—", "—", "0", goal]
      : [what, fmt(percentile(s, 50), 0), fmt(percentile(s, 99), 0), fmt(s.at(-1)!, 0), fmt(s.length, 0), goal];
  };
  return markdownTable(
    ["from → to", "p50 ms", "p99 ms", "max ms", "runs", "goal"],
    [
      row("run.start command → first request sent", p.toFirstRequest, startGoal),
      row("↳ command → planned (first run.worker-assigned)", p.toAssigned, ""),
      row("↳ planned → run.started (every worker ready)", p.assignedToStarted, ""),
      row("run.start command → first request at the target", p.toFirstArrival, "(informative: the simulation's own HTTP client)"),
      row("run.stop command → every worker of the run silent", p.toSilence, "< 1000 ms (a stop reaches every worker within 1 s)"),
      row("run.stop command → last request received", p.toLastArrival, "(informative: requests already sent still land)"),
    ],
    [false, true, true, true, true, false],
  );
}

const verdict = (p: PhaseTimes): string => {
  const s = [...p.toFirstRequest].sort((a, b) => a - b);
  if (s.length === 0) return "no run started";
  const p99 = percentile(s, 99);
  return `p99 ${fmt(p99, 0)} ms: ${p99 < START_GOAL_MS ? "PASS" : "MISS"}`;
};

export function fleetTable(d: FleetData): string {
  const failed = (p: PhaseTimes) => (p.runsFailed > 0 ? ` ${p.runsFailed} runs never sent a request.` : "");
  return [
    `### Fleet — one orchestrator, ${fmt(d.workers, 0)} simulated workers`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    ...(d.failure
      ? [`Not available: ${d.failure}`]
      : [
          `#### ${fmt(d.wideRuns, 0)} runs on all ${fmt(d.workers, 0)} workers, one after another.${failed(d.wide)}`,
          "",
          phaseTable(d.wide, `< ${fmt(START_GOAL_MS, 0)} ms: ${verdict(d.wide)}`),
          "",
          `#### ${fmt(d.runs, 0)} runs of ${d.workersPerRun} workers each, created in one burst.${failed(d.burst)}`,
          "",
          phaseTable(d.burst, `(informative) ${verdict(d.burst)}`),
        ]),
    "",
    `Planning, the ready barrier (every worker of a run starts at one instant, ${START_LEAD_MS} ms after the last is ready) and the stop are the real`,
    "orchestrator's (a process of its own); the workers are simulations in the harness's process (one NATS connection, one event",
    `consumer) sending a request every ${REQUEST_EVERY_MS} ms per assignment, so a request's arrival says more about the simulation than`,
    "about the orchestrator. In the burst, the orchestrator, NATS and the 500 simulations share the machine's cores.",
  ].join("\n");
}
