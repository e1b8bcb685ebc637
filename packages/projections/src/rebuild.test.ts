import { type EventStore, newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import postgres from "postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { rebuildProjection } from "./rebuild.ts";
import { pruneRawWindows } from "./retention.ts";
import { Projections } from "./service.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated, tableChecksums } from "./test-fixtures.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("rebuild-test", process.env.TEST_LOG_LEVEL ?? "silent");
let env: TestNats;
let pg: TestDatabase;
let js: JetStreamClient;
let store: EventStore;
const started: Projections[] = [];

const start = async () => {
  const p = await Projections.start({ nc: env.nc, ns: env.ns, database: { url: pg.url }, log });
  started.push(p);
  return p;
};

// Each test has a namespace and a database of its own, and starts the projections it needs: what one
// test rebuilds or prunes is not another's starting point, so each passes alone and in any order.
beforeEach(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  js = jetstream(env.nc);
  store = new JetStreamEventStore(env.nc, env.ns);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
  await env?.cleanup();
  await pg?.drop();
});

/** A load test, a run and `seconds` seconds of windows from two workers; answers the last sequences. */
async function someHistory(tenant: string, seconds: number): Promise<{ events: number; metrics: number; runId: string }> {
  const loadTestId = newId();
  await appendEvents(store, tenant, { type: "load-test", id: loadTestId }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
  const runId = newId();
  const events = await appendEvents(store, tenant, { type: "run", id: runId }, [runCreated(loadTestId)]);
  let metrics = 0;
  for (let s = 0; s < seconds; s++) {
    for (const workerId of ["w1", "w2"]) {
      const requests = [
        requestWindow("home", [1000 + s * 10, 2000, 3000 + s]),
        requestWindow("login", [9000 + s], s % 3 === 0 ? 1 : 0, "POST"),
      ];
      metrics = await publishWindow(js, env.ns, tenant, { runId, workerId, second: 1_700_000_000 + s, activeUsers: 2, requests });
    }
  }
  return { events, metrics, runId };
}

describe("one projector per projection", () => {
  it("lets a second process stand by, serve reads, and take over when the first stops", async () => {
    const first = await start();
    const second = await start();
    expect([first.projectors.events.isActive(), second.projectors.events.isActive()]).toEqual([true, false]);
    expect([first.projectors.metrics.isActive(), second.projectors.metrics.isActive()]).toEqual([true, false]);
    expect(second.ready()).toBe(true);

    const tenant = "lease1";
    const { events } = await someHistory(tenant, 2);
    // Read-your-writes through the standby: it polls the checkpoint the active one writes.
    expect(await second.readModel.waitForEvents(events, 5000)).toBe(true);

    await first.stop();
    await eventually(() => second.projectors.events.isActive() && second.projectors.metrics.isActive(), 10_000);
    const id = newId();
    const seq = await appendEvents(store, tenant, { type: "load-test", id }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    expect(await second.readModel.waitForEvents(seq, 5000)).toBe(true);
    expect(await second.readModel.loadTest(tenant, id)).not.toBeNull();
  });
});

/** Every index of the live tables, as "name on table (columns)": what queries rely on. */
async function publicIndexes(): Promise<string[]> {
  const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ indexname: string; tablename: string; indexdef: string }[]>`
      select indexname, tablename, indexdef from pg_indexes where schemaname = 'public' order by indexname`;
    return rows.map((r) => `${r.indexname} on ${r.tablename} ${r.indexdef.replace(/^.* USING \w+ /, "")}`);
  } finally {
    await sql.end();
  }
}

describe("rebuild", () => {
  it("replays into fresh tables while the live ones serve, swaps them in, and the live projector goes on", async () => {
    const live = await start();
    const tenant = "rebuild1";
    const { events, metrics, runId } = await someHistory(tenant, 25);
    expect(await live.projectors.events.waitFor(events, 5000)).toBe(true);
    expect(await live.projectors.metrics.waitFor(metrics, 10_000)).toBe(true);
    const before = await tableChecksums(live.database.db);
    expect(before.metric_rollups!.rows).toBeGreaterThan(0);
    const aggregateBefore = await (
      await live.routes.request(`/v1/runs/${runId}/metrics/aggregate`, { headers: { "X-Tenant-Id": tenant } })
    ).json();
    const indexesBefore = await publicIndexes();
    expect(indexesBefore).toContain("runs_status_idx on runs (tenant_id, status)");

    for (const name of ["events", "metrics"]) {
      const result = await rebuildProjection({ url: pg.url, nc: env.nc, ns: env.ns, log, name });
      expect(result.position).toBe(name === "events" ? await readCheckpoint(live.database.db, "events") : metrics);
    }
    expect(await tableChecksums(live.database.db)).toEqual(before);
    const aggregateAfter = await (
      await live.routes.request(`/v1/runs/${runId}/metrics/aggregate`, { headers: { "X-Tenant-Id": tenant } })
    ).json();
    expect(aggregateAfter).toEqual(aggregateBefore);
    // The replay ran without the secondary indexes; they were built again before the swap.
    expect(await publicIndexes()).toEqual(indexesBefore);

    // The live projectors resume from the swapped-in checkpoints into the swapped-in tables.
    const more = await someHistory(tenant, 2);
    expect(await live.projectors.events.waitFor(more.events, 5000)).toBe(true);
    expect(await live.projectors.metrics.waitFor(more.metrics, 5000)).toBe(true);
    expect(await live.readModel.run(tenant, more.runId)).toMatchObject({ lastMetrics: { requests: 8 } });
  });

  it("starts where it is told: rows before --from-seq are not carried over", async () => {
    const live = await start();
    const early = await someHistory("rebuild2", 1);
    const later = await someHistory("rebuild2", 1);
    expect(await live.projectors.events.waitFor(later.events, 5000)).toBe(true);
    const result = await rebuildProjection({ url: pg.url, nc: env.nc, ns: env.ns, log, name: "events", fromSeq: early.events + 1 });
    expect(result.fromSeq).toBe(early.events + 1);
    expect(await live.readModel.run("rebuild2", early.runId)).toBeNull();
    expect(await live.readModel.run("rebuild2", later.runId)).not.toBeNull();
    await expect(rebuildProjection({ url: pg.url, nc: env.nc, ns: env.ns, log, name: "nope" })).rejects.toThrow(/unknown projection/);
  });
});

describe("retention", () => {
  it("prunes per-worker raw windows past their age and keeps the rollups, so aggregates do not change", async () => {
    const live = await start();
    const tenant = "retention1";
    const { metrics, runId } = await someHistory(tenant, 3); // seconds of 2023: older than any age
    expect(await live.projectors.metrics.waitFor(metrics, 5000)).toBe(true);
    const aggregate = async () =>
      (await live.routes.request(`/v1/runs/${runId}/metrics/aggregate`, { headers: { "X-Tenant-Id": tenant } })).json();
    const before = await aggregate();
    expect(await live.readModel.windows(tenant, runId)).toHaveLength(6);

    expect(await pruneRawWindows(live.database.db, 10_000, Date.UTC(2023, 11, 1))).toBe(0); // not old enough then
    expect(await pruneRawWindows(live.database.db, 14)).toBe(6); // this test's, the only ones in its database
    expect(await live.readModel.windows(tenant, runId)).toHaveLength(0);
    expect(await aggregate()).toEqual(before);
  });
});
