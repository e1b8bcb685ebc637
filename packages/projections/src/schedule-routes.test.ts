import { newId, type ScheduleDefinition, type ScheduleView } from "@loadline/core";
import { createLogger } from "@loadline/service";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rebuildProjection } from "./rebuild.ts";
import { appendEvents, loadTestSpec, tableChecksums } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

const t = testProjections();
const log = createLogger("schedules-test", process.env.TEST_LOG_LEVEL ?? "silent");

const definition = (loadTestId: string, over: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({
  loadTestId,
  cron: "0 3 * * *",
  timezone: "Europe/Berlin",
  overrides: { durationSec: 30 },
  enabled: true,
  missedFire: "skip",
  overlap: "skip",
  ...over,
});

type List = { items: ScheduleView[]; total: number; limit: number; offset: number };

async function testWithSchedules(tenant: string) {
  const loadTestId = newId();
  await appendEvents(t.store, tenant, { type: "load-test", id: loadTestId }, [
    { type: "load-test.created", data: { spec: loadTestSpec() } },
  ]);
  const a = newId();
  const b = newId();
  await appendEvents(t.store, tenant, { type: "schedule", id: a }, [{ type: "schedule.created", data: definition(loadTestId) }], "key:k1");
  const last = await appendEvents(t.store, tenant, { type: "schedule", id: b }, [
    { type: "schedule.created", data: definition(loadTestId, { cron: "*/10 * * * *", placement: { workers: 2 } }) },
    { type: "schedule.fired", data: { dueAt: "2026-01-01T00:10:00.000Z", runId: "r1", missed: 0, queued: false } },
  ]);
  await t.applied(last);
  return { loadTestId, a, b };
}

describe("schedules in the read model", () => {
  it("answers a schedule with its next fire times and its ETag, lists them newest first, by test too", async () => {
    const tenant = t.newTenant();
    const { loadTestId, a, b } = await testWithSchedules(tenant);
    const one = await t.get<ScheduleView>(`/v1/schedules/${a}`, tenant);
    expect(one.status).toBe(200);
    expect(one.etag).toBe('"1"');
    expect(one.body).toMatchObject({ id: a, loadTestId, cron: "0 3 * * *", enabled: true, createdBy: "key:k1", lastRunId: null });
    expect(one.body.nextFireTimes).toHaveLength(5);
    expect(one.body.nextFireTimes.every((at) => Date.parse(at) > Date.now())).toBe(true);
    const all = await t.get<List>("/v1/schedules", tenant);
    expect(all.body.items.map((s) => s.id)).toEqual([b, a]);
    expect(all.body.items[0]).toMatchObject({ overrides: { durationSec: 30, workers: 2 }, lastRunId: "r1", version: 2 });
    expect((await t.get<List>(`/v1/load-tests/${loadTestId}/schedules?limit=1`, tenant)).body).toMatchObject({ total: 2, limit: 1 });
    expect((await t.get<List>(`/v1/schedules?loadTestId=${newId()}`, tenant)).body.total).toBe(0);
  });

  it("answers 404 for another tenant's schedule, one that is gone, and the schedules of a test that is not there", async () => {
    const tenant = t.newTenant();
    const { a } = await testWithSchedules(tenant);
    expect((await t.get(`/v1/schedules/${a}`, t.newTenant())).status).toBe(404);
    expect((await t.get(`/v1/load-tests/${newId()}/schedules`, tenant)).status).toBe(404);
    await t.applied(await appendEvents(t.store, tenant, { type: "schedule", id: a }, [{ type: "schedule.deleted", data: {} }]));
    const gone = await t.get<{ error: { field: string } }>(`/v1/schedules/${a}`, tenant);
    expect([gone.status, gone.body.error.field]).toEqual([404, "id"]);
    expect((await t.get("/v1/schedules?limit=0", tenant)).status).toBe(400);
  });

  it("is rebuilt exactly from the stream", async () => {
    const tenant = t.newTenant();
    const { b } = await testWithSchedules(tenant);
    await t.applied(
      await appendEvents(t.store, tenant, { type: "schedule", id: b }, [
        { type: "schedule.skipped", data: { dueAt: "2026-01-01T00:20:00.000Z", reason: "overlap", missed: 1, liveRunId: "r1" } },
        { type: "schedule.updated", data: definition(newId(), { enabled: false }) },
      ]),
    );
    const db = t.projections.database.db;
    const before = await tableChecksums(db);
    expect(before.schedules!.rows).toBeGreaterThan(0);
    await db.execute(sql`update schedules set last_run_id = 'tampered'`);
    await rebuildProjection({ url: t.pg.url, nc: t.env.nc, ns: t.env.ns, log, name: "events" });
    expect(await tableChecksums(db)).toEqual(before);
  });
});
