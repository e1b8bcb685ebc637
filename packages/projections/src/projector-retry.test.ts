// The projector's retry path, against real NATS and Postgres: a batch whose transaction fails at the
// database is tried again, whole and in order, until it commits; it is neither skipped nor dead-lettered,
// nothing after it is applied meanwhile, and the read model ends exactly as if it had never failed.
// The failure is a trigger in this file's own database that raises on the first inserts of a marked
// row (a load test by name, a run by load test id): its attempts are counted by a sequence, which a
// rolled-back transaction does not undo.
import { type EventStore, newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, openDatabase } from "./database.ts";
import { EVENTS_PROJECTION, eventsProjection } from "./events-projection.ts";
import { type ProjectionMetrics, projectionMetrics } from "./projection-metrics.ts";
import { Projector } from "./projector.ts";
import { loadTests, projectionDeadLetters, runs } from "./schema.ts";
import { rowsOf } from "./sql-helpers.ts";
import { appendEvents, loadTestSpec, runCreated } from "./test-fixtures.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("projector-retry-test", process.env.TEST_LOG_LEVEL ?? "silent");
/** First retry after 200 ms, the next 400 ms later: room to look at the read model between attempts. */
const RETRY_DELAY_MS = 200;
const TENANT = "acme";

let env: TestNats;
let pg: TestDatabase;
let database: Database;
let store: EventStore;
let projector: Projector | undefined;
let metrics: ProjectionMetrics;

beforeAll(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  database = await openDatabase({ url: pg.url });
  store = new JetStreamEventStore(env.nc, env.ns);
  await database.db.execute(sql`create table poison (name text primary key, fail_times int not null)`);
  // Raises while a marked row's insert has been attempted no more than `fail_times` times; the
  // trigger's argument names the column that carries the mark.
  await database.db.execute(
    sql.raw(`
      create function fail_poisoned() returns trigger language plpgsql as $$
      declare
        planned int;
        attempt bigint;
      begin
        select fail_times into planned from poison where name = to_jsonb(NEW) ->> TG_ARGV[0];
        if found then
          attempt := nextval(format('%I', 'attempts_' || (to_jsonb(NEW) ->> TG_ARGV[0]))::regclass);
          if attempt <= planned then
            raise exception 'poisoned row % in % (attempt %)', to_jsonb(NEW) ->> TG_ARGV[0], TG_TABLE_NAME, attempt;
          end if;
        end if;
        return NEW;
      end $$`),
  );
  await database.db.execute(
    sql`create trigger fail_poisoned before insert on load_tests for each row execute function fail_poisoned('name')`,
  );
  await database.db.execute(
    sql`create trigger fail_poisoned before insert on runs for each row execute function fail_poisoned('load_test_id')`,
  );
});

afterEach(async () => {
  await projector?.stop();
  projector = undefined;
});

afterAll(async () => {
  await database?.close();
  await env?.cleanup();
  await pg?.drop();
});

async function startProjector(): Promise<Projector> {
  metrics = projectionMetrics();
  projector = await Projector.start({
    projection: eventsProjection(log),
    nc: env.nc,
    ns: env.ns,
    db: database.db,
    leases: database.leases,
    concurrentStaging: database.concurrent,
    log,
    metrics,
    retryDelayMs: RETRY_DELAY_MS,
    maxRetryDelayMs: 2 * RETRY_DELAY_MS,
  });
  return projector;
}

/** Makes the first `times` inserts of the load test named `name`, or of a run of the load test `name`, fail at the database. */
async function poison(name: string, times: number): Promise<void> {
  await database.db.execute(sql`insert into poison values (${name}, ${times})`);
  await database.db.execute(sql.raw(`create sequence "attempts_${name}"`));
}

/** How many times the row marked `name` was attempted to be inserted, failed or not. */
async function attempts(name: string): Promise<number> {
  const [row] = rowsOf<{ n: string | number }>(
    await database.db.execute(sql.raw(`select case when is_called then last_value else 0 end as n from "attempts_${name}"`)),
  );
  return Number(row!.n);
}

const counter = async (c: ProjectionMetrics["failures"] | ProjectionMetrics["applied"]): Promise<number> =>
  (await c.get()).values.find((v) => v.labels.projection === EVENTS_PROJECTION)?.value ?? 0;

const loadTestNames = async (): Promise<string[]> =>
  (await database.db.select({ name: loadTests.name }).from(loadTests).orderBy(asc(loadTests.name))).map((r) => r.name);

const deadLetters = async (): Promise<number> =>
  (await database.db.select().from(projectionDeadLetters).where(eq(projectionDeadLetters.projection, EVENTS_PROJECTION))).length;

/** Creates a load test named `name`; answers its event's stream sequence. */
const createLoadTest = (name: string): Promise<number> =>
  appendEvents(store, TENANT, { type: "load-test", id: newId() }, [{ type: "load-test.created", data: { spec: loadTestSpec({ name }) } }]);

/** The durable has acked everything up to `seq` and holds nothing more: the batch was not left to redeliver. */
async function ackedUpTo(seq: number): Promise<void> {
  const jsm = await jetstreamManager(env.nc);
  await eventually(async () => {
    const info = await jsm.consumers.info(env.ns.streams.events, `proj_${EVENTS_PROJECTION}`);
    return info.ack_floor.stream_seq === seq && info.num_ack_pending === 0 && info.num_pending === 0;
  }, 5000);
}

describe("Projector retry", () => {
  it("retries a batch that failed at the database until it commits, holding back what follows, and applies it once", async () => {
    const p = await startProjector();
    const beforeSeq = await createLoadTest("before");
    expect(await p.waitFor(beforeSeq, 5000)).toBe(true);

    await poison("p1", 2);
    const poisonSeq = await createLoadTest("p1");
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    await appendEvents(store, TENANT, run, [runCreated("lt-after")]);
    const afterSeq = await createLoadTest("after");
    const lastSeq = await appendEvents(store, TENANT, run, [{ type: "run.stopping", data: { reason: "duration" } }]);
    expect(poisonSeq).toBe(beforeSeq + 1);
    expect(lastSeq).toBe(beforeSeq + 4);

    // When each attempt is first seen, for the delays between them.
    const seenAt: number[] = [];
    const watching = (async () => {
      for (let n = 0; n < 3; ) {
        n = await attempts("p1");
        while (seenAt.length < n) seenAt.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    // Between the failed attempts: nothing of the failing batch, nor of anything after it, is applied.
    await eventually(async () => (await attempts("p1")) >= 1, 5000, 10);
    expect(await p.waitFor(poisonSeq, 100)).toBe(false);
    expect(p.position).toBe(beforeSeq);
    expect(await readCheckpoint(database.db, EVENTS_PROJECTION)).toBe(beforeSeq);
    expect(await loadTestNames()).toEqual(["before"]);
    expect(await database.db.select().from(runs)).toEqual([]);
    expect(await deadLetters()).toBe(0);
    expect(await counter(metrics.failures)).toBeGreaterThanOrEqual(1);
    // ...and all of the above was seen before the attempt that succeeds (the third) had begun.
    expect(await attempts("p1")).toBeLessThanOrEqual(2);

    expect(await p.waitFor(lastSeq, 10_000)).toBe(true);
    // Failed twice, committed on the third attempt, never applied again after that.
    expect(await attempts("p1")).toBe(3);
    expect(await counter(metrics.failures)).toBe(2);
    // Every event applied exactly once: 1 before, then the 4 of the batch retried and those behind it.
    expect(await counter(metrics.applied)).toBe(5);
    expect(await readCheckpoint(database.db, EVENTS_PROJECTION)).toBe(lastSeq);
    expect(p.position).toBe(lastSeq);
    expect(await deadLetters()).toBe(0);
    const rows = await database.db.select().from(loadTests).orderBy(asc(loadTests.name));
    expect(rows.map((r) => [r.name, r.version])).toEqual([
      ["after", 1],
      ["before", 1],
      ["p1", 1],
    ]);
    expect(await database.db.select().from(runs)).toEqual([
      expect.objectContaining({ tenantId: TENANT, id: runId, loadTestId: "lt-after", status: "Stopping", version: 2 }),
    ]);
    expect(afterSeq).toBeLessThan(lastSeq);
    await ackedUpTo(lastSeq);
    // Tried again after the retry delay, which then doubles (less what the polling may have lost).
    await watching;
    expect(seenAt).toHaveLength(3);
    expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(RETRY_DELAY_MS - 40);
    expect(seenAt[2]! - seenAt[1]!).toBeGreaterThanOrEqual(2 * RETRY_DELAY_MS - 40);
  });

  it("rolls back the whole batch around the failing row, then applies all of it once, in order", async () => {
    const start = await readCheckpoint(database.db, EVENTS_PROJECTION);
    // A backlog published while no projector runs, so that it comes in few batches (one, as a rule).
    // The failing row is a run, which the events projection writes after the batch's load tests:
    // those must be rolled back with it.
    await poison("p2", 1);
    const runA = newId();
    const runB = newId();
    const seqs = {
      first: await createLoadTest("backlog-first"),
      createdA: await appendEvents(store, TENANT, { type: "run", id: runA }, [runCreated("lt-backlog")]),
      createdB: await appendEvents(store, TENANT, { type: "run", id: runB }, [runCreated("p2")]),
      stoppingA: await appendEvents(store, TENANT, { type: "run", id: runA }, [{ type: "run.stopping", data: { reason: "requested" } }]),
      last: await createLoadTest("backlog-last"),
    };
    expect(Object.values(seqs)).toEqual([1, 2, 3, 4, 5].map((i) => start + i));

    const p = await startProjector();
    await eventually(async () => (await attempts("p2")) >= 1, 5000, 10);
    // Failing: the checkpoint is short of the failing event, and the read model holds exactly what it says.
    const checkpoint = await readCheckpoint(database.db, EVENTS_PROJECTION);
    const names = await loadTestNames();
    const runIds = (await database.db.select({ id: runs.id, version: runs.version }).from(runs)).filter((r) => [runA, runB].includes(r.id));
    expect(await attempts("p2")).toBe(1); // all of it read before the retry began
    expect(checkpoint).toBeGreaterThanOrEqual(start);
    expect(checkpoint).toBeLessThan(seqs.createdB);
    expect(p.position).toBe(checkpoint);
    expect(names.includes("backlog-first")).toBe(checkpoint >= seqs.first);
    expect(names.includes("backlog-last")).toBe(false);
    expect(runIds).toEqual(checkpoint >= seqs.createdA ? [{ id: runA, version: 1 }] : []);
    expect(await deadLetters()).toBe(0);

    expect(await p.waitFor(seqs.last, 10_000)).toBe(true);
    expect(await attempts("p2")).toBe(2);
    expect(await counter(metrics.failures)).toBe(1);
    expect(await counter(metrics.applied)).toBe(5);
    expect(await readCheckpoint(database.db, EVENTS_PROJECTION)).toBe(seqs.last);
    expect(await deadLetters()).toBe(0);
    expect((await loadTestNames()).filter((n) => n.startsWith("backlog-"))).toEqual(["backlog-first", "backlog-last"]);
    const backlogRuns = await database.db.select().from(runs).where(sql`${runs.id} in (${runA}, ${runB})`);
    expect(backlogRuns.map((r) => [r.id, r.loadTestId, r.status, r.version]).sort()).toEqual(
      [
        [runA, "lt-backlog", "Stopping", 2],
        [runB, "p2", "Pending", 1],
      ].sort(),
    );
    await ackedUpTo(seqs.last);
  });
});
