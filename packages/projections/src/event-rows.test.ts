import { createCommand, type EventEnvelope, eventsFromCommand, type NewEvent } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "./event-rows.ts";
import type { LoadTestRow, RunRow } from "./schema.ts";
import { loadTestSpec, runCreated } from "./test-fixtures.ts";

const enveloped = (type: "run" | "load-test", id: string, events: NewEvent[], actor = "alice"): EventEnvelope[] =>
  eventsFromCommand(
    createCommand({ type: "run.stop", tenantId: "acme", aggregate: { type, id }, data: { reason: "requested" }, actor }),
    events,
  );

function foldRun(events: EventEnvelope[]): RunRow | null {
  return events.filter(isRunEvent).reduce<RunRow | null>((row, e) => evolveRun(row, e), null);
}
function foldLoadTest(events: EventEnvelope[]): LoadTestRow | null {
  return events.filter(isLoadTestEvent).reduce<LoadTestRow | null>((row, e) => evolveLoadTest(row, e), null);
}

describe("evolveRun", () => {
  const assigned = (workerId: string, lanes: number[], replaces?: string): NewEvent => ({
    type: "run.worker-assigned",
    data: {
      workerId,
      lanes,
      laneCount: 2,
      vus: 5 * lanes.length,
      arrivalRate: 0,
      reason: replaces ? "reassigned" : "plan",
      ...(replaces ? { replaces } : {}),
    },
  });

  it("follows the status path and counts the events", () => {
    const events = enveloped("run", "r1", [
      runCreated("lt1"),
      assigned("w1", [0, 1]),
      { type: "run.worker-ready", data: { workerId: "w1" } },
      { type: "run.started", data: { startedAt: "2030-01-01T00:00:01.000Z" } },
      { type: "run.stopping", data: { reason: "duration" } },
      { type: "run.worker-stopped", data: { workerId: "w1", requests: 1, failures: 0 } },
      { type: "run.completed", data: { finishedAt: "2030-01-01T00:01:00.000Z" } },
    ]);
    const statuses = events.map((_, i) => foldRun(events.slice(0, i + 1))?.status);
    expect(statuses).toEqual(["Pending", "Starting", "Starting", "Running", "Stopping", "Stopping", "Completed"]);
    const row = foldRun(events)!;
    expect(row).toMatchObject({ tenantId: "acme", id: "r1", loadTestId: "lt1", laneCount: 2, version: 7, reason: null, gaps: [] });
    expect(row.workers).toEqual([
      { workerId: "w1", lanes: [0, 1], vus: 10, arrivalRate: 0, state: "stopped", assignedAt: events[1]!.time },
    ]);
    expect(row.startedAt?.toISOString()).toBe("2030-01-01T00:00:01.000Z");
    expect(row.finishedAt?.toISOString()).toBe("2030-01-01T00:01:00.000Z");
  });

  it("records a lost worker's gap, and who took its lanes", () => {
    const events = enveloped("run", "r4", [
      runCreated("lt1"),
      assigned("w1", [0]),
      assigned("w2", [1]),
      { type: "run.started", data: { startedAt: "2030-01-01T00:00:01.000Z" } },
      {
        type: "run.worker-lost",
        data: { workerId: "w2", lanes: [1], lastSeenAt: "2030-01-01T00:00:10.000Z", lostAt: "2030-01-01T00:00:13.100Z" },
      },
      assigned("w1", [1], "w2"),
    ]);
    const row = foldRun(events)!;
    expect(row.workers.map((w) => [w.workerId, w.state, w.lanes])).toEqual([
      ["w1", "assigned", [0, 1]],
      ["w2", "lost", [1]],
    ]);
    expect(row.gaps).toEqual([
      {
        workerId: "w2",
        lanes: [1],
        lastSeenAt: "2030-01-01T00:00:10.000Z",
        lostAt: "2030-01-01T00:00:13.100Z",
        reassignedAt: events[5]!.time,
        reassignedTo: ["w1"],
      },
    ]);
  });

  it("keeps the reason of a failure", () => {
    const events = enveloped("run", "r2", [
      runCreated("lt1"),
      { type: "run.failed", data: { reason: "no workers", finishedAt: "2030-01-01T00:00:00.000Z" } },
    ]);
    expect(foldRun(events)).toMatchObject({ status: "Failed", reason: "no workers", version: 2 });
  });

  it("ignores an event of a run it never saw created", () => {
    expect(foldRun(enveloped("run", "r3", [{ type: "run.stopping", data: { reason: "requested" } }]))).toBeNull();
  });
});

describe("evolveLoadTest", () => {
  it("creates, updates with the actor and time, and deletes", () => {
    const created = enveloped("load-test", "lt1", [{ type: "load-test.created", data: { spec: loadTestSpec({ name: "a" }) } }], "alice");
    const updated = enveloped(
      "load-test",
      "lt1",
      [{ type: "load-test.updated", data: { spec: loadTestSpec({ name: "b", tags: ["x"] }) } }],
      "bob",
    );
    const row = foldLoadTest([...created, ...updated])!;
    expect(row).toMatchObject({
      name: "b",
      tags: ["x"],
      version: 2,
      createdBy: "alice",
      updatedBy: "bob",
      description: null,
      maxDurationSec: null,
    });
    expect(row.createdAt.toISOString()).toBe(created[0]!.time);
    const deleted = enveloped("load-test", "lt1", [{ type: "load-test.deleted", data: {} }]);
    expect(foldLoadTest([...created, ...updated, ...deleted])).toBeNull();
  });
});
