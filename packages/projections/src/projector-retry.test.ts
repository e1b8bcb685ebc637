// The projector's retry path, against real NATS and Postgres: a batch whose transaction fails at the
// database is tried again, whole and in order, until it commits; it is neither skipped nor dead-lettered,
// nothing after it is applied meanwhile, and the read model ends exactly as if it had never failed.
// Unless the database refuses the data itself (a data error's SQLSTATE): then the message at fault is
// dead-lettered, once, and every other one applied, instead of the batch being retried for ever.
// The failure is a trigger in this file's own database that raises on the first inserts of a marked
// row (a load test by name, a run by load test id), with the SQLSTATE it is told: its attempts are
// counted by a sequence, and the first ones timed by sequences too (by the database's clock), which
// a rolled-back transaction does not undo.
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
import { loadTests, projectionCheckpoints, projectionDeadLetters, runs } from "./schema.ts";
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
  await database.db.execute(sql`create table poison (name text primary key, fail_times int not null, errcode text not null)`);
  // Raises with `errcode` while a marked row's insert has been attempted no more than `fail_times`
  // times; the trigger's argument names the column that carries the mark.
  await database.db.execute(
    sql.raw(`
      create function fail_poisoned() returns trigger language plpgsql as $$
      declare
        planned int;
        code text;
        attempt bigint;
      begin
        select fail_times, errcode into planned, code from poison where name = to_jsonb(NEW) ->> TG_ARGV[0];
        if found then
          attempt := nextval(format('%I', 'attempts_' || (to_jsonb(NEW) ->> TG_ARGV[0]))::regclass);
          if to_regclass(format('%I', 'at_' || (to_jsonb(NEW) ->> TG_ARGV[0]) || '_' || attempt)) is not null then
            perform setval(format('%I', 'at_' || (to_jsonb(NEW) ->> TG_ARGV[0]) || '_' || attempt)::regclass,
              (extract(epoch from clock_timestamp()) * 1000000)::bigint);
          end if;
          if attempt <= planned then
            raise exception 'poisoned row % in % (attempt %)', to_jsonb(NEW) ->> TG_ARGV[0], TG_TABLE_NAME, attempt using errcode = code;
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

/**
 * Makes the first `times` inserts of the load test named `name`, or of a run of the load test
 * `name`, fail at the database with the SQLSTATE `errcode` (P0001, raise_exception: not a data error).
 */
async function poison(name: string, times: number, errcode = "P0001"): Promise<void> {
  await database.db.execute(sql`insert into poison values (${name}, ${times}, ${errcode})`);
  await database.db.execute(sql.raw(`create sequence "attempts_${name}"`));
  for (let k = 1; k <= Math.min(times + 1, 3); k++) await database.db.execute(sql.raw(`create sequence "at_${name}_${k}"`));
}

/** When each of the first attempts of the row marked `name` was made, in ms by the database's clock. */
async function attemptTimes(name: string): Promise<number[]> {
  const times: number[] = [];
  for (let k = 1; k <= Math.min(await attempts(name), 3); k++) {
    const [row] = rowsOf<{ us: string | number }>(await database.db.execute(sql.raw(`select last_value as us from "at_${name}_${k}"`)));
    times.push(Number(row!.us) / 1000);
  }
  return times;
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

const deadLetterRows = () =>
  database.db
    .select()
    .from(projectionDeadLetters)
    .where(eq(projectionDeadLetters.projection, EVENTS_PROJECTION))
    .orderBy(asc(projectionDeadLetters.seq));

const deadLetters = async (): Promise<number> => (await deadLetterRows()).length;

/** What the checkpoint's row says of failures, for every process's status. */
const recordedFailure = async () => {
  const [row] = await database.db
    .select({ lastError: projectionCheckpoints.lastError, since: projectionCheckpoints.failingSince })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.name, EVENTS_PROJECTION));
  return row;
};

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
    // Tried again after the retry delay, which then doubles: timed where the row is inserted, by
    // the database (less 10 ms: a timer may fire that early, by the event loop's cached time).
    const at = await attemptTimes("p1");
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(RETRY_DELAY_MS - 10);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(2 * RETRY_DELAY_MS - 10);
    expect(at[2]! - at[0]!).toBeLessThan(10_000);
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

  it("retries serialization failures and deadlocks, says it is retrying, and never dead-letters them", async () => {
    const p = await startProjector();
    const start = await readCheckpoint(database.db, EVENTS_PROJECTION);
    await poison("p4", 2, "40001");
    await poison("p5", 2, "40P01");
    const p4 = await createLoadTest("p4");
    await eventually(async () => (await attempts("p4")) >= 1, 5000, 10);
    // While it retries: its health names the error and since when, and so does the checkpoint's row.
    await eventually(() => p.health().state === "retrying", 5000, 5);
    const retrying = p.health();
    expect(retrying).toMatchObject({
      name: EVENTS_PROJECTION,
      state: "retrying",
      lastError: expect.stringMatching(/^40001 poisoned row p4/),
    });
    expect(Date.now() - Date.parse(retrying.since!)).toBeLessThan(5000);
    await eventually(async () => (await recordedFailure())?.lastError?.startsWith("40001 poisoned row p4") === true, 5000, 10);
    expect((await recordedFailure())?.since).toBeInstanceOf(Date);
    expect(p.position).toBe(start);

    const p5 = await createLoadTest("p5");
    const last = await createLoadTest("after-transient");
    expect(await p.waitFor(last, 10_000)).toBe(true);
    expect(await attempts("p4")).toBe(3);
    expect(await attempts("p5")).toBe(3);
    expect(await counter(metrics.failures)).toBe(4);
    expect(await counter(metrics.applied)).toBe(3);
    expect(await deadLetters()).toBe(0);
    expect((await loadTestNames()).filter((n) => ["p4", "p5", "after-transient"].includes(n))).toEqual(["after-transient", "p4", "p5"]);
    expect([p4, p5, last]).toEqual([start + 1, start + 2, start + 3]);
    // A commit clears the failure, here and on the row.
    expect(p.health()).toEqual({ name: EVENTS_PROJECTION, state: "live", caughtUp: true, lastError: null, since: null });
    expect(await recordedFailure()).toEqual({ lastError: null, since: null });
    await ackedUpTo(last);
  });

  it("dead-letters a message the database refuses as data, once, applies every other one in order, and moves on", async () => {
    const start = await readCheckpoint(database.db, EVENTS_PROJECTION);
    const lettersBefore = await deadLetters();
    // For ever: retried, this message would hold the projection back for good.
    await poison("p3", 1_000_000, "22023");
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    // A backlog, so that the refused message is in the middle of a batch (one, as a rule).
    const seqs = {
      first: await createLoadTest("dl-first"),
      created: await appendEvents(store, TENANT, run, [runCreated("lt-dl")]),
      refused: await createLoadTest("p3"),
      stopping: await appendEvents(store, TENANT, run, [{ type: "run.stopping", data: { reason: "requested" } }]),
      last: await createLoadTest("dl-last"),
    };
    expect(Object.values(seqs)).toEqual([1, 2, 3, 4, 5].map((i) => start + i));

    const p = await startProjector();
    expect(await p.waitFor(seqs.last, 10_000)).toBe(true);
    const letters = (await deadLetterRows()).slice(lettersBefore);
    expect(letters.map((l) => l.seq)).toEqual([seqs.refused]);
    expect(letters[0]!.reason).toMatch(/^the database refused it: 22023 poisoned row p3 in load_tests/);
    expect(JSON.parse(letters[0]!.payload)).toMatchObject({ type: "load-test.created", data: { spec: { name: "p3" } } });
    // Every other message applied once, in order; nothing retried as a transient failure.
    expect(await counter(metrics.applied)).toBe(4);
    expect(await counter(metrics.failures)).toBe(0);
    expect((await loadTestNames()).filter((n) => n.startsWith("dl-") || n === "p3")).toEqual(["dl-first", "dl-last"]);
    expect(await database.db.select().from(runs).where(eq(runs.id, runId))).toEqual([
      expect.objectContaining({ loadTestId: "lt-dl", status: "Stopping", version: 2 }),
    ]);
    expect(await readCheckpoint(database.db, EVENTS_PROJECTION)).toBe(seqs.last);
    await ackedUpTo(seqs.last);
    // Found by halving the batch: a few attempts (the batch, then the halves holding it), then none.
    const tried = await attempts("p3");
    expect(tried).toBeGreaterThanOrEqual(1);
    expect(tried).toBeLessThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 4 * RETRY_DELAY_MS));
    expect(await attempts("p3")).toBe(tried);
    expect(p.health()).toMatchObject({ state: "live", lastError: null });
    expect(await recordedFailure()).toEqual({ lastError: null, since: null });
  });
});
