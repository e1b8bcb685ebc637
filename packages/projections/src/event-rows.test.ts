import { createCommand, eventsFromCommand, type EventEnvelope, type NewEvent } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "./event-rows.ts";
import type { LoadTestRow, RunRow } from "./schema.ts";
import { loadTestSpec, runCreated } from "./test-fixtures.ts";

const enveloped = (type: "run" | "load-test", id: string, events: NewEvent[], actor = "alice"): EventEnvelope[] =>
  eventsFromCommand(createCommand({ type: "run.stop", tenantId: "acme", aggregate: { type, id }, data: { reason: "requested" }, actor }), events);

function foldRun(events: EventEnvelope[]): RunRow | null {
  return events.filter(isRunEvent).reduce<RunRow | null>((row, e) => evolveRun(row, e), null);
}
function foldLoadTest(events: EventEnvelope[]): LoadTestRow | null {
  return events.filter(isLoadTestEvent).reduce<LoadTestRow | null>((row, e) => evolveLoadTest(row, e), null);
}

describe("evolveRun", () => {
  it("follows the status path and counts the events", () => {
    const assignments = [{ workerId: "w1", users: 5, spawnRate: 1, fraction: 1 }];
    const events = enveloped("run", "r1", [
      runCreated("lt1"),
      { type: "run.assigned", data: { assignments } },
      { type: "run.worker-started", data: { workerId: "w1" } },
      { type: "run.started", data: { startedAt: "2030-01-01T00:00:01.000Z" } },
      { type: "run.stopping", data: { reason: "duration" } },
      { type: "run.worker-stopped", data: { workerId: "w1", requests: 1, failures: 0 } },
      { type: "run.completed", data: { finishedAt: "2030-01-01T00:01:00.000Z" } },
    ]);
    const statuses = events.map((_, i) => foldRun(events.slice(0, i + 1))?.status);
    expect(statuses).toEqual(["Pending", "Starting", "Starting", "Running", "Stopping", "Stopping", "Completed"]);
    const row = foldRun(events)!;
    expect(row).toMatchObject({ tenantId: "acme", id: "r1", loadTestId: "lt1", workers: assignments, version: 7, reason: null });
    expect(row.startedAt?.toISOString()).toBe("2030-01-01T00:00:01.000Z");
    expect(row.finishedAt?.toISOString()).toBe("2030-01-01T00:01:00.000Z");
  });

  it("keeps the reason of a failure", () => {
    const events = enveloped("run", "r2", [runCreated("lt1"), { type: "run.failed", data: { reason: "no workers", finishedAt: "2030-01-01T00:00:00.000Z" } }]);
    expect(foldRun(events)).toMatchObject({ status: "Failed", reason: "no workers", version: 2 });
  });

  it("ignores an event of a run it never saw created", () => {
    expect(foldRun(enveloped("run", "r3", [{ type: "run.stopping", data: { reason: "requested" } }]))).toBeNull();
  });
});

describe("evolveLoadTest", () => {
  it("creates, updates with the actor and time, and deletes", () => {
    const created = enveloped("load-test", "lt1", [{ type: "load-test.created", data: { spec: loadTestSpec({ name: "a" }) } }], "alice");
    const updated = enveloped("load-test", "lt1", [{ type: "load-test.updated", data: { spec: loadTestSpec({ name: "b", tags: ["x"] }) } }], "bob");
    const row = foldLoadTest([...created, ...updated])!;
    expect(row).toMatchObject({ name: "b", tags: ["x"], version: 2, createdBy: "alice", updatedBy: "bob", description: null, maxDurationSec: null });
    expect(row.createdAt.toISOString()).toBe(created[0]!.time);
    const deleted = enveloped("load-test", "lt1", [{ type: "load-test.deleted", data: {} }]);
    expect(foldLoadTest([...created, ...updated, ...deleted])).toBeNull();
  });
});
