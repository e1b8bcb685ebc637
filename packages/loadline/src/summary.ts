import type { AggregateView, RequestStats, RunView } from "@loadline/core";

const COLUMNS = ["name", "requests", "rps", "errors", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"] as const;

const row = (name: string, s: RequestStats): string[] => [
  name,
  String(s.requests),
  s.rps.toFixed(1),
  `${s.failures} (${(s.errorRate * 100).toFixed(2)}%)`,
  s.latency.p50.toFixed(2),
  s.latency.p90.toFixed(2),
  s.latency.p95.toFixed(2),
  s.latency.p99.toFixed(2),
  s.latency.p999.toFixed(2),
  s.latency.max.toFixed(2),
];

/** The run's summary as a plain-text table: one row per request name, then the total. */
export function formatSummary(run: RunView, total: AggregateView): string {
  const rows = [[...COLUMNS], ...total.endpoints.map((e) => row(`${e.method} ${e.name}`, e)), row("TOTAL", total)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const header = `run ${run.id}: ${run.status}${run.reason ? ` (${run.reason})` : ""}, ${run.targetUsers} users, ${total.seconds} s`;
  return [header, line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!), "", countersLine(total)].join("\n");
}

/** Iterations, dropped iterations, checks and the kinds of failure, in one line. */
function countersLine(t: AggregateView): string {
  const kinds = Object.entries(t.failuresByKind)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  return [
    `iterations ${t.iterations}`,
    `dropped ${t.droppedIterations}`,
    `checks ${t.checksPassed} passed, ${t.checksFailed} failed`,
    `failures: ${kinds.length > 0 ? kinds.join(", ") : "none"}`,
  ].join("  |  ");
}

export function formatProgress(run: RunView): string {
  const m = run.lastMetrics;
  const figures = m ? `  ${m.rps} req/s  p95 ${m.p95.toFixed(1)} ms  errors ${(m.errorRate * 100).toFixed(1)}%  users ${m.users}` : "";
  return `[${run.status}]${figures}`;
}
