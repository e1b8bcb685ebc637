import type { EventEnvelope, ScheduleDefinition } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { evolveSchedule, type ScheduleEvent } from "./schedule-rows.ts";
import { scheduleViewOf } from "./schedule-view.ts";
import type { ScheduleRow } from "./schema.ts";

const definition: ScheduleDefinition = {
  loadTestId: "lt1",
  cron: "30 2 * * *",
  timezone: "Europe/Berlin",
  overrides: { durationSec: 60 },
  placement: { workers: 2 },
  enabled: true,
  missedFire: "run-once",
  overlap: "queue",
};

let n = 0;
const event = <T extends ScheduleEvent["type"]>(type: T, data: Extract<EventEnvelope, { type: T }>["data"], time: string): ScheduleEvent =>
  ({
    id: `e${++n}`,
    type,
    schemaVersion: 1,
    tenantId: "acme",
    aggregate: { type: "schedule", id: "s1" },
    time,
    actor: type === "schedule.created" || type === "schedule.updated" ? "key:k1" : "orchestrator",
    causationId: null,
    correlationId: "c",
    data,
  }) as ScheduleEvent;

const fold = (events: ScheduleEvent[]): ScheduleRow | null => events.reduce<ScheduleRow | null>(evolveSchedule, null);

describe("a schedule's row and view", () => {
  const created = event("schedule.created", definition, "2026-03-27T10:00:00.000Z");

  it("shows the next 5 fire times in its zone, DST-correct, and the overrides as the API takes them", () => {
    const view = scheduleViewOf(fold([created])!, new Date("2026-03-27T12:00:00.000Z"));
    expect(view.nextFireTimes).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z", // no 02:30 that night: 03:00 CEST
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
      "2026-04-01T00:30:00.000Z",
    ]);
    expect(view).toMatchObject({ overrides: { durationSec: 60, workers: 2 }, version: 1, createdBy: "key:k1", lastRunId: null });
  });

  it("keeps what it last did: its last fire, skip, queued instant and refused run; an update drops the queue", () => {
    const row = fold([
      created,
      event("schedule.fired", { dueAt: "2026-03-28T01:30:00.000Z", runId: "r1", missed: 0, queued: false }, "2026-03-28T01:30:00.010Z"),
      event("schedule.queued", { dueAt: "2026-03-29T01:00:00.000Z", liveRunId: "r1" }, "2026-03-29T01:00:00.010Z"),
      event(
        "schedule.skipped",
        { dueAt: "2026-03-30T00:30:00.000Z", reason: "overlap", missed: 1, liveRunId: "r1" },
        "2026-03-30T00:30:00.010Z",
      ),
    ])!;
    const view = scheduleViewOf(row, new Date("2026-03-30T01:00:00.000Z"));
    expect(view).toMatchObject({
      lastFiredAt: "2026-03-28T01:30:00.010Z",
      lastDueAt: "2026-03-28T01:30:00.000Z",
      lastRunId: "r1",
      queuedDueAt: "2026-03-29T01:00:00.000Z",
      lastSkipped: { dueAt: "2026-03-30T00:30:00.000Z", reason: "overlap", missed: 1 },
      version: 4,
      updatedAt: "2026-03-27T10:00:00.000Z",
    });
    const fromQueue = evolveSchedule(
      row,
      event("schedule.fired", { dueAt: "2026-03-29T01:00:00.000Z", runId: "r2", missed: 0, queued: true }, "2026-03-30T02:00:00.000Z"),
    )!;
    expect(fromQueue).toMatchObject({ queuedDueAt: null, lastRunId: "r2", lastDueAt: new Date("2026-03-29T01:00:00.000Z") });
    const refused = evolveSchedule(
      fromQueue,
      event("schedule.run-refused", { dueAt: "2026-03-29T01:00:00.000Z", runId: "r2", reason: "no" }, "2026-03-30T02:00:00.020Z"),
    )!;
    expect(refused.lastError).toBe("no");
    const off = evolveSchedule(row, event("schedule.updated", { ...definition, enabled: false }, "2026-03-30T03:00:00.000Z"))!;
    expect(scheduleViewOf(off, new Date("2026-03-30T03:00:00.000Z"))).toMatchObject({
      enabled: false,
      nextFireTimes: [],
      queuedDueAt: null,
      updatedAt: "2026-03-30T03:00:00.000Z",
    });
    expect(evolveSchedule(off, event("schedule.deleted", {}, "2026-03-30T04:00:00.000Z"))).toBeNull();
  });
});
