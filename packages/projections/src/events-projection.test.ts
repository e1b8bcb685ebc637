import { type LoadTestView, newId, type RunView } from "@loadline/core";
import { subjects } from "@loadline/nats";
import { inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { PgReadModel } from "./read-model.ts";
import { projectionDeadLetters } from "./schema.ts";
import { appendEvents, loadTestSpec, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

const live = testProjections();
const { newTenant, get, applied } = live;

describe("the events projection", () => {
  it("keeps load_tests in step with create, update and delete", async () => {
    const tenant = newTenant();
    const id = newId();
    const lt = { type: "load-test" as const, id };
    await applied(
      await appendEvents(
        live.store,
        tenant,
        lt,
        [{ type: "load-test.created", data: { spec: loadTestSpec({ name: "a", tags: ["smoke"] }) } }],
        "alice",
      ),
    );
    await applied(
      await appendEvents(
        live.store,
        tenant,
        lt,
        [{ type: "load-test.updated", data: { spec: loadTestSpec({ name: "b", tags: ["smoke", "eu"] }) } }],
        "bob",
      ),
    );

    const one = await get<LoadTestView>(`/v1/load-tests/${id}`, tenant);
    expect(one.status).toBe(200);
    expect(one.etag).toBe('"2"');
    expect(one.body).toMatchObject({
      id,
      tenantId: tenant,
      name: "b",
      tags: ["smoke", "eu"],
      version: 2,
      createdBy: "alice",
      updatedBy: "bob",
      description: null,
    });
    expect(Date.parse(one.body.createdAt)).toBeLessThanOrEqual(Date.parse(one.body.updatedAt));

    // Another tenant does not see it; the tag filter does.
    expect((await get(`/v1/load-tests/${id}`, newTenant())).status).toBe(404);
    const second = newId();
    await applied(
      await appendEvents(live.store, tenant, { type: "load-test", id: second }, [
        { type: "load-test.created", data: { spec: loadTestSpec() } },
      ]),
    );
    const list = await get<{ items: LoadTestView[]; total: number; limit: number }>(`/v1/load-tests`, tenant);
    expect(list.body.items.map((t) => t.id)).toEqual([second, id]); // newest first
    expect(list.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    const tagged = await get<{ items: LoadTestView[]; total: number }>(`/v1/load-tests?tag=eu&limit=1`, tenant);
    expect(tagged.body.items.map((t) => t.id)).toEqual([id]);
    expect(tagged.body.total).toBe(1);

    await applied(await appendEvents(live.store, tenant, lt, [{ type: "load-test.deleted", data: {} }]));
    expect(await live.projections.readModel.loadTest(tenant, id)).toBeNull();
    expect((await get(`/v1/load-tests/${id}`, tenant)).status).toBe(404);
  });

  it("follows a run along its status path", async () => {
    const tenant = newTenant();
    const id = newId();
    const run = { type: "run" as const, id };
    await applied(await appendEvents(live.store, tenant, run, [runCreated("lt-1")]));
    expect((await get<RunView>(`/v1/runs/${id}`, tenant)).body).toMatchObject({
      status: "Pending",
      version: 1,
      startedAt: null,
      workers: [],
    });

    const share = (workerId: string, lane: number) => ({
      workerId,
      lanes: [lane],
      laneCount: 2,
      vus: 5,
      arrivalRate: 0,
      reason: "plan" as const,
    });
    const startedAt = "2030-01-01T00:00:00.000Z";
    const finishedAt = "2030-01-01T00:01:00.000Z";
    await applied(
      await appendEvents(live.store, tenant, run, [
        { type: "run.worker-assigned", data: share("w1", 0) },
        { type: "run.worker-assigned", data: share("w2", 1) },
        { type: "run.worker-ready", data: { workerId: "w1" } }, // as older streams recorded readiness
        { type: "run.workers-ready", data: { workerIds: ["w2"] } },
        { type: "run.started", data: { startedAt } },
      ]),
    );
    const running = await live.projections.readModel.run(tenant, id);
    expect(running).toMatchObject({ status: "Running", laneCount: 2, startedAt, version: 6 });
    expect(running?.workers.map((w) => [w.workerId, w.lanes, w.state])).toEqual([
      ["w1", [0], "ready"],
      ["w2", [1], "ready"],
    ]);

    await applied(
      await appendEvents(live.store, tenant, run, [
        { type: "run.stopping", data: { reason: "requested" } },
        { type: "run.worker-stopped", data: { workerId: "w1", requests: 10, failures: 0 } },
        { type: "run.worker-stopped", data: { workerId: "w2", requests: 10, failures: 1 } },
        { type: "run.completed", data: { finishedAt } },
      ]),
    );
    const done = await get<RunView>(`/v1/runs/${id}`, tenant);
    expect(done.body).toMatchObject({
      id,
      loadTestId: "lt-1",
      status: "Completed",
      targetUsers: 10,
      spawnRate: 2,
      durationSec: 60,
      startedAt,
      finishedAt,
      reason: null,
      // Recorded as runs were before they said how much of their load ran: not known, not whole.
      coverage: null,
      degraded: null,
      version: 10,
    });

    const failed = newId();
    await applied(
      await appendEvents(live.store, tenant, { type: "run", id: failed }, [
        runCreated("lt-2"),
        { type: "run.failed", data: { reason: "no workers", finishedAt } },
      ]),
    );
    expect(await live.projections.readModel.run(tenant, failed)).toMatchObject({ status: "Failed", reason: "no workers" });

    const completed = await get<{ items: RunView[]; total: number }>(`/v1/runs?status=Completed`, tenant);
    expect(completed.body.items.map((r) => r.id)).toEqual([id]);
    const ofLoadTest = await get<{ items: RunView[]; total: number }>(`/v1/runs?loadTestId=lt-2`, tenant);
    expect(ofLoadTest.body.items.map((r) => r.id)).toEqual([failed]);
    expect((await get<{ total: number }>(`/v1/runs?limit=1`, tenant)).body.total).toBe(2);
  });

  it("shows how much of its load a completed run ran: coverage, degraded, and why", async () => {
    const tenant = newTenant();
    const reason =
      "lane 1 of 2 was not run for 40.0 s of 60.0 s: worker w2 was last heard from 00:20.0 into the run, and nobody took it before the end";
    const ended = async (data: { finishedAt: string; coverage?: number; degraded?: boolean; reason?: string }) => {
      const id = newId();
      await applied(
        await appendEvents(live.store, tenant, { type: "run", id }, [
          runCreated("lt-c"),
          { type: "run.started", data: { startedAt: "2030-01-01T00:00:00.000Z" } },
          { type: "run.stopping", data: { reason: "duration" } },
          { type: "run.completed", data },
        ]),
      );
      return (await get<RunView>(`/v1/runs/${id}`, tenant)).body;
    };
    const finishedAt = "2030-01-01T00:01:00.500Z";
    expect(await ended({ finishedAt, coverage: 0.6666, degraded: true, reason })).toMatchObject({
      status: "Completed",
      coverage: 0.6666,
      degraded: true,
      reason,
    });
    expect(await ended({ finishedAt, coverage: 1, degraded: false })).toMatchObject({
      status: "Completed",
      coverage: 1,
      degraded: false,
      reason: null,
    });
  });

  it("dead-letters a malformed message with its sequence, subject and reason, and goes on", async () => {
    const tenant = newTenant();
    const garbage = await live.js.publish(subjects.event(live.env.ns, tenant, "run", "bad1"), "this is not json");
    const wrongShape = await live.js.publish(
      subjects.event(live.env.ns, tenant, "run", "bad2"),
      JSON.stringify({ type: "run.created", data: 42 }),
    );
    const id = newId();
    const seq = await appendEvents(live.store, tenant, { type: "load-test", id }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    expect(seq).toBeGreaterThan(wrongShape.seq);
    await applied(seq);
    expect(await live.projections.readModel.loadTest(tenant, id)).not.toBeNull();
    expect(garbage.seq).toBeLessThan(await readCheckpoint(live.projections.database.db, EVENTS_PROJECTION));
    const letters = await live.projections.database.db
      .select()
      .from(projectionDeadLetters)
      .where(inArray(projectionDeadLetters.seq, [garbage.seq, wrongShape.seq]))
      .orderBy(projectionDeadLetters.seq);
    expect(letters.map((l) => ({ projection: l.projection, seq: l.seq, subject: l.subject }))).toEqual([
      { projection: EVENTS_PROJECTION, seq: garbage.seq, subject: subjects.event(live.env.ns, tenant, "run", "bad1") },
      { projection: EVENTS_PROJECTION, seq: wrongShape.seq, subject: subjects.event(live.env.ns, tenant, "run", "bad2") },
    ]);
    expect(letters[0]!.payload).toBe("this is not json");
    expect(letters[1]!.reason).toMatch(/bad envelope/);
  });

  it("retries a batch the database refuses, and neither skips nor acks it", async () => {
    const tenant = newTenant();
    const id = newId();
    const { db } = live.projections.database;
    await db.execute(sql`alter table load_tests rename to load_tests_away`);
    let seq = 0;
    try {
      seq = await appendEvents(live.store, tenant, { type: "load-test", id }, [
        { type: "load-test.created", data: { spec: loadTestSpec() } },
      ]);
      expect(await live.projections.readModel.waitForEvents(seq, 700)).toBe(false);
      expect(await readCheckpoint(db, EVENTS_PROJECTION)).toBeLessThan(seq);
    } finally {
      await db.execute(sql`alter table load_tests_away rename to load_tests`);
    }
    await applied(seq);
    expect(await live.projections.readModel.loadTest(tenant, id)).not.toBeNull();
  });

  it("answers waitForEvents from the projector, or by polling the checkpoint", async () => {
    const tenant = newTenant();
    const seq = await appendEvents(live.store, tenant, { type: "load-test", id: newId() }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    expect(await live.projections.readModel.waitForEvents(seq, 5000)).toBe(true);
    const polling = new PgReadModel(live.projections.database.db);
    expect(await polling.waitForEvents(seq, 5000)).toBe(true);
    expect(await polling.waitForEvents(seq + 1_000_000, 60)).toBe(false);
    expect(await live.projections.readModel.waitForEvents(seq + 1_000_000, 60)).toBe(false);
  });
});
