import type { LoadTestView, RunView } from "@loadline/core";
import type { LoadTestRow, RunRow } from "./schema.ts";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A row as the REST resource shows it: the core view types, dates as ISO strings. */
export function loadTestViewOf(row: LoadTestRow): LoadTestView {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export function runViewOf(row: RunRow): RunView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  };
}
