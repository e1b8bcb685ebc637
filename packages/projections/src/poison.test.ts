// A message the read model cannot store is a dead letter, not a retry loop. Poison is published
// straight onto the streams (past the API, as anything on NATS may be), between good events: a
// string holding NUL, a lone surrogate, NUL in a header, a body nested 2,000 deep (which PGlite
// cannot even parse without breaking for good), an event Postgres refuses (a time that is not
// one: its row's created_at is null), and metric windows with a NUL in a request name or deep
// nesting. On Postgres and on PGlite alike, exactly those are dead-lettered, every good one is
// applied, the checkpoints reach the streams' ends, and the read side is ready, after a restart too.
import { type EventStore, newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore, subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger, opsRoutes } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { and, asc, eq, sql } from "drizzle-orm";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, openDatabase } from "./database.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { metricRollups, metricWindows, projectionDeadLetters } from "./schema.ts";
import { Projections, type ProjectionsOptions } from "./service.ts";
import type { ProjectionStatus } from "./status.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("poison-test", process.env.TEST_LOG_LEVEL ?? "silent");
const TENANT = "acme";

/** `levels` arrays inside one another. */
const deep = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
};

type Backend = { name: string; open(): Promise<{ database: Database; drop(): Promise<void> }> };
const backends: Backend[] = [
  {
    name: "Postgres",
    async open() {
      const pg = await testDatabase();
      const database = await openDatabase({ url: pg.url });
      return { database, drop: () => database.close().then(() => pg.drop()) };
    },
  },
  {
    name: "PGlite",
    async open() {
      const database = await openDatabase();
      return { database, drop: () => database.close() };
    },
  },
];

/** The read side of one test: its own namespace and database, and what the tests ask it with. */
class ReadSide {
  env!: TestNats;
  js!: JetStreamClient;
  store!: EventStore;
  database!: Database;
  projections: Projections | null = null;
  drop!: () => Promise<void>;

  async open(backend: Backend): Promise<void> {
    this.env = await testNats();
    this.js = jetstream(this.env.nc);
    this.store = new JetStreamEventStore(this.env.nc, this.env.ns);
    ({ database: this.database, drop: this.drop } = await backend.open());
  }

  async start(over: Partial<ProjectionsOptions> = {}): Promise<Projections> {
    this.projections = await Projections.start({ nc: this.env.nc, ns: this.env.ns, database: this.database, log, ...over });
    return this.projections;
  }

  async stop(): Promise<void> {
    await this.projections?.stop();
    this.projections = null;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.drop?.();
    await this.env?.cleanup();
  }

  /** An event as the event store would publish it, with `over` in its envelope; answers its stream sequence. */
  async publishEvent(aggregate: { type: "load-test" | "run"; id: string }, type: string, data: unknown, over = {}): Promise<number> {
    const id = newId();
    const envelope = {
      id,
      type,
      schemaVersion: 1,
      tenantId: TENANT,
      aggregate,
      time: new Date().toISOString(),
      actor: "tester",
      causationId: null,
      correlationId: id,
      data,
      ...over,
    };
    const subject = subjects.event(this.env.ns, TENANT, aggregate.type, aggregate.id);
    return (await this.js.publish(subject, JSON.stringify(envelope))).seq;
  }

  /** A new load test, hand-published: its id and sequence. */
  async createLoadTest(spec: unknown, over = {}): Promise<{ id: string; seq: number }> {
    const id = newId();
    return { id, seq: await this.publishEvent({ type: "load-test", id }, "load-test.created", { spec }, over) };
  }

  readonly deadLetters = (projection: string) =>
    this.database.db
      .select()
      .from(projectionDeadLetters)
      .where(eq(projectionDeadLetters.projection, projection))
      .orderBy(asc(projectionDeadLetters.seq));

  readonly readyz = async (): Promise<{ status: number; body: { status: string; reasons?: unknown[] } }> => {
    const projections = this.projections!;
    const ops = opsRoutes({ ready: () => projections.ready(), notReadyBecause: () => projections.notReady(), registry: new Registry() });
    const res = await ops.request("/readyz");
    return { status: res.status, body: (await res.json()) as { status: string; reasons?: unknown[] } };
  };

  readonly statuses = async (): Promise<Record<string, ProjectionStatus>> => {
    const res = await this.projections!.routes.request("/v1/projections");
    const { items } = (await res.json()) as { items: ProjectionStatus[] };
    return Object.fromEntries(items.map((i) => [i.name, i]));
  };
}

describe.each(backends)("poison on $name", (backend) => {
  const side = new ReadSide();
  beforeAll(() => side.open(backend));
  afterAll(() => side.close());

  it("dead-letters exactly the messages it cannot store, applies every other one, and is ready, after a restart too", async () => {
    // A backlog published before the read side starts: its messages come in few batches, the
    // poison in the middle of them.
    const good = loadTestSpec({ name: "good" });
    const a = newId();
    const seqs = {
      goodA: await appendEvents(side.store, TENANT, { type: "load-test", id: a }, [{ type: "load-test.created", data: { spec: good } }]),
      nul: (await side.createLoadTest({ ...good, name: "nul\u0000name" })).seq,
      updateA: await appendEvents(side.store, TENANT, { type: "load-test", id: a }, [
        { type: "load-test.updated", data: { spec: { ...good, name: "good v2" } } },
      ]),
      surrogate: (await side.createLoadTest({ ...good, name: "lone \ud800 surrogate" })).seq,
      header: (await side.createLoadTest({ ...good, requests: [{ method: "GET", path: "/", headers: { "X-Poison": "a\u0000b" } }] })).seq,
      deep: (
        await side.createLoadTest({
          ...good,
          requests: undefined,
          scenarios: [{ name: "s", steps: [{ type: "request", url: "/", body: { json: deep(2000) } }] }],
        })
      ).seq,
      badTime: (await side.createLoadTest(good, { time: "not a time" })).seq,
      run: 0,
      goodB: 0,
    };
    const runId = newId();
    seqs.run = await appendEvents(side.store, TENANT, { type: "run", id: runId }, [runCreated(a)]);
    const b = await side.createLoadTest({ ...good, name: "good b" });
    seqs.goodB = b.seq;
    expect(Object.values(seqs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const window = { runId, workerId: "w1", activeUsers: 2 };
    const windows = {
      first: await publishWindow(side.js, side.env.ns, TENANT, {
        ...window,
        second: 1000,
        requests: [requestWindow("home", [1000, 2000])],
      }),
      nulName: await publishWindow(side.js, side.env.ns, TENANT, {
        ...window,
        second: 1001,
        requests: [requestWindow("bad\u0000name", [1000])],
      }),
      deep: await publishWindow(side.js, side.env.ns, TENANT, {
        ...window,
        second: 1002,
        requests: [requestWindow("home", [1000])],
        extra: deep(2000),
      } as Parameters<typeof publishWindow>[3]),
      last: await publishWindow(side.js, side.env.ns, TENANT, {
        ...window,
        second: 1003,
        requests: [requestWindow("home", [3000, 4000, 5000])],
      }),
    };
    expect(Object.values(windows)).toEqual([1, 2, 3, 4]);

    const projections = await side.start();
    expect(await projections.readModel.waitForEvents(seqs.goodB, 15_000)).toBe(true);
    expect(await projections.projectors.metrics.waitFor(windows.last, 15_000)).toBe(true);

    // Exactly the poison is dead-lettered, each with its reason.
    const eventLetters = await side.deadLetters(EVENTS_PROJECTION);
    expect(eventLetters.map((l) => [l.seq, l.reason])).toEqual([
      [seqs.nul, "cannot be stored: data.spec.name holds U+0000 (NUL)"],
      [seqs.surrogate, "cannot be stored: data.spec.name holds a lone surrogate (not Unicode)"],
      [seqs.header, "cannot be stored: data.spec.requests[0].headers.X-Poison holds U+0000 (NUL)"],
      [seqs.deep, "cannot be stored: data.spec.scenarios[0].steps[0].body.json… nests deeper than 128 levels"],
      [seqs.badTime, expect.stringMatching(/^the database refused it: 23502 null value in column "created_at"/)],
    ]);
    // The payload is the message as published, its escapes as they came.
    expect(eventLetters[0]!.payload).toContain('"name":"nul\\u0000name"');
    expect(eventLetters[1]!.payload).toContain('"name":"lone \\ud800 surrogate"');
    const metricLetters = await side.deadLetters(METRICS_PROJECTION);
    expect(metricLetters.map((l) => [l.seq, l.reason])).toEqual([
      [windows.nulName, "cannot be stored: data.requests[0].name holds U+0000 (NUL)"],
      [windows.deep, "cannot be stored: data.extra[0][0][0][0][0][0]… nests deeper than 128 levels"],
    ]);

    // Every good event is applied, once.
    expect(await projections.readModel.loadTest(TENANT, a)).toMatchObject({ name: "good v2", version: 2 });
    expect(await projections.readModel.loadTest(TENANT, b.id)).toMatchObject({ name: "good b", version: 1 });
    expect((await projections.readModel.loadTests(TENANT, {}, { limit: 50, offset: 0 })).total).toBe(2);
    expect(await projections.readModel.run(TENANT, runId)).toMatchObject({ loadTestId: a, status: "Pending", version: 1 });
    const raw = await side.database.db.select({ second: metricWindows.second }).from(metricWindows).orderBy(asc(metricWindows.second));
    expect(raw.map((r) => r.second)).toEqual([1000, 1003]);
    const [whole] = await side.database.db
      .select({ requests: metricRollups.requests })
      .from(metricRollups)
      .where(and(eq(metricRollups.runId, runId), eq(metricRollups.step, 0), eq(metricRollups.method, "")));
    expect(whole?.requests).toBe(5);
    expect(await side.database.db.$count(metricRollups, sql`${metricRollups.name} like 'bad%'`)).toBe(0);

    // The checkpoints are at the streams' ends, and the read side is ready and says what it holds.
    expect(await readCheckpoint(side.database.db, EVENTS_PROJECTION)).toBe(seqs.goodB);
    expect(await readCheckpoint(side.database.db, METRICS_PROJECTION)).toBe(windows.last);
    await eventually(() => projections.ready(), 5000);
    expect(await side.readyz()).toEqual({ status: 200, body: { status: "ready" } });
    const statuses = await side.statuses();
    expect(statuses[EVENTS_PROJECTION]).toMatchObject({ checkpoint: seqs.goodB, lag: 0, deadLetters: 5, state: "ok", lastError: null });
    expect(statuses[METRICS_PROJECTION]).toMatchObject({ checkpoint: windows.last, lag: 0, deadLetters: 2, state: "ok", lastError: null });

    // After a restart: ready again, nothing dead-lettered twice, and what comes next is applied.
    await side.stop();
    const again = await side.start();
    await eventually(() => again.ready(), 10_000);
    expect((await side.readyz()).status).toBe(200);
    const next = await side.createLoadTest({ ...good, name: "after restart" });
    expect(await again.readModel.waitForEvents(next.seq, 5000)).toBe(true);
    expect(await again.readModel.loadTest(TENANT, next.id)).toMatchObject({ name: "after restart" });
    expect((await side.deadLetters(EVENTS_PROJECTION)).length).toBe(5);
    expect((await side.deadLetters(METRICS_PROJECTION)).length).toBe(2);
  });
});

describe("a projection that cannot advance", () => {
  const side = new ReadSide();
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await testDatabase();
    await side.open({
      name: "Postgres",
      open: async () => {
        const database = await openDatabase({ url: pg.url });
        return { database, drop: () => database.close().then(() => pg.drop()) };
      },
    });
    // While switched on, the database fails every insert of the load test named "stuck" as a
    // serialisation failure would: a transient error, retried and never skipped.
    const { db } = side.database;
    await db.execute(sql`create table stuck_switch (on_ boolean not null)`);
    await db.execute(sql`insert into stuck_switch values (true)`);
    await db.execute(
      sql.raw(`
        create function fail_stuck() returns trigger language plpgsql as $$
        begin
          if NEW.name = 'stuck' and (select on_ from stuck_switch) then
            raise exception 'could not serialize access (test)' using errcode = '40001';
          end if;
          return NEW;
        end $$`),
    );
    await db.execute(sql`create trigger fail_stuck before insert on load_tests for each row execute function fail_stuck()`);
  });
  afterAll(() => side.close());

  it("makes /readyz answer 503 naming it and its error, shows it retrying in /v1/projections, and recovers", async () => {
    const projections = await side.start({ notReadyAfterRetryingMs: 300 });
    const first = await side.createLoadTest(loadTestSpec({ name: "fine" }));
    expect(await projections.readModel.waitForEvents(first.seq, 5000)).toBe(true);
    await eventually(() => projections.ready(), 5000);

    const stuck = await side.createLoadTest(loadTestSpec({ name: "stuck" }));
    await eventually(() => !projections.ready(), 5000, 20);
    const readyz = await side.readyz();
    expect(readyz.status).toBe(503);
    expect(readyz.body).toEqual({
      status: "not ready",
      reasons: [
        {
          projection: EVENTS_PROJECTION,
          state: "retrying",
          lastError: "40001 could not serialize access (test)",
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
    });
    await eventually(async () => (await side.statuses())[EVENTS_PROJECTION]?.state === "retrying", 5000, 20);
    const status = (await side.statuses())[EVENTS_PROJECTION]!;
    expect(status).toMatchObject({ checkpoint: first.seq, lag: 1, deadLetters: 0, lastError: "40001 could not serialize access (test)" });
    expect(Date.parse(status.since!)).toBeLessThanOrEqual(Date.now());
    expect((await side.statuses())[METRICS_PROJECTION]).toMatchObject({ state: "ok", lastError: null, since: null });

    // The database takes it again: the batch commits on its next try, and all is well.
    await side.database.db.execute(sql`update stuck_switch set on_ = false`);
    expect(await projections.readModel.waitForEvents(stuck.seq, 10_000)).toBe(true);
    expect(await projections.readModel.loadTest(TENANT, stuck.id)).toMatchObject({ name: "stuck" });
    await eventually(() => projections.ready(), 5000);
    expect(await side.readyz()).toEqual({ status: 200, body: { status: "ready" } });
    expect((await side.statuses())[EVENTS_PROJECTION]).toMatchObject({ state: "ok", lastError: null, since: null, lag: 0, deadLetters: 0 });
  });
});
