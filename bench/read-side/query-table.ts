// The query section's table, from what query.ts collected.
import { fmt, markdownTable } from "../lib/table.ts";
import { profileTable } from "./bench-util.ts";
import type { QueryData } from "./query-data.ts";

export function queryTable(d: QueryData): string {
  const rows = d.rows.map((r) => [
    r.query,
    fmt(r.points, 0),
    fmt(r.bytes / 1024, 0),
    fmt(r.p50, 1),
    fmt(r.p95, 1),
    fmt(r.max, 1),
    r.goalMs === undefined ? "(informative)" : `p95 < ${r.goalMs} ms`,
    r.goalMs === undefined ? "—" : r.p95 < r.goalMs ? "PASS" : "MISS",
    r.cpu ? `${r.cpu.nodePct}% / ${r.cpu.postgresPct}% / ${r.cpu.othersPct}%` : "—",
  ]);
  const s = d.seeding;
  const parts = [
    `### 3. Query — metrics of a ${fmt(d.seconds / 3600, d.seconds % 3600 === 0 ? 0 : 2)}-hour run (${d.workers} workers, ${d.names} request names)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    s
      ? `Seeded through the metrics projection's rollUp (${s.chunkSeconds} s of windows per transaction): ${fmt(s.windows, 0)} windows in ${fmt(s.seconds, 1)} s ` +
        `(${fmt(s.windows / s.seconds, 0)} windows/s), ${fmt(s.rollupRows, 0)} rollup rows, ${fmt(s.tableMb, 0)} MiB. ` +
        "Raw per-worker windows (metric_windows) are not written: only workers= queries read them, and none is timed here."
      : "",
    "",
    `${d.transport}. Queries one at a time, each timed ${d.runs} times after ${d.warmups} warm-ups; CPU in % of one core over its timed runs (others: processes not ours).`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["query", "points/rows", "KiB", "p50 ms", "p95 ms", "max ms", "goal", "result", "CPU node / postgres / others"],
          rows,
          [false, true, true, true, true, true, false, false, true],
        ),
  ];
  if (d.profile) parts.push("", profileTable(`CPU profile over HTTP: ${d.profile.queries} (${d.profile.file})`, d.profile));
  return parts.filter((p, i, a) => !(p === "" && a[i - 1] === "")).join("\n");
}
