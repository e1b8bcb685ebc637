import {
  type AggregateRef,
  createCommand,
  type EventOf,
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

/** A run.created; `more` adds what a run may carry besides (its target policy, its sealed secrets). */
export const runCreated = (loadTestId: string, more: Partial<EventOf<"run.created">["data"]> = {}): NewEvent => ({
  type: "run.created",
  data: {
    loadTestId,
    targetUsers: 10,
    spawnRate: 2,
    durationSec: 60,
    target: { targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET", path: "/" }] },
    ...more,
  },
});

/** Appends events to an aggregate after its last one; answers where the last of them is stored. */
export async function appendEvents(
  store: EventStore,
  tenantId: string,
  aggregate: AggregateRef,
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

/** A value shaped as sealed (core's sealedValueSchema), unique and easy to search a database for. */
export const sealedValue = (marker = newId().replaceAll("-", "")): string => `v1:k2026a:aXZpdml2aXZpdml2:dGFndGFndGFndGFn:${marker}`;

/** A tenant's access history: a key created and one revoked, a secret set twice, one set then deleted, targets and limits. */
export async function accessHistory(
  store: EventStore,
  tenant: string,
  sealed: readonly string[] = [sealedValue(), sealedValue(), sealedValue()],
): Promise<{ seq: number; keyId: string; revokedKeyId: string }> {
  const keyId = newId();
  const revokedKeyId = newId();
  const key = (name: string, role: "viewer" | "admin") => ({
    type: "api-key.created" as const,
    data: { name, role, hash: "ab".repeat(32), expiresAt: null },
  });
  await appendEvents(store, tenant, { type: "api-key", id: keyId }, [key("ci", "viewer")], "bootstrap");
  await appendEvents(store, tenant, { type: "api-key", id: revokedKeyId }, [key("old", "admin")], "bootstrap");
  await appendEvents(store, tenant, { type: "api-key", id: revokedKeyId }, [{ type: "api-key.revoked", data: {} }], `key:${keyId}`);
  await appendEvents(
    store,
    tenant,
    { type: "secret", id: "API_TOKEN" },
    [{ type: "secret.set", data: { sealed: sealed[0]! } }],
    `key:${keyId}`,
  );
  await appendEvents(
    store,
    tenant,
    { type: "secret", id: "API_TOKEN" },
    [{ type: "secret.set", data: { sealed: sealed[1]! } }],
    `key:${keyId}`,
  );
  await appendEvents(store, tenant, { type: "secret", id: "GONE" }, [{ type: "secret.set", data: { sealed: sealed[2]! } }], `key:${keyId}`);
  await appendEvents(store, tenant, { type: "secret", id: "GONE" }, [{ type: "secret.deleted", data: {} }], `key:${keyId}`);
  await appendEvents(
    store,
    tenant,
    { type: "tenant", id: tenant },
    [{ type: "tenant.targets-set", data: { allow: ["*.example.com"] } }],
    `key:${keyId}`,
  );
  const seq = await appendEvents(
    store,
    tenant,
    { type: "tenant", id: tenant },
    [{ type: "tenant.limits-set", data: { quotas: { maxVUs: 100 }, privateNetworks: true } }],
    "bootstrap",
  );
  return { seq, keyId, revokedKeyId };
}

/** The read model's tables, each as one md5 over its rows in a fixed order: equal checksums, equal tables. */
export const READ_MODEL_TABLES = [
  "load_tests",
  "runs",
  "api_keys",
  "secrets",
  "tenant_settings",
  "audit_log",
  "schedules",
  "metric_windows",
  "metric_window_keys",
  "metric_rollups",
  "generator_seconds",
] as const;

/** Every text, json and jsonb value of every table of the database's current schema, as text: what a leak would be found in. */
export async function everyStoredText(db: Db): Promise<string[]> {
  const columns = rowsOf<{ table_name: string; column_name: string }>(
    await db.execute(
      sql`select table_name, column_name from information_schema.columns
          where table_schema = current_schema() and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    ),
  );
  const out: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows = rowsOf<{ v: string | null }>(
      await db.execute(sql`select ${sql.identifier(column_name)}::text as v from ${sql.identifier(table_name)}`),
    );
    for (const r of rows) if (r.v !== null) out.push(r.v);
  }
  return out;
}

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
