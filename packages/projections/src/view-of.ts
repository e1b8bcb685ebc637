import { type LoadTestView, pointOf, type RunView } from "@loadline/core";
import { asBucket, type RollupRow } from "./rollups.ts";
import type { LoadTestRow, RunRow } from "./schema.ts";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A row as the REST resource shows it: the core view types, dates as ISO strings. */
export function loadTestViewOf(row: LoadTestRow): LoadTestView {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** The run, with its newest second (merged over workers and names) as lastMetrics. */
export function runViewOf(row: RunRow, latest: RollupRow | undefined): RunView {
  // A row read whole carries `seq`, the live feeds' cursor: no part of the resource.
  const { seq: _, ...run } = row as RunRow & { seq?: number };
  return {
    ...run,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(row.finishedAt),
    lastMetrics: latest ? pointOf(asBucket(latest)) : null,
  };
}
