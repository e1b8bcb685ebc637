import { randomBytes } from "node:crypto";
import {
  type AggregateRef,
  createCommand,
  type EventStore,
  eventsFromCommand,
  type MetricWindow,
  type NewEvent,
  newId,
} from "@loadline/core";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import type { Db } from "./database.ts";
import { rollUp, type SequencedWindow } from "./metrics-projection.ts";

/** For integration tests against the real Postgres (scripts/test.sh starts one when none answers). */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

/** A database of its own for one test file, dropped (with its connections) by `drop`. */
export async function testDatabase(): Promise<TestDatabase> {
  const name = `ll_test_${randomBytes(5).toString("hex")}`;
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const a = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A run as seeded: a load test of its requests, then the run through its whole life on its workers. */
export type SeededRun = {
  tenantId: string;
  runId: string;
  workerIds: readonly string[];
  requests: readonly { name: string; method: string }[];
  usersPerWorker: number;
  /** Unix second the run started at; it lasts `seconds`. */
  firstSecond: number;
  seconds: number;
  /** The load test's name. */
  name?: string;
  targetUrl?: string;
  /** The actor the events are appended as. */
  actor?: string;
};

/** Events of one aggregate appended as one command's (the command only lends them metadata), after its last; answers the last sequence. */
export async function appendAggregateEvents(
  store: EventStore,
  tenantId: string,
  aggregate: AggregateRef,
  events: NewEvent[],
  actor = "user:seed",
  /** The aggregate's last sequence when known (0: a new one), saving a read. */
  expectedSeq?: number,
): Promise<number> {
  const command = createCommand({ type: "run.stop", tenantId, aggregate, data: { reason: "requested" }, actor });
  const seq = expectedSeq ?? (await store.read(tenantId, aggregate)).seq;
  return (await store.append(tenantId, aggregate, eventsFromCommand(command, events), { expectedSeq: seq })).seq;
}

const requestsOf = (run: SeededRun) => run.requests.map((r) => ({ name: r.name, method: r.method as "GET", path: `/${r.name}` }));

/** The load test (a new one) the seeded run is of; answers its id and the sequence of its event. */
export async function appendSeededLoadTest(store: EventStore, run: SeededRun, id: string = newId()): Promise<{ id: string; seq: number }> {
  const seq = await appendAggregateEvents(
    store,
    run.tenantId,
    { type: "load-test", id },
    [
      {
        type: "load-test.created",
        data: {
          spec: {
            name: run.name ?? "one hour",
            tags: [],
            targetUrl: run.targetUrl ?? "http://shop.internal:8080",
            requests: requestsOf(run),
            defaultUsers: run.workerIds.length * run.usersPerWorker,
            defaultSpawnRate: 100,
            defaultDurationSec: run.seconds,
          },
        },
      },
    ],
    run.actor,
    0,
  );
  return { id, seq };
}

/** The run (a new one) of `loadTestId` through its whole life (assigned, ready, started, stopping, completed); answers the last sequence. */
export async function appendSeededRun(store: EventStore, loadTestId: string, run: SeededRun): Promise<number> {
  const lanes = run.workerIds.length;
  return appendAggregateEvents(
    store,
    run.tenantId,
    { type: "run", id: run.runId },
    [
      {
        type: "run.created",
        data: {
          loadTestId,
          targetUsers: lanes * run.usersPerWorker,
          spawnRate: 100,
          durationSec: run.seconds,
          target: { targetUrl: run.targetUrl ?? "http://shop.internal:8080", requests: requestsOf(run) },
        },
      },
      ...run.workerIds.map(
        (workerId, i): NewEvent => ({
          type: "run.worker-assigned",
          data: { workerId, lanes: [i], laneCount: lanes, vus: run.usersPerWorker, arrivalRate: 0, reason: "plan" },
        }),
      ),
      { type: "run.workers-ready", data: { workerIds: [...run.workerIds] } },
      { type: "run.started", data: { startedAt: new Date(run.firstSecond * 1000).toISOString() } },
      { type: "run.stopping", data: { reason: "duration" } },
      { type: "run.completed", data: { finishedAt: new Date((run.firstSecond + run.seconds) * 1000).toISOString() } },
    ],
    run.actor,
    0,
  );
}

export type RollUpSecondsOptions = {
  /** Seconds rolled up per transaction (default 60). */
  chunk?: number;
  /** The metrics-stream sequence the rows are marked as changed at (default 0); a live client reads only rows the projection's checkpoint has passed. */
  seq?: number;
  /**
   * ANALYZE the rollups after the first transaction and at the end (default false): a table
   * filled this fast has no statistics yet (autovacuum has not looked), and without them
   * Postgres plans the rollups' reads (the seeding's own, a live stream's catch-up) badly.
   */
  analyze?: boolean;
  /** Told after each transaction: the seconds and windows done so far. */
  progress?: (seconds: number, windows: number) => void;
};

/**
 * Every worker's window of every second of `[firstSecond, firstSecond + seconds)` rolled up
 * straight into the read model, `chunk` seconds a transaction, as the metrics projection does
 * (its own `rollUp`; the raw per-worker windows are not written). Answers the windows rolled up.
 */
export async function rollUpSeconds(
  db: Db,
  tenantId: string,
  windowOf: (worker: number, second: number) => MetricWindow,
  workers: number,
  firstSecond: number,
  seconds: number,
  opts: RollUpSecondsOptions = {},
): Promise<number> {
  const chunk = opts.chunk ?? 60;
  let windows = 0;
  for (let s = 0; s < seconds; s += chunk) {
    const batch: SequencedWindow[] = [];
    for (let second = firstSecond + s; second < firstSecond + Math.min(seconds, s + chunk); second++) {
      for (let w = 0; w < workers; w++) batch.push({ ...windowOf(w, second), tenantId, seq: opts.seq ?? 0 });
    }
    await db.transaction((tx) => rollUp(tx, batch));
    if (opts.analyze && s === 0) await db.execute(sql`analyze metric_rollups`);
    windows += batch.length;
    opts.progress?.(Math.min(seconds, s + chunk), windows);
  }
  if (opts.analyze) await db.execute(sql`analyze metric_rollups`);
  return windows;
}

export { eventually, freePort, startPrometheus, type TestPrometheus } from "./prometheus/test-prometheus.ts";
export { publishWindow } from "./test-fixtures.ts";
export * from "./test-synthetic.ts";
