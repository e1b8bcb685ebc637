import { labelsInclude, runSecondOf, type SeriesValues } from "@loadline/core";

/** The series GET /v1/runs/{id}/sut answers when none are named; every process's cpuPercent too (see isDefaultSeries). */
export const DEFAULT_SERIES: readonly string[] = [
  "host.cpu.busy",
  "host.memory.usedBytes",
  "host.load.one",
  "host.network.rxBytesPerSec",
  "host.network.txBytesPerSec",
];

export const isDefaultSeries = (name: string): boolean =>
  DEFAULT_SERIES.includes(name) || (name.startsWith("process.") && name.endsWith(".cpuPercent"));

/** A run with a SUT selector, as the agent projection matches telemetry against it (epoch ms). */
export type SutRun = { tenantId: string; runId: string; labels: Record<string, string>; startedAt: number; finishedAt: number | null };

/** One second of one SUT agent's telemetry during one run: a row of run_sut_seconds. */
export type SutSecond = { tenantId: string; runId: string; agentId: string; second: number; values: SeriesValues };

/**
 * The run seconds telemetry of `agentId` (its labels, at `at`) lands in: one per run whose
 * selector it matches and whose span holds `at`.
 */
export function sutSecondsOf(
  runs: readonly SutRun[],
  tenantId: string,
  agentId: string,
  labels: Readonly<Record<string, string>>,
  at: number,
  values: SeriesValues,
): SutSecond[] {
  return runs.flatMap((run) => {
    if (run.tenantId !== tenantId || !labelsInclude(labels, run.labels)) return [];
    const second = runSecondOf(run, at);
    return second === null ? [] : [{ tenantId, runId: run.runId, agentId, second, values }];
  });
}

/**
 * Seconds with one key merged in stream order: two intervals ending in the same second (an agent's
 * clock jitters) give one row, the later figures winning, so one upsert never names a row twice.
 */
export function mergeSutSeconds(seconds: readonly SutSecond[]): SutSecond[] {
  const merged = new Map<string, SutSecond>();
  for (const s of seconds) {
    const key = `${s.runId}\u0000${s.agentId}\u0000${s.second}`;
    const before = merged.get(key);
    merged.set(key, before ? { ...s, values: { ...before.values, ...s.values } } : s);
  }
  return [...merged.values()];
}
