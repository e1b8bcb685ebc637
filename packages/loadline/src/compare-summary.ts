import { COMPARED_METRICS, type ComparedMetric, type MetricComparison, type RunComparisonView } from "@loadline/core";
import type { LoadlineClient } from "./client.ts";

const LABELS: Record<ComparedMetric, string> = {
  p50: "p50 ms",
  p90: "p90 ms",
  p95: "p95 ms",
  p99: "p99 ms",
  p999: "p99.9 ms",
  errorRate: "errors",
  rps: "rps",
};

const value = (metric: ComparedMetric, v: number): string =>
  metric === "errorRate" ? `${(v * 100).toFixed(2)}%` : metric === "rps" ? v.toFixed(1) : v.toFixed(2);

/** A change as a share of the previous value (+95%, -3.2%), else in the figure's unit (from nothing). */
function change(metric: ComparedMetric, m: MetricComparison): string {
  const sign = m.delta > 0 ? "+" : m.delta < 0 ? "-" : "±";
  if (m.relative === null) return `${sign}${value(metric, Math.abs(m.delta))}`;
  const p = Math.abs(m.relative * 100);
  return `${sign}${p >= 10 ? Math.round(p) : p.toFixed(1)}%`;
}

/** A change with its verdict when it is one: `+95% worse`, `+1.2%`. */
const changeCell = (metric: ComparedMetric, m: MetricComparison): string =>
  m.verdict === "same" ? change(metric, m) : `${change(metric, m)} ${m.verdict}`;

/** Rows as aligned columns: the first to the left, the others to the right; a rule under the header. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)];
}

/**
 * The comparison of a run with another as plain text: the verdict, the whole run's figures
 * (previous, current, change, the noise it was judged against), then each endpoint's changes.
 */
export function formatComparison(c: RunComparisonView): string {
  const what = c.comparedWith.via === "baseline" ? "the load test's baseline" : "a run";
  const { counts } = c;
  const lines = [
    `compared with run ${c.comparedWith.runId} (${what}): ${c.verdict.toUpperCase()} (${counts.worse} worse, ${counts.better} better, ${counts.same} the same)`,
  ];
  if (!c.sameTest) lines.push(`  note: run ${c.comparedWith.runId} is of another load test (${c.comparedWith.loadTestId})`);
  lines.push("");
  const o = c.overall.metrics;
  if (o) {
    lines.push(
      ...table([
        ["TOTAL", "previous", "current", "change", "noise ±", "verdict"],
        ...COMPARED_METRICS.map((m) => [
          LABELS[m],
          value(m, o[m].previous),
          value(m, o[m].current),
          change(m, o[m]),
          value(m, o[m].threshold),
          o[m].verdict,
        ]),
      ]),
    );
  } else {
    lines.push(`TOTAL: nothing to compare (requests: ${c.overall.requests.current} now, ${c.overall.requests.previous} before)`);
  }
  if (c.endpoints.length > 0) {
    const only = { current: "only in this run", previous: "only in the other run", both: "no requests" } as const;
    lines.push(
      "",
      ...table([
        ["endpoint", ...COMPARED_METRICS.map((m) => LABELS[m])],
        ...c.endpoints.map((e) => [
          `${e.method} ${e.name}`,
          ...(e.metrics ? COMPARED_METRICS.map((m) => changeCell(m, e.metrics![m])) : [only[e.in]]),
        ]),
      ]),
    );
  }
  lines.push(
    "",
    `a change counts beyond ${Math.round(c.method.relativeFloor * 100)}% and ${c.method.k} standard errors of the runs' own noise (docs/compare.md)`,
  );
  return lines.join("\n");
}

/**
 * Prints the comparison of a run with `to` (`baseline` or a run's id) after its summary. What
 * cannot be compared (no baseline, no such run, the API unreachable) is said on stderr: a
 * comparison never changes how `loadline run` exits.
 */
export async function printComparison(api: LoadlineClient, runId: string, to: string): Promise<void> {
  try {
    const res = await api.fetch(`/v1/runs/${encodeURIComponent(runId)}/compare?to=${encodeURIComponent(to)}`);
    const body = (await res.json().catch(() => null)) as RunComparisonView | { error?: { message?: string } } | null;
    if (!res.ok || !body || !("overall" in body)) {
      const message = body && "error" in body ? body.error?.message : undefined;
      console.error(`--compare ${to}: ${message ?? `HTTP ${res.status}`}`);
      return;
    }
    console.log(`\n${formatComparison(body)}`);
  } catch (e) {
    console.error(`--compare ${to}: ${(e as Error).message}`);
  }
}
