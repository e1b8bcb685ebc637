import { newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { subjects } from "@loadline/nats";
import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { and, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { metricRollups, metricWindows } from "./schema.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";
import { testDatabase } from "./testing.ts";

const live = testProjections();
const { start, newTenant, applied, createdRun } = live;

describe("restarts", () => {
  const windowCount = async (tenant: string) => {
    const [row] = await live.projections.database.db
      .select({ n: count() })
      .from(metricWindows)
      .where(and(eq(metricWindows.tenantId, tenant)));
    return row?.n ?? 0;
  };

  it("resume from the checkpoint without applying anything twice", async () => {
    const tenant = newTenant();
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    await applied(
      await appendEvents(live.store, tenant, run, [
        runCreated("lt-r"),
        { type: "run.worker-assigned", data: { workerId: "w1", lanes: [0], laneCount: 1, vus: 1, arrivalRate: 0, reason: "plan" } },
      ]),
    );
    const windowSeq = await publishWindow(live.js, live.env.ns, tenant, {
      runId,
      workerId: "w1",
      second: 1000,
      activeUsers: 1,
      requests: [requestWindow("home", [1000])],
    });
    expect(await live.projections.projectors.metrics.waitFor(windowSeq, 5000)).toBe(true);
    await live.projections.stop();

    // Rewind the cursor to the start of the stream: everything is delivered again, and must be skipped.
    const jsm = await jetstreamManager(live.env.nc);
    for (const [stream, durable, filter] of [
      [live.env.ns.streams.events, "proj_events", subjects.allEvents(live.env.ns)],
      [live.env.ns.streams.metrics, "proj_metrics", subjects.allMetrics(live.env.ns)],
    ] as const) {
      await jsm.consumers.delete(stream, durable);
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: filter,
        deliver_policy: DeliverPolicy.All,
      });
    }
    // And a message published while it was down.
    const seq = await appendEvents(live.store, tenant, run, [{ type: "run.stopping", data: { reason: "duration" } }]);

    live.projections = await start();
    await applied(seq);
    expect(await live.projections.readModel.run(tenant, runId)).toMatchObject({ status: "Stopping", version: 3 });
    await publishWindow(live.js, live.env.ns, tenant, {
      runId,
      workerId: "w1",
      second: 1000,
      activeUsers: 1,
      requests: [requestWindow("home", [1000])],
    }); // a duplicate
    const next = await publishWindow(live.js, live.env.ns, tenant, {
      runId,
      workerId: "w1",
      second: 1001,
      activeUsers: 1,
      requests: [requestWindow("home", [2000])],
    });
    expect(await live.projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect(await windowCount(tenant)).toBe(2);
  });

  it("counts a window once, even when it comes again after its raw row was pruned", async () => {
    const { tenant, runId } = await createdRun("lt-k");
    const { db } = live.projections.database;
    const window = { runId, workerId: "w1", second: 3000, activeUsers: 1, requests: [requestWindow("home", [1000, 2000, 3000])] };
    const runTotal = async () => {
      const rows = await db
        .select({ requests: metricRollups.requests })
        .from(metricRollups)
        .where(
          and(eq(metricRollups.tenantId, tenant), eq(metricRollups.runId, runId), eq(metricRollups.step, 0), eq(metricRollups.method, "")),
        );
      return rows[0]?.requests;
    };
    const first = await publishWindow(live.js, live.env.ns, tenant, window);
    expect(await live.projections.projectors.metrics.waitFor(first, 5000)).toBe(true);
    // The raw row is stored apart from the rollups' transaction, but before its checkpoint moves.
    expect(await windowCount(tenant)).toBe(1);
    expect(await runTotal()).toBe(3);

    // Again while its raw row is there (binary COPY refuses the chunk; the insert takes it),
    // alongside a new window that must be stored all the same.
    await publishWindow(live.js, live.env.ns, tenant, window, `dup.${runId}`);
    const next = await publishWindow(live.js, live.env.ns, tenant, { ...window, second: 3001, requests: [requestWindow("home", [4000])] });
    expect(await live.projections.projectors.metrics.waitFor(next, 5000)).toBe(true);
    expect(await windowCount(tenant)).toBe(2);
    expect(await runTotal()).toBe(4);

    await db.delete(metricWindows).where(eq(metricWindows.tenantId, tenant)); // as pruning does
    // Past the stream's duplicate window (an import months later, say): a new message id.
    const again = await publishWindow(live.js, live.env.ns, tenant, window, `again.${runId}`);
    expect(again).toBeGreaterThan(first);
    expect(await live.projections.projectors.metrics.waitFor(again, 5000)).toBe(true);
    expect(await runTotal()).toBe(4);
    expect(await windowCount(tenant)).toBe(1);
  });

  it("holds a batch whose raw windows cannot be stored, and applies it once they can", async () => {
    const { tenant, runId } = await createdRun("lt-s");
    const { db } = live.projections.database;
    await db.execute(sql`alter table metric_windows rename to metric_windows_away`);
    let seq = 0;
    try {
      seq = await publishWindow(live.js, live.env.ns, tenant, {
        runId,
        workerId: "w1",
        second: 4000,
        activeUsers: 1,
        requests: [requestWindow("home", [1000])],
      });
      expect(await live.projections.projectors.metrics.waitFor(seq, 700)).toBe(false);
      expect(await readCheckpoint(db, METRICS_PROJECTION)).toBeLessThan(seq);
    } finally {
      await db.execute(sql`alter table metric_windows_away rename to metric_windows`);
    }
    expect(await live.projections.projectors.metrics.waitFor(seq, 10_000)).toBe(true);
    expect(await windowCount(tenant)).toBe(1);
  });

  it("replays the streams into a database that lost them", async () => {
    const tenant = newTenant();
    const id = newId();
    const seq = await appendEvents(live.store, tenant, { type: "load-test", id }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    await applied(seq);
    await live.projections.stop();
    const fresh = await testDatabase();
    try {
      // The durable's ack floor is ahead of the new database's checkpoint (0): it is recreated from the start.
      live.projections = await start(fresh.url);
      await applied(seq);
      expect(await live.projections.readModel.loadTest(tenant, id)).not.toBeNull();
      await eventually(() => live.projections.ready());
      await live.projections.stop();
    } finally {
      await fresh.drop();
    }
    live.projections = await start();
  });
});
