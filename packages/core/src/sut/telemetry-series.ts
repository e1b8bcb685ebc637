import type { AgentTelemetry } from "../schemas/agent.ts";

/**
 * A SUT agent's telemetry as named series (`host.cpu.busy`, `process.<name>.cpuPercent`,
 * `prometheus.<series>`...): what the read side keeps per run second, the run's SUT charts draw and
 * `sut{series:...}` thresholds judge. Pure: no I/O.
 */
export type SeriesValues = Record<string, number>;

/** Every finite number of a nested object, under its dotted path from `prefix`. */
function leaves(prefix: string, value: unknown, out: SeriesValues): void {
  if (typeof value === "number") {
    if (Number.isFinite(value)) out[prefix] = value;
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  for (const [key, inner] of Object.entries(value)) leaves(`${prefix}.${key}`, inner, out);
}

/**
 * One interval's figures flattened: host.*, process.<name>.* (pids left out: not a series),
 * nginx.*, cgroup.*, prometheus.<series>. A source absent this interval gives no series.
 */
export function flattenTelemetry(t: AgentTelemetry): SeriesValues {
  const out: SeriesValues = {};
  leaves("host", t.host, out);
  for (const p of t.processes ?? []) {
    const { name, pids: _pids, ...figures } = p;
    leaves(`process.${name}`, figures, out);
  }
  if (t.nginx) leaves("nginx", t.nginx, out);
  if (t.cgroup) leaves("cgroup", t.cgroup, out);
  for (const [series, value] of Object.entries(t.prometheus ?? {})) leaves(`prometheus.${series}`, value, out);
  return out;
}

/** An agent is the SUT's when its labels include every label of the selector (an empty selector matches nothing). */
export function labelsInclude(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  const wanted = Object.entries(selector);
  return wanted.length > 0 && wanted.every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
}

/**
 * The second of a run (started and, when known, finished at these epoch ms) that telemetry ending
 * at `at` belongs to, or null when it falls outside the run. Seconds since the start, rounded down.
 */
export function runSecondOf(run: { startedAt: number; finishedAt: number | null }, at: number): number | null {
  if (!Number.isFinite(at) || at < run.startedAt) return null;
  if (run.finishedAt !== null && at > run.finishedAt) return null;
  return Math.floor((at - run.startedAt) / 1000);
}
