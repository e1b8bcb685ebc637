// The replay section's table, from what replay.ts collected.
import { fmt, markdownTable } from "../lib/table.ts";
import { cpuText, profileTable } from "./bench-util.ts";
import { REPLAY_DEFAULTS, type ReplayData, SAMPLE_FOR_STEPS } from "./replay-data.ts";

const pass = (perSec: number, goal: number) => (perSec >= goal ? "PASS" : "MISS");

export function replayTable(d: ReplayData): string {
  const rows = d.rows.map(({ projection, batchSize, libraryDefault, outcome: o }) => {
    const what =
      projection === "events"
        ? "events (LL_EVENTS → load_tests, runs)"
        : `metrics (LL_METRICS → metric_windows + rollups, ${d.requestsPerWindow} names/window)`;
    const batch = `${fmt(batchSize, 0)}${libraryDefault ? " (default)" : ""}`;
    const goal = projection === "events" ? `≥ ${fmt(REPLAY_DEFAULTS.goalPerSec, 0)}/s` : "(informative)";
    if (!o.ok) return [what, batch, "—", "—", "—", goal, projection === "events" ? "MISS" : "—", `not available: ${o.reason}`];
    const r = o.result;
    const notes = [
      r.steadyPerSec !== undefined ? `${fmt(r.steadyPerSec, 0)}/s once under way` : "",
      r.requestRowsPerSec !== undefined ? `${fmt(r.requestRowsPerSec, 0)} request rows/s` : "",
      `CPU ${cpuText(r.cpu)}; main thread busy ${Math.round(100 * r.elu)}%`,
      r.checkOk ? "read model checked" : `CHECK FAILED: ${r.check}`,
    ]
      .filter(Boolean)
      .join("; ");
    return [
      what,
      batch,
      fmt(r.applied, 0),
      fmt(r.seconds, 1),
      fmt(r.perSec, 0),
      goal,
      projection === "events" ? pass(r.perSec, REPLAY_DEFAULTS.goalPerSec) : "—",
      notes,
    ];
  });
  const publish = d.publish.map(({ stream, outcome: o }) =>
    o.ok
      ? [stream, fmt(o.result.messages, 0), fmt(o.result.bytes / 2 ** 20, 0), fmt(o.result.seconds, 1), fmt(o.result.perSec, 0)]
      : [stream, "—", "—", "—", `not available: ${o.reason}`],
  );
  const parts = [
    `### 2. Replay — rebuildProjection from the stream into fresh tables, swapped in (goal ≥ ${fmt(REPLAY_DEFAULTS.goalPerSec, 0)} events/s)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    markdownTable(["projection", "batch size", "events", "seconds", "events/s", "goal", "result", "notes"], rows, [
      false,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]),
    "",
    "Seconds: the whole rebuildProjection call (fresh schema migrated, replay, swap); events/s = applied / seconds. " +
      "CPU in % of one core over the rebuild. Publishing each stream first (async publishes, 5,000 in flight; not part of the goal):",
    "",
    markdownTable(["stream", "messages", "MiB", "seconds", "messages/s"], publish, [false, true, true, true, true]),
  ];
  for (const { projection, batchSize, outcome: o } of d.rows) {
    if (o.ok && o.result.profile)
      parts.push(
        "",
        profileTable(`CPU profile of the ${projection} rebuild, batch size ${batchSize} (${o.result.profile.file})`, o.result.profile),
      );
  }
  if (d.steps) {
    const budget = 1e6 / REPLAY_DEFAULTS.goalPerSec;
    parts.push(
      "",
      `Each step of the events projection alone, in this process, on the first ${fmt(Math.min(d.events, SAMPLE_FOR_STEPS), 0)} events (the goal leaves ${fmt(budget, 0)} µs per event for everything):`,
      "",
      markdownTable(
        ["step", "µs/event", "share of the budget", "note"],
        d.steps.map((s) => [s.step, fmt(s.usPerEvent, 2), `${fmt((100 * s.usPerEvent) / budget, 0)}%`, s.note ?? ""]),
        [false, true, true, false],
      ),
    );
  }
  return parts.join("\n");
}
