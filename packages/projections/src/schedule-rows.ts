import type { EventEnvelope, ScheduleDefinition } from "@loadline/core";
import type { ScheduleRow } from "./schema.ts";

/**
 * The pure fold of schedule events into the schedule's row; `null` is "no row" (before its
 * creation, after its deletion). Every event bumps the version: the count of its events, what
 * the decider compares an If-Match with.
 */

export type ScheduleEvent = Extract<EventEnvelope, { type: `schedule.${string}` }>;

export const isScheduleEvent = (e: EventEnvelope): e is ScheduleEvent => e.type.startsWith("schedule.");

const definitionColumns = (d: ScheduleDefinition) => ({
  loadTestId: d.loadTestId,
  cron: d.cron,
  timezone: d.timezone,
  overrides: d.overrides,
  placement: d.placement ?? null,
  enabled: d.enabled,
  missedFire: d.missedFire,
  overlap: d.overlap,
});

export function evolveSchedule(row: ScheduleRow | null, event: ScheduleEvent): ScheduleRow | null {
  const at = new Date(event.time);
  if (event.type === "schedule.created")
    return {
      tenantId: event.tenantId,
      id: event.aggregate.id,
      ...definitionColumns(event.data),
      lastFiredAt: null,
      lastDueAt: null,
      lastRunId: null,
      lastSkipped: null,
      queuedDueAt: null,
      lastError: null,
      version: (row?.version ?? 0) + 1,
      createdAt: at,
      createdBy: event.actor,
      updatedAt: at,
      updatedBy: event.actor,
    };
  if (!row) return null;
  const next = { ...row, version: row.version + 1 };
  switch (event.type) {
    case "schedule.updated":
      // An update drops a queued instant (the decider's rule).
      return { ...next, ...definitionColumns(event.data), queuedDueAt: null, updatedAt: at, updatedBy: event.actor };
    case "schedule.deleted":
      return null;
    case "schedule.fired": {
      const dueAt = new Date(event.data.dueAt);
      const wasQueued = row.queuedDueAt !== null && row.queuedDueAt.getTime() === dueAt.getTime();
      return {
        ...next,
        lastFiredAt: at,
        lastDueAt: dueAt,
        lastRunId: event.data.runId,
        queuedDueAt: wasQueued ? null : row.queuedDueAt,
        lastError: null,
      };
    }
    case "schedule.skipped": {
      const { dueAt, reason, missed } = event.data;
      return { ...next, lastSkipped: { dueAt, reason, missed, at: event.time } };
    }
    case "schedule.queued":
      return { ...next, queuedDueAt: new Date(event.data.dueAt) };
    case "schedule.run-refused":
      return { ...next, lastError: event.data.reason };
  }
}
