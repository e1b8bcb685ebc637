import type { AggregateView, EndpointView, PhaseRequest, RequestStats, RunCost, RunView } from "@loadline/core";

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

/** An endpoint's row name; a protocol other than HTTP/1.1 (h2) follows it, HTTP/1.1 being the rule. */
const endpointLabel = (e: EndpointView): string =>
  `${e.method} ${e.name}${e.protocol && e.protocol !== "http/1.1" ? ` [${e.protocol}]` : ""}`;

/** A share as a percentage rounded down: 99.99% shows as 99.9, never as 100. */
const percent = (share: number) => `${(Math.floor(share * 1000) / 10).toFixed(1)}%`;

/** How the run ended, for the first line: a degraded run says so, and how much of its load ran. */
function outcome(run: RunView): string {
  if (run.degraded) return `${run.status}, DEGRADED (${run.coverage === null ? "part" : percent(run.coverage)} of the planned load ran)`;
  return `${run.status}${run.reason ? ` (${run.reason})` : ""}`;
}

/**
 * The run's summary as a plain-text table: one row per request name, then the total; a degraded
 * run ends with why, where the eye lands last: its figures are of less load than was asked.
 */
export function formatSummary(run: RunView, total: AggregateView): string {
  const rows = [[...COLUMNS], ...total.endpoints.map((e) => row(endpointLabel(e), e)), row("TOTAL", total)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const header = `run ${run.id}: ${outcome(run)}, ${run.targetUsers} users, ${total.seconds} s`;
  const degraded = run.degraded
    ? ["", `DEGRADED: ${run.reason ?? "some of the planned load was not run"}. These figures are of less load than was asked.`]
    : [];
  return [
    header,
    line(rows[0]!),
    rule,
    ...rows.slice(1, -1).map(line),
    rule,
    line(rows.at(-1)!),
    "",
    countersLine(total),
    ...(run.cost ? [costLine(run.cost)] : []),
    ...phaseLines(run),
    ...degraded,
    ...generatorLines(total),
    ...thresholdLines(run),
  ].join("\n");
}

/**
 * A warning when the generator itself set some seconds' load or latencies (issue 24): which
 * worker, how many seconds, from when, and its worst figures, so the user knows those seconds
 * measure the generator, not the target.
 */
export function generatorLines(total: AggregateView): string[] {
  const saturated = total.generator?.workers.filter((w) => w.saturatedSeconds > 0) ?? [];
  if (saturated.length === 0) return [];
  return [
    "",
    `GENERATOR SATURATED: ${total.generator!.saturatedSeconds} worker-second(s) were limited by the load generator, not the target; their load or latency is the generator's.`,
    ...saturated.map(
      (w) =>
        `  ${w.workerId}: ${w.saturatedSeconds} of ${w.seconds} s from ${w.saturated[0] ?? "?"}` +
        `  (event-loop delay p95 ${round(w.loopDelayP95Ms)} ms, timer slip p95 ${w.timerSlipP95Ms === null ? "-" : round(w.timerSlipP95Ms)} ms, busiest thread ${Math.round(w.busy * 100)}%, GC ${round(w.gcPauseMs)} ms)`,
    ),
  ];
}

/** The setup's and teardown's requests, apart from the load's: one line each phase. */
function phaseLines(run: RunView): string[] {
  const request = (r: PhaseRequest) => `${r.method} ${r.name} ${r.status ?? r.failure ?? "-"} in ${round(r.durationMs)} ms`;
  // An API older than setups answers without phases.
  return (["setup", "teardown"] as const).flatMap((phase) => {
    const record = run.phases?.[phase];
    return record ? [`${phase}: ${record.requests.map(request).join("; ")}`] : [];
  });
}

/** Each threshold with what was observed, then the verdict: what CI gates on (exit 99 when failed). */
function thresholdLines(run: RunView): string[] {
  // An API older than verdicts answers without them.
  if (!run.verdict || run.verdict === "none") return [];
  const lines = (run.thresholds ?? []).map(
    (t) => `  ${t.passed ? "✓" : "✗"} ${t.metric}: ${t.expression}  (observed ${t.observed === null ? "nothing" : round(t.observed)})`,
  );
  const why = run.stopReason === "threshold" ? " (stopped early: an abortOnFail threshold failed)" : "";
  return ["", `thresholds: ${run.verdict.toUpperCase()}${why}`, ...lines];
}

const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 1 ? 4 : 2));

/**
 * Iterations, dropped iterations, those interrupted at the stop (only when there were any: they
 * are in no other figure), checks and the kinds of failure, in one line.
 */
function countersLine(t: AggregateView): string {
  const kinds = Object.entries(t.failuresByKind)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  // An API older than these fields answers without them.
  const interrupted = t.interrupted ?? 0;
  const interruptedIterations = t.interruptedIterations ?? 0;
  return [
    `iterations ${t.iterations}`,
    `dropped ${t.droppedIterations}`,
    ...(interrupted > 0 || interruptedIterations > 0
      ? [`interrupted at the stop: ${interrupted} requests, ${interruptedIterations} iterations`]
      : []),
    `checks ${t.checksPassed} passed, ${t.checksFailed} failed`,
    `failures: ${kinds.length > 0 ? kinds.join(", ") : "none"}`,
  ].join("  |  ");
}

/** Money to the precision a small run needs: 0.0042, 12.50. */
const money = (n: number): string => (n >= 1 ? n.toFixed(2) : n === 0 ? "0" : String(Number(n.toPrecision(2))));

/** What the run cost and of what, per iteration and per 1,000 requests (docs/cost.md); an estimate says so. */
export function costLine(c: RunCost): string {
  const cur = c.currency;
  return [
    `cost ${money(c.total)} ${cur} (compute ${money(c.breakdown.compute)}, network ${money(c.breakdown.egress)}, requests ${money(c.breakdown.requests)})`,
    ...(c.perIteration !== null ? [`${money(c.perIteration)} ${cur} per iteration`] : []),
    ...(c.perThousandRequests !== null ? [`${money(c.perThousandRequests)} ${cur} per 1,000 requests`] : []),
    `${round(c.usage.vcpuSeconds)} vCPU-s${c.usage.estimated ? " (estimated: workers without recorded vCPUs count 1)" : ""}`,
  ].join("  |  ");
}

export function formatProgress(run: RunView): string {
  const m = run.lastMetrics;
  const figures = m ? `  ${m.rps} req/s  p95 ${m.p95.toFixed(1)} ms  errors ${(m.errorRate * 100).toFixed(1)}%  users ${m.users}` : "";
  return `[${run.status}]${figures}`;
}
