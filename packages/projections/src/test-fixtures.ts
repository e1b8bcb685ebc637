import {
  createCommand,
  type EventStore,
  encodeHistogram,
  eventsFromCommand,
  type LoadTestSpec,
  type MetricWindow,
  type NewEvent,
  newId,
  newLatencyHistogram,
  type RequestWindow,
} from "@loadline/core";
import { type Namespace, subjects } from "@loadline/nats";
import type { JetStreamClient } from "@nats-io/jetstream";
import { sql } from "drizzle-orm";
import type { Db } from "./database.ts";
import { rowsOf } from "./sql-helpers.ts";

/** Builders the integration tests share: events through the real event store, windows through JetStream. */

export const loadTestSpec = (over: Partial<LoadTestSpec> = {}): LoadTestSpec => ({
  name: "checkout",
  tags: [],
  targetUrl: "http://127.0.0.1:1",
  requests: [{ method: "GET", path: "/" }],
  defaultUsers: 10,
  defaultSpawnRate: 2,
  defaultDurationSec: 60,
  ...over,
});

export const runCreated = (loadTestId: string): NewEvent => ({
  type: "run.created",
  data: {
    loadTestId,
    targetUsers: 10,
    spawnRate: 2,
    durationSec: 60,
    target: { targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET", path: "/" }] },
  },
});

/** Appends events to an aggregate after its last one; answers where the last of them is stored. */
export async function appendEvents(
  store: EventStore,
  tenantId: string,
  aggregate: { type: "load-test" | "run"; id: string },
  events: NewEvent[],
  actor = "tester",
): Promise<number> {
  // The command only lends the events their tenant, aggregate, actor and causation.
  const command = createCommand({ type: "run.stop", tenantId, aggregate, data: { reason: "requested" }, actor });
  const { seq } = await store.read(tenantId, aggregate);
  const result = await store.append(tenantId, aggregate, eventsFromCommand(command, events), { expectedSeq: seq });
  return result.seq;
}

/** A request window whose histogram holds exactly `latenciesUs`. */
export function requestWindow(name: string, latenciesUs: readonly number[], failures = 0, method = "GET"): RequestWindow {
  const h = newLatencyHistogram();
  for (const v of latenciesUs) h.recordValue(v);
  return {
    name,
    method,
    count: latenciesUs.length,
    failures,
    bytesIn: 100 * latenciesUs.length,
    bytesOut: 10 * latenciesUs.length,
    histogram: encodeHistogram(h),
  };
}

/** Publishes a window as a worker does: a "metrics.window" envelope, deduplicated per run, worker and second (unless told another message id). */
export async function publishWindow(
  js: JetStreamClient,
  ns: Namespace,
  tenantId: string,
  window: MetricWindow,
  msgID = `${window.runId}.${window.workerId}.${window.second}`,
): Promise<number> {
  const id = newId();
  const envelope = {
    id,
    type: "metrics.window",
    schemaVersion: 1,
    tenantId,
    aggregate: { type: "run", id: window.runId },
    time: new Date(window.second * 1000).toISOString(),
    actor: `worker:${window.workerId}`,
    causationId: null,
    correlationId: id,
    data: window,
  };
  const ack = await js.publish(subjects.metrics(ns, tenantId, window.runId, window.workerId), JSON.stringify(envelope), {
    msgID,
  });
  return ack.seq;
}

/** The read model's tables, each as one md5 over its rows in a fixed order: equal checksums, equal tables. */
export const READ_MODEL_TABLES = ["load_tests", "runs", "metric_windows", "metric_window_keys", "metric_rollups"] as const;

export async function tableChecksums(db: Db): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const table of READ_MODEL_TABLES) {
    const t = sql.identifier(table);
    const [row] = rowsOf<{ rows: number; md5: string }>(
      await db.execute(
        sql`select count(*)::int as rows, coalesce(md5(string_agg(x.t::text, '|' order by x.t::text)), '') as md5 from (select ${t}::text as t from ${t}) x`,
      ),
    );
    out[table] = row!;
  }
  return out;
}
