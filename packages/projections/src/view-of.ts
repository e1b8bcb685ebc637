import { LOAD_TEST_STATUS, type LoadTestView, lastMetricsOf, pointOf, type RunView } from "@loadline/core";
import { asBucket, type RollupRow } from "./rollups.ts";
import type { LoadTestRow, RunRow } from "./schema.ts";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A row as the REST resource shows it: the core view types, dates as ISO strings. */
export function loadTestViewOf(row: LoadTestRow): LoadTestView {
  return { ...row, status: LOAD_TEST_STATUS, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/**
 * The run, with its newest second (merged over workers and names) as lastMetrics, and while
 * Queued its place in its tenant's queue (`queuePosition`, 1: next).
 */
export function runViewOf(row: RunRow, latest: RollupRow | undefined, queuePosition?: number): RunView {
  // A row read whole carries `seq`, the live feeds' cursor: no part of the resource.
  const { seq: _, queuedAt, queueExpiresAt, queueReason, ...run } = row as RunRow & { seq?: number };
  const loadOver = row.finishedAt !== null && (row.status === "Analyzing" || row.status === "Completed" || row.status === "Cancelled");
  return {
    ...run,
    queue:
      row.status === "Queued" && queuedAt && queueExpiresAt
        ? {
            position: queuePosition ?? 1,
            queuedAt: queuedAt.toISOString(),
            expiresAt: queueExpiresAt.toISOString(),
            reason: queueReason ?? "",
          }
        : null,
    ranSec: loadOver ? (row.startedAt ? Math.max(0, (row.finishedAt!.getTime() - row.startedAt.getTime()) / 1000) : 0) : null,
    pausedAt: iso(row.pausedAt),
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(row.finishedAt),
    updatedAt: iso(row.updatedAt),
    durationSeconds: row.durationSec,
    lastMetrics: latest ? lastMetricsOf(pointOf(asBucket(latest))) : null,
  };
}
