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

  it("follows the lifecycle: queued, analysed, cancelled by whom, with its live control on record", () => {
    const events = enveloped("run", "r9", [
      runCreated("lt1"),
      { type: "run.queued", data: { reason: "the tenant already has 5 runs live", expiresAt: "2030-01-01T01:00:00.000Z" } },
      { type: "run.dequeued", data: { waitedMs: 1_000 } },
      assigned("w1", [0, 1]),
      { type: "run.started", data: { startedAt: "2030-01-01T00:00:01.000Z" } },
      { type: "run.paused", data: { at: "2030-01-01T00:00:10.000Z", by: "alice" } },
      { type: "run.resumed", data: { at: "2030-01-01T00:00:20.000Z", by: "alice", pausedMs: 10_000 } },
      { type: "run.scaled", data: { vus: 20, at: "2030-01-01T00:00:25.000Z", by: "alice", vuFactor: 2, rateFactor: 1 } },
      { type: "run.stopping", data: { reason: "requested", by: "alice" } },
      { type: "run.analyzing", data: { finishedAt: "2030-01-01T00:00:31.000Z", coverage: 1, degraded: false } },
      {
        type: "run.cancelled",
        data: {
          reason: "stopped by alice before its planned end",
          finishedAt: "2030-01-01T00:00:31.000Z",
          cancelledBy: "alice",
          ranSec: 30,
          coverage: 1,
        },
      },
    ]);
    const statuses = events.map((_, i) => foldRun(events.slice(0, i + 1))?.status);
    expect(statuses).toEqual([
      "Pending",
      "Queued",
      "Pending",
      "Starting",
      "Running",
      "Running",
      "Running",
      "Running",
      "Stopping",
      "Analyzing",
      "Cancelled",
    ]);
    const queued = foldRun(events.slice(0, 2))!;
    expect(queued).toMatchObject({ queueReason: "the tenant already has 5 runs live" });
    expect(queued.queueExpiresAt?.toISOString()).toBe("2030-01-01T01:00:00.000Z");
    expect(foldRun(events.slice(0, 6))!.pausedAt?.toISOString()).toBe("2030-01-01T00:00:10.000Z");
    const row = foldRun(events)!;
    expect(row).toMatchObject({ cancelledBy: "alice", coverage: 1, pausedAt: null, queuedAt: null });
    expect(row.finishedAt?.toISOString()).toBe("2030-01-01T00:00:31.000Z");
    expect(row.controls.map((c) => [c.type, c.at])).toEqual([
      ["paused", "2030-01-01T00:00:10.000Z"],
      ["resumed", "2030-01-01T00:00:20.000Z"],
      ["scaled", "2030-01-01T00:00:25.000Z"],
    ]);
    expect(row.controls[2]).toMatchObject({ vus: 20, vuFactor: 2 });
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

describe("seed 001's fields (issue 20)", () => {
  it("keeps a run's name, envId and metadata, who started it, and its last event's time and actor", () => {
    const created = enveloped("run", "r9", [runCreated("lt1", { name: "nightly", envId: "staging", metadata: { build: 42 } })], "key:k1");
    const stopping = enveloped("run", "r9", [{ type: "run.stopping", data: { reason: "requested" } }], "orchestrator");
    const row = foldRun([...created, ...stopping])!;
    expect(row).toMatchObject({
      name: "nightly",
      envId: "staging",
      metadata: { build: 42 },
      createdBy: "key:k1",
      updatedBy: "orchestrator",
    });
    expect(row.updatedAt?.toISOString()).toBe(stopping[0]!.time);
    expect(foldRun(enveloped("run", "r10", [runCreated("lt1")]))).toMatchObject({
      name: null,
      envId: null,
      metadata: null,
      createdBy: "alice",
    });
  });

  it("keeps a run's env (issue 23), null when its start gave none", () => {
    const env = { BASE_URL: "http://127.0.0.1:3000" };
    expect(foldRun(enveloped("run", "r11", [runCreated("lt1", { env })]))?.env).toEqual(env);
    expect(foldRun(enveloped("run", "r12", [runCreated("lt1")]))?.env).toBeNull();
  });

  it("keeps a test's envId and metadata, and no defaults when it leaves them out", () => {
    const spec = loadTestSpec({
      envId: "prod",
      metadata: { team: "payments" },
      defaultUsers: undefined,
      defaultSpawnRate: undefined,
      defaultDurationSec: undefined,
      workload: { type: "constant-vus", vus: 2, durationSec: 5 },
    });
    const row = foldLoadTest(enveloped("load-test", "lt9", [{ type: "load-test.created", data: { spec } }]))!;
    expect(row).toMatchObject({ envId: "prod", metadata: { team: "payments" }, defaultUsers: null, defaultDurationSec: null });
  });
});
