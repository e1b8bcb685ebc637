// The fleet section's table, from what fleet.ts collected.
import { START_LEAD_MS } from "@loadline/core";
import { fmt, markdownTable } from "../lib/table.ts";
import { percentile } from "../read-side/bench-util.ts";
import { type FleetData, REQUEST_EVERY_MS } from "./fleet-data.ts";

export function fleetTable(d: FleetData): string {
  const row = (what: string, xs: number[], goal: string) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? [what, "—", "—", "—", "0", goal]
      : [what, fmt(percentile(s, 50), 0), fmt(percentile(s, 99), 0), fmt(s.at(-1)!, 0), fmt(s.length, 0), goal];
  };
  return [
    `### Fleet — one orchestrator, ${fmt(d.workers, 0)} simulated workers, ${fmt(d.runs, 0)} concurrent runs (${d.workersPerRun} workers each)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.${d.runsFailed > 0 ? ` ${d.runsFailed} runs never sent a request.` : ""}`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["from → to", "p50 ms", "p99 ms", "max ms", "runs", "goal"],
          [
            row("run.start command → first request sent", d.toFirstRequest, "(informative)"),
            row("↳ command → planned (first run.worker-assigned)", d.toAssigned, ""),
            row("↳ planned → run.started (every worker ready)", d.assignedToStarted, ""),
            row("run.start command → first request at the target", d.toFirstArrival, "(informative: the simulation's own HTTP client)"),
            row("run.stop command → every worker of the run silent", d.toSilence, "< 1000 ms (a stop reaches every worker within 1 s)"),
            row("run.stop command → last request received", d.toLastArrival, "(informative: requests already sent still land)"),
          ],
          [false, true, true, true, true, false],
        ),
    "",
    `Planning, the ready barrier (every worker of a run starts at one instant, ${START_LEAD_MS} ms after the last is ready) and the stop are the real`,
    "orchestrator's (a process of its own); the workers are simulations in the harness's process (one NATS connection, one event",
    `consumer) sending a request every ${REQUEST_EVERY_MS} ms per assignment: 1,000 assignments open their connections at about the same`,
    "instant, so a request's arrival says more about the simulation than about the orchestrator. The runs are created together, in one burst.",
  ].join("\n");
}
