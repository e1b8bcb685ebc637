import { nextFireTimes, type ScheduleView, scheduleOverridesOf } from "@loadline/core";
import type { ScheduleRow } from "./schema.ts";

/** How many next fire times a schedule shows. */
export const NEXT_FIRE_TIMES = 5;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A schedule's row as the REST resource shows it, with its next fire times after `now` (none while disabled). */
export function scheduleViewOf(row: ScheduleRow, now: Date): ScheduleView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    loadTestId: row.loadTestId,
    cron: row.cron,
    timezone: row.timezone,
    overrides: scheduleOverridesOf(row.overrides, row.placement),
    enabled: row.enabled,
    missedFire: row.missedFire,
    overlap: row.overlap,
    nextFireTimes: row.enabled ? nextFires(row, now) : [],
    lastFiredAt: iso(row.lastFiredAt),
    lastDueAt: iso(row.lastDueAt),
    lastRunId: row.lastRunId,
    lastSkipped: row.lastSkipped,
    queuedDueAt: iso(row.queuedDueAt),
    lastError: row.lastError,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

/** A pattern or zone this runtime cannot read (an event past the API: its schema is the loose one) fires nothing it could show. */
function nextFires(row: ScheduleRow, now: Date): string[] {
  try {
    return nextFireTimes(row, now, NEXT_FIRE_TIMES).map((d) => d.toISOString());
  } catch {
    return [];
  }
}
