// The query section's data: the run's row through the events projection (its events appended to
// the event store), and every worker's windows rolled up straight into the read model.
import { performance } from "node:perf_hooks";
import type { EventStore, NewEvent } from "@loadline/core";
import type { Db } from "@loadline/projections";
import {
  appendAggregateEvents,
  appendSeededLoadTest,
  appendSeededRun,
  rollUpSeconds,
  type SeededRun,
  type SyntheticLoad,
  syntheticWindow,
} from "@loadline/projections/testing";
import postgres from "postgres";
import { fmt } from "../lib/table.ts";
import { type QueryData, TENANT } from "./query-data.ts";

type Aggregate = { type: "load-test" | "run" | "api-key"; id: string };

/** Events of one aggregate appended as one command's (the command is metadata only here), answering the last sequence. */
export const appendEvents = (store: EventStore, tenantId: string, aggregate: Aggregate, events: NewEvent[]): Promise<number> =>
  appendAggregateEvents(store, tenantId, aggregate, events, "user:bench", 0);

/** The load's run as the shared seeding helpers take it (@loadline/projections/testing). */
const seededRun = (load: SyntheticLoad, firstSecond: number, seconds: number, tenantId: string, name?: string): SeededRun => ({
  tenantId,
  runId: load.runId,
  workerIds: load.workerIds,
  requests: load.requests,
  usersPerWorker: load.activeUsersPerWorker,
  firstSecond,
  seconds,
  actor: "user:bench",
  ...(name !== undefined ? { name } : {}),
});

/** A load test of the load's requests; answers its id and the sequence of its event. */
export const appendLoadTest = (
  store: EventStore,
  load: SyntheticLoad,
  seconds: number,
  name = "one hour",
  tenantId = TENANT,
): Promise<{ id: string; seq: number }> => appendSeededLoadTest(store, seededRun(load, 0, seconds, tenantId, name));

/** `load.runId` of `loadTestId` through its whole life (assigned, ready, started, completed); answers the last sequence. */
export const appendRun = (
  store: EventStore,
  loadTestId: string,
  load: SyntheticLoad,
  firstSecond: number,
  seconds: number,
  tenantId = TENANT,
): Promise<number> => appendSeededRun(store, loadTestId, seededRun(load, firstSecond, seconds, tenantId));

export async function appendRunEvents(store: EventStore, load: SyntheticLoad, firstSecond: number, seconds: number): Promise<number> {
  const { id } = await appendLoadTest(store, load, seconds);
  return appendRun(store, id, load, firstSecond, seconds);
}

/** Every worker's windows of every second, rolled up `chunk` seconds per transaction as the metrics projection does. */
export async function seed(
  db: Db,
  load: SyntheticLoad,
  firstSecond: number,
  seconds: number,
  chunk: number,
  url: string,
  say: (m: string) => void,
): Promise<NonNullable<QueryData["seeding"]>> {
  say(
    `seeding ${seconds} s × ${load.workerIds.length} workers × ${load.requests.length} names through rollUp, ${chunk} s per transaction (raw per-worker windows not written)`,
  );
  const t0 = performance.now();
  let reported = t0;
  const windows = await rollUpSeconds(
    db,
    TENANT,
    (w, second) => syntheticWindow(load, w, second),
    load.workerIds.length,
    firstSecond,
    seconds,
    {
      chunk,
      progress: (done, n) => {
        if (performance.now() - reported < 15_000) return;
        reported = performance.now();
        say(`seeded ${done} of ${seconds} s (${fmt(n / ((reported - t0) / 1000), 0)} windows/s)`);
      },
    },
  );
  const elapsed = (performance.now() - t0) / 1000;
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`analyze metric_rollups`;
    const [row] = await sql<
      { n: number; mb: number }[]
    >`select count(*)::int as n, pg_total_relation_size('metric_rollups')::float8 / 1048576 as mb from metric_rollups`;
    say(`seeded ${fmt(windows, 0)} windows in ${fmt(elapsed, 1)} s: ${fmt(row?.n, 0)} rollup rows, ${fmt(row?.mb, 0)} MiB`);
    return { seconds: elapsed, windows, rollupRows: row?.n ?? 0, chunkSeconds: chunk, tableMb: row?.mb ?? 0 };
  } finally {
    await sql.end();
  }
}
