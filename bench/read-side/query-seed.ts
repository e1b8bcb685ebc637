// The query section's data: the run's row through the events projection (its events appended to
// the event store), and every worker's windows rolled up straight into the read model.
import { performance } from "node:perf_hooks";
import { createCommand, type EventStore, eventsFromCommand, type NewEvent, newId } from "@loadline/core";
import { type Db, rollUp, type TenantWindow } from "@loadline/projections";
import postgres from "postgres";
import { fmt } from "../lib/table.ts";
import { type QueryData, TENANT } from "./query-data.ts";
import { type SyntheticLoad, syntheticWindow } from "./synthetic.ts";

export async function appendRunEvents(store: EventStore, load: SyntheticLoad, firstSecond: number, seconds: number): Promise<number> {
  const loadTestId = newId();
  const requests = load.requests.map((r) => ({ name: r.name, method: r.method as "GET", path: `/${r.name}` }));
  const append = async (aggregate: { type: "load-test" | "run"; id: string }, events: NewEvent[]) => {
    const command = createCommand({ type: "run.stop", tenantId: TENANT, aggregate, data: { reason: "requested" }, actor: "user:bench" });
    return (await store.append(TENANT, aggregate, eventsFromCommand(command, events), { expectedSeq: 0 })).seq;
  };
  await append({ type: "load-test", id: loadTestId }, [
    {
      type: "load-test.created",
      data: {
        spec: {
          name: "one hour",
          tags: [],
          targetUrl: "http://shop.internal:8080",
          requests,
          defaultUsers: 5000,
          defaultSpawnRate: 100,
          defaultDurationSec: seconds,
        },
      },
    },
  ]);
  const users = load.workerIds.length * load.activeUsersPerWorker;
  return append({ type: "run", id: load.runId }, [
    {
      type: "run.created",
      data: {
        loadTestId,
        targetUsers: users,
        spawnRate: 100,
        durationSec: seconds,
        target: { targetUrl: "http://shop.internal:8080", requests },
      },
    },
    ...load.workerIds.map(
      (workerId, i): NewEvent => ({
        type: "run.worker-assigned",
        data: { workerId, lanes: [i], laneCount: load.workerIds.length, vus: load.activeUsersPerWorker, arrivalRate: 0, reason: "plan" },
      }),
    ),
    ...load.workerIds.map((workerId): NewEvent => ({ type: "run.worker-ready", data: { workerId } })),
    { type: "run.started", data: { startedAt: new Date(firstSecond * 1000).toISOString() } },
    { type: "run.stopping", data: { reason: "duration" } },
    { type: "run.completed", data: { finishedAt: new Date((firstSecond + seconds) * 1000).toISOString() } },
  ]);
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
  let windows = 0;
  let reported = t0;
  for (let s = 0; s < seconds; s += chunk) {
    const batch: TenantWindow[] = [];
    for (let second = firstSecond + s; second < firstSecond + Math.min(seconds, s + chunk); second++) {
      for (let w = 0; w < load.workerIds.length; w++) batch.push({ ...syntheticWindow(load, w, second), tenantId: TENANT });
    }
    await db.transaction((tx) => rollUp(tx, batch));
    windows += batch.length;
    if (performance.now() - reported > 15_000) {
      reported = performance.now();
      say(`seeded ${s + chunk} of ${seconds} s (${fmt(windows / ((reported - t0) / 1000), 0)} windows/s)`);
    }
  }
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
