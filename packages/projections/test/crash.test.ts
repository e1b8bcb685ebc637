import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newId, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { connectNats, DEFAULT_STREAM_OPTIONS, ensureStreams, JetStreamEventStore, type NatsConnection, namespace } from "@loadline/nats";
import { type NatsNode, type NatsServers, natsServers } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { type ConsumerInfo, type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../src/checkpoints.ts";
import { type Database, openDatabase } from "../src/database.ts";
import { rebuildProjection } from "../src/rebuild.ts";
import { ROLLUP_STEPS } from "../src/rollups.ts";
import { rowsOf } from "../src/sql-helpers.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated, tableChecksums } from "../src/test-fixtures.ts";
import { type TestDatabase, testDatabase } from "../src/testing.ts";

/**
 * Exactly once, across a crash at each of the two points that matter: a batch staged in its open
 * transaction and not committed (it must vanish), and a batch committed whose ack never reached
 * NATS (NATS still holds it as unacked: it must not be applied a second time). Both are reached
 * on purpose, and seen reached in Postgres and in NATS, rather than hoped for with a kill at a
 * random moment (one such kill, mid-ingest, comes last). After each restart the read model must
 * hold exactly what was published, in absolute numbers, and at the end equal a fresh rebuild.
 */

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const log = createLogger("crash-test", process.env.TEST_LOG_LEVEL ?? "silent");

const TENANT = "crash";
const SECONDS = 60;
const WORKERS = ["w1", "w2", "w3", "w4"] as const;
const NAMES = ["home", "search", "login"] as const;

/** What one run publishes: 60 s × 4 workers = 240 windows, each with 3 samples of each of the 3 names. */
const WINDOWS_PER_RUN = 240;
/** Per run and series ("" is all requests together): 240 windows × 3 samples; 9 a window for "". */
const RUN_TOTALS: Record<string, { requests: number; failures: number }> = {
  "": { requests: 2_160, failures: 100 },
  home: { requests: 720, failures: 36 },
  search: { requests: 720, failures: 32 },
  login: { requests: 720, failures: 32 },
};
/** The four runs: 4 × 60 s × 4 workers × 3 names × 3 samples. */
const TOTAL_WINDOWS = 960;
const TOTAL_REQUESTS = 8_640;
const TOTAL_FAILURES = 400;

/** A name fails once in a window when its second plus its index is a multiple of 7: 9, 8 and 8 windows of 60, per worker. */
const failuresAt = (second: number, nameIndex: number): number => ((second + nameIndex) % 7 === 0 ? 1 : 0);
const requestsOf = (run: number, second: number) =>
  NAMES.map((name, i) => requestWindow(name, [500 + second * 7 + i * 1000, 2000 + run * 100, 30_000 + second], failuresAt(second, i)));

const ns = namespace("crash");
const DURABLES = {
  events: { stream: ns.streams.events, durable: "proj_events" },
  metrics: { stream: ns.streams.metrics, durable: "proj_metrics" },
};
type ProjectionName = keyof typeof DURABLES;

let dir: string;
let servers: NatsServers;
let nats: NatsNode;
let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
let pg: TestDatabase;
let database: Database;
let running: ProjectionsProcess | undefined;
// Recent seconds: the service prunes raw windows past LL_RAW_WINDOWS_MAX_AGE_DAYS when it starts.
const s0 = Math.floor(Date.now() / 1000) - 3600;
/** The runs published so far, in order. */
const published: Run[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ll-crash-"));
  // A nats-server of this test's own: it is frozen and killed below.
  [servers, pg] = await Promise.all([natsServers(1, dir), testDatabase()]);
  nats = servers.nodes[0]!;
  await connect();
  await ensureStreams(jsm, ns, DEFAULT_STREAM_OPTIONS);
  database = await openDatabase({ url: pg.url, poolSize: 2 });
});
afterAll(async () => {
  if (running) await stop(running, "SIGKILL");
  await nc?.close();
  await servers?.stopAll();
  await database?.close();
  await pg?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The test's own connection, made again after the nats-server restarts (rather than waiting on a reconnect). */
async function connect(): Promise<void> {
  nc = await connectNats(nats.url, "crash-test");
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
}

type Run = { runId: string; lastEvent: number; lastWindow: number };

/**
 * A load test, its run and the run's 240 windows, as the API and the workers publish them; where
 * each stream ends after it. `midway` is awaited when half the windows are published.
 */
async function publishRun(midway?: () => Promise<void>): Promise<Run> {
  const index = published.length;
  const store = new JetStreamEventStore(nc, ns);
  const loadTestId = newId();
  await appendEvents(store, TENANT, { type: "load-test", id: loadTestId }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
  const runId = newId();
  const lastEvent = await appendEvents(store, TENANT, { type: "run", id: runId }, [runCreated(loadTestId)]);
  let lastWindow = 0;
  for (let s = 0; s < SECONDS; s++) {
    if (s === SECONDS / 2) await midway?.();
    for (const workerId of WORKERS) {
      const window = { runId, workerId, second: s0 + s, activeUsers: 3, requests: requestsOf(index, s) };
      lastWindow = await publishWindow(js, ns, TENANT, window);
    }
  }
  const run = { runId, lastEvent, lastWindow };
  published.push(run);
  return run;
}

type ProjectionsProcess = { child: ChildProcess; exited: Promise<unknown>; logs: Record<string, unknown>[] };

/**
 * The projections service as its own process, as it is deployed, on a port it binds itself
 * (PORT=0): it logs the port it got ("projections listening"), and that is where it is asked.
 * Resolves once it is ready: caught up with what its streams held when it started.
 */
async function startProjections(): Promise<ProjectionsProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, NATS_URL: nats.url, DATABASE_URL: pg.url, LL_NAMESPACE: ns.prefix, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const started: ProjectionsProcess = { child, exited: new Promise((resolve) => child.once("exit", resolve)), logs: [] };
  running = started;
  let pending = "";
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (pending + d.toString()).split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        started.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  const portOf = () => started.logs.find((l) => l.msg === "projections listening" && typeof l.port === "number")?.port;
  await eventually(
    () =>
      portOf() !== undefined &&
      fetch(`http://127.0.0.1:${portOf()}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    50,
  );
  return started;
}

async function stop(p: ProjectionsProcess, signal: NodeJS.Signals): Promise<void> {
  p.child.kill(signal);
  await p.exited;
  if (running === p) running = undefined;
}

async function caughtUpWith(run: Run): Promise<void> {
  await eventually(
    async () =>
      (await readCheckpoint(database.db, "events")) === run.lastEvent && (await readCheckpoint(database.db, "metrics")) === run.lastWindow,
    30_000,
    20,
  );
}

/**
 * Lets every projection batch run up to its last statement and holds it there: a SHARE lock on
 * the checkpoints table, in a transaction of the test's own. A batch first locks its checkpoint
 * row (`select ... for update`, a ROW SHARE lock on the table, which SHARE lets through), stages
 * and applies all its writes, and ends with the `update` of its checkpoint, which needs ROW
 * EXCLUSIVE on the table: that waits until the returned function rolls the test's transaction
 * back. (A lock on the checkpoint row itself, as the consistency test takes, would stop the
 * batch at its first statement, before it has written anything.)
 */
async function holdCheckpointWrites(): Promise<() => Promise<void>> {
  const client = postgres(pg.url, { max: 1, onnotice: () => undefined });
  const held = await client.reserve();
  await held`begin`;
  await held`lock table projection_checkpoints in share mode`;
  return async () => {
    await held`rollback`;
    held.release();
    await client.end();
  };
}

/** A batch transaction waiting on the checkpoint lock: its backend, and the tables it has written to meanwhile. */
type HeldBatch = { pid: number; tables: string[] };

/**
 * The transactions waiting to write a checkpoint, as Postgres sees them: a backend waiting on a
 * lock (pg_stat_activity) in the checkpoint `update`, and the tables its transaction holds ROW
 * EXCLUSIVE on (pg_locks), which it takes only by writing to them.
 */
async function batchesHeldAtCheckpoint(): Promise<HeldBatch[]> {
  return rowsOf<HeldBatch>(
    await database.db.execute(sql`
      select a.pid, coalesce(array_agg(c.relname::text order by c.relname) filter (where c.relname is not null), '{}') as tables
      from pg_stat_activity a
      left join pg_locks l on l.pid = a.pid and l.locktype = 'relation' and l.mode = 'RowExclusiveLock' and l.granted
      left join pg_class c on c.oid = l.relation and c.relkind = 'r'
      where a.datname = current_database() and a.wait_event_type = 'Lock' and a.query ilike 'update "projection_checkpoints"%'
      group by a.pid`),
  );
}

/** Both projections' batches, staged and held at their checkpoint update (see holdCheckpointWrites). */
async function bothBatchesHeld(): Promise<Record<ProjectionName, HeldBatch>> {
  return eventually(
    async () => {
      const held = await batchesHeldAtCheckpoint();
      const metrics = held.find((b) => b.tables.includes("metric_window_keys") && b.tables.includes("metric_rollups"));
      const events = held.find((b) => b.tables.includes("load_tests") || b.tables.includes("runs"));
      return metrics && events && { metrics, events };
    },
    10_000,
    20,
  );
}

async function backendsGone(pids: readonly number[]): Promise<void> {
  await eventually(
    async () => {
      const left = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from pg_stat_activity where pid in ${sql.raw(`(${pids.join(",")})`)}`),
      );
      return left[0]!.n === 0;
    },
    10_000,
    20,
  );
}

const consumerInfo = (name: ProjectionName): Promise<ConsumerInfo> => jsm.consumers.info(DURABLES[name].stream, DURABLES[name].durable);

async function count(table: string): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`));
  return row!.n;
}

type SeriesTotal = { run_id: string; step: number; name: string; requests: number; failures: number; seconds: number };

/** The rollups summed per run, step and series: every step holds the whole run once. */
async function rollupTotals(): Promise<SeriesTotal[]> {
  return rowsOf<SeriesTotal>(
    await database.db.execute(sql`
      select run_id, step, name, sum(requests)::int as requests, sum(failures)::int as failures, sum(seconds)::int as seconds
      from metric_rollups group by run_id, step, name order by run_id, step, name`),
  );
}

/**
 * The read model holds exactly `runs`, each once: their load tests and runs, a window key per
 * window, and rollups that add up, at every step and per series, to the requests and failures
 * published; nothing of any other run.
 */
async function expectExactly(runs: readonly Run[]): Promise<void> {
  expect(await count("load_tests")).toBe(runs.length);
  const runIds = rowsOf<{ id: string }>(await database.db.execute(sql`select id from runs order by id`)).map((r) => r.id);
  expect(runIds).toEqual(runs.map((r) => r.runId).sort());
  expect(await count("metric_window_keys")).toBe(runs.length * WINDOWS_PER_RUN);
  const expected = runs
    .map((r) => r.runId)
    .sort()
    .flatMap((runId) =>
      [...ROLLUP_STEPS]
        .sort((a, b) => a - b)
        .flatMap((step) => ["", ...NAMES].sort().map((name) => ({ run_id: runId, step, name, ...RUN_TOTALS[name]!, seconds: SECONDS }))),
    );
  expect(await rollupTotals()).toEqual(expected);
}

describe("a projections process killed at each point of a batch", () => {
  it("publishes what the totals below say (the fixture, counted)", () => {
    const perName = new Map<string, { requests: number; failures: number }>();
    for (let run = 0; run < 4; run++) {
      for (let s = 0; s < SECONDS; s++) {
        // Every worker publishes the same window for a second.
        for (const r of requestsOf(run, s)) {
          const t = perName.get(r.name) ?? { requests: 0, failures: 0 };
          perName.set(r.name, { requests: t.requests + r.count * WORKERS.length, failures: t.failures + r.failures * WORKERS.length });
        }
      }
    }
    for (const name of NAMES)
      expect(perName.get(name)).toEqual({ requests: RUN_TOTALS[name]!.requests * 4, failures: RUN_TOTALS[name]!.failures * 4 });
    expect(4 * SECONDS * WORKERS.length).toBe(TOTAL_WINDOWS);
    expect([...perName.values()].reduce((a, t) => a + t.requests, 0)).toBe(TOTAL_REQUESTS);
    expect([...perName.values()].reduce((a, t) => a + t.failures, 0)).toBe(TOTAL_FAILURES);
  });

  it("staged, not committed: a batch killed before its commit leaves nothing, and is applied once after the restart", async () => {
    const first = await publishRun();
    const projections = await startProjections();
    await caughtUpWith(first);
    await expectExactly([first]);

    const release = await holdCheckpointWrites();
    let held: Record<ProjectionName, HeldBatch>;
    try {
      await publishRun();
      held = await bothBatchesHeld();
      // The fault point: each projection's batch has written its rows in its transaction (it holds
      // ROW EXCLUSIVE on them) and waits to move its checkpoint, the statement before its COMMIT.
      await stop(projections, "SIGKILL");
      // The process is gone, its transactions still open and waiting: nothing of them committed.
      const waiting = (await batchesHeldAtCheckpoint()).map((b) => b.pid);
      expect(waiting).toEqual(expect.arrayContaining([held.metrics.pid, held.events.pid]));
    } finally {
      await release();
    }
    // Let go, each ends its update, reads for its next command (the COMMIT), finds its client gone
    // and rolls back.
    await backendsGone([held.metrics.pid, held.events.pid]);

    // Nothing of the second run: no run, no window key, no rollup; the checkpoints where they were.
    // (Its raw windows may be there: they are staged apart from the transaction, idempotently, and
    // are not counted until their keys are.)
    expect(await readCheckpoint(database.db, "metrics")).toBe(first.lastWindow);
    expect(await readCheckpoint(database.db, "events")).toBe(first.lastEvent);
    await expectExactly([first]);

    // Restarted, it applies the second run once (and runs on into the next test).
    await startProjections();
    await caughtUpWith(published[1]!);
    await expectExactly(published);
  });

  it("committed, not acked: a batch whose ack never reached NATS is not applied a second time", async () => {
    const projections = running ?? (await startProjections());
    const before = published.at(-1)!;
    await caughtUpWith(before);

    const release = await holdCheckpointWrites();
    let third: Run;
    try {
      third = await publishRun();
      await bothBatchesHeld();
      // Every message of the run is with the projector before NATS is frozen, and the server has
      // it on disk as delivered: it counts a message delivered when it queues it for the
      // connection, writes it out a moment later, and writes the consumer's state to its store
      // within some 100 ms of a change (nats-server's consumerFileStore flush loop).
      await eventually(
        async () =>
          (await consumerInfo("metrics")).delivered.stream_seq === third.lastWindow &&
          (await consumerInfo("events")).delivered.stream_seq === third.lastEvent,
        10_000,
        20,
      );
      await sleep(250);
      await nc.close();
      nats.pause();
    } catch (err) {
      await release();
      throw err;
    }
    // NATS reads nothing now: the batches commit, and their acks go into a socket no one reads.
    await release();
    await caughtUpWith(third);
    // The fault point: every batch of the run committed, and not one ack received. The kills
    // lose the acks: the projector's with its process, those in the server's socket with it.
    await stop(projections, "SIGKILL");
    await nats.kill("SIGKILL");
    await nats.start();
    await connect();

    // NATS, restarted from its store, still holds the committed messages as delivered and not
    // acked (its ack floor is where the previous run ended): left to its own cursor, it would
    // deliver them again once their ack wait ran out.
    const lastOf = { events: (r: Run) => r.lastEvent, metrics: (r: Run) => r.lastWindow };
    for (const name of ["events", "metrics"] as const) {
      const info = await consumerInfo(name);
      expect(await readCheckpoint(database.db, name)).toBe(lastOf[name](third));
      expect(info.ack_floor.stream_seq).toBe(lastOf[name](before));
      expect(info.num_ack_pending).toBe(lastOf[name](third) - lastOf[name](before));
    }

    // The restarted projector finds deliveries of a previous process pending, and recreates its
    // durable consumer from the checkpoint (durable.ts, staleReason): the committed messages are
    // not delivered to it again, and the ones after the checkpoint are.
    const restarted = await startProjections();
    for (const name of ["events", "metrics"] as const) {
      const info = await consumerInfo(name);
      expect(info.config.opt_start_seq).toBe(lastOf[name](third) + 1);
      expect(info.num_redelivered).toBe(0);
      expect(restarted.logs).toContainEqual(
        expect.objectContaining({ msg: "recreating the durable consumer from the checkpoint", durable: DURABLES[name].durable }),
      );
    }
    await expectExactly(published);

    // And a kill at no chosen point, while the projector ingests the next run: mid-copy, mid-commit,
    // between a commit and its ack, whichever it is in. The second half waits for the kill.
    let atKill = 0;
    const killed = (async () => {
      await eventually(async () => (await readCheckpoint(database.db, "metrics")) > third.lastWindow, 10_000, 2);
      await stop(restarted, "SIGKILL");
      atKill = await readCheckpoint(database.db, "metrics");
    })();
    const fourth = await publishRun(() => killed);
    expect(atKill).toBeLessThan(fourth.lastWindow);
    const last = await startProjections();
    await caughtUpWith(fourth);
    await stop(last, "SIGTERM");
  });

  it("holds, after every crash, exactly what was published: 960 windows, 8,640 requests, 400 failures", async () => {
    expect(published).toHaveLength(4);
    await expectExactly(published);
    expect(await count("metric_windows")).toBe(TOTAL_WINDOWS);
    expect(await count("metric_window_keys")).toBe(TOTAL_WINDOWS);
    // The raw windows, as published, and the whole-run rollups, per series: the same absolute totals.
    const [raw] = rowsOf<{ requests: number; failures: number }>(
      await database.db.execute(sql`
        select sum((r->>'count')::int)::int as requests, sum((r->>'failures')::int)::int as failures
        from metric_windows, json_array_elements(event->'data'->'requests') r`),
    );
    expect(raw).toEqual({ requests: TOTAL_REQUESTS, failures: TOTAL_FAILURES });
    const wholeRuns = rowsOf<{ name: string; requests: number; failures: number }>(
      await database.db.execute(sql`
        select name, sum(requests)::int as requests, sum(failures)::int as failures
        from metric_rollups where step = 0 group by name order by name`),
    );
    expect(wholeRuns).toEqual([
      { name: "", requests: TOTAL_REQUESTS, failures: TOTAL_FAILURES },
      { name: "home", requests: 2_880, failures: 144 },
      { name: "login", requests: 2_880, failures: 128 },
      { name: "search", requests: 2_880, failures: 128 },
    ]);

    // And table by table what a fresh rebuild of the streams gives.
    const restarted = await tableChecksums(database.db);
    for (const name of ["events", "metrics"]) await rebuildProjection({ url: pg.url, nc, ns, log, name });
    expect(await tableChecksums(database.db)).toEqual(restarted);
  });
});
