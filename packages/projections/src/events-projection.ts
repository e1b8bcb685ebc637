import { subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import {
  auditRowOf,
  evolveApiKey,
  foldSecrets,
  foldTenantSettings,
  isApiKeyEvent,
  isSecretEvent,
  isTenantEvent,
  type SecretKey,
} from "./access-rows.ts";
import { applyAgentEvents } from "./agent-events.ts";
import type { Tx } from "./database.ts";
import { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "./event-rows.ts";
import { aggregateKey, foldRows, keyOf } from "./fold-rows.ts";
import type { ProjectedEvent, Projection } from "./projection.ts";
import { evolveSchedule, isScheduleEvent } from "./schedule-rows.ts";
import {
  type ApiKeyRow,
  apiKeys,
  auditLog,
  type LoadTestRow,
  loadTests,
  type RunRow,
  runs,
  type ScheduleRow,
  type SecretRow,
  schedules,
  secrets,
  type TenantSettingsRow,
  tenantSettings,
} from "./schema.ts";
import { keyIn, upsertRows } from "./sql-helpers.ts";
import { applyWebhookEvents } from "./webhooks/apply.ts";

export const EVENTS_PROJECTION = "events";

const KEY = ["tenant_id", "id"];

/**
 * The event store as rows: load_tests (deleted ones removed), runs (status, workers, times),
 * api_keys, secrets (names, never values), tenant_settings, and audit_log (a row per event of a tenant).
 */
export function eventsProjection(log: Logger): Projection {
  return {
    name: EVENTS_PROJECTION,
    source: (ns) => ({ stream: ns.streams.events, filterSubject: subjects.allEvents(ns) }),
    async apply(tx: Tx, batch: readonly ProjectedEvent[]) {
      const events = batch.map((b) => b.event);
      const reportOrphans = (orphans: readonly { type: string; tenantId: string; aggregate: { id: string } }[]) => {
        for (const e of orphans)
          log.warn({ type: e.type, tenantId: e.tenantId, id: e.aggregate.id }, "event of an aggregate the read model has no row for");
      };

      const loadTestEvents = events.filter(isLoadTestEvent);
      if (loadTestEvents.length > 0) {
        const existing: LoadTestRow[] = await tx
          .select()
          .from(loadTests)
          .where(keyIn(loadTestEvents.map(aggregateKey)));
        const changes = foldRows(existing, loadTestEvents, evolveLoadTest);
        reportOrphans(changes.orphans);
        if (changes.deletes.length > 0) await tx.delete(loadTests).where(keyIn(changes.deletes));
        await upsertRows(tx, loadTests, changes.upserts, KEY);
      }

      const runEvents = events.filter(isRunEvent);
      if (runEvents.length > 0) {
        const existing: RunRow[] = await tx
          .select()
          .from(runs)
          .where(keyIn(runEvents.map(aggregateKey)));
        const changes = foldRows(existing, runEvents, evolveRun);
        reportOrphans(changes.orphans);
        const lastSeq = new Map(batch.filter((b) => isRunEvent(b.event)).map((b) => [keyOf(aggregateKey(b.event)), b.seq]));
        await upsertRows(
          tx,
          runs,
          changes.upserts.map((row) => ({ ...row, seq: lastSeq.get(keyOf(row)) ?? 0 })),
          KEY,
        );
      }

      const apiKeyEvents = events.filter(isApiKeyEvent);
      if (apiKeyEvents.length > 0) {
        const existing: ApiKeyRow[] = await tx
          .select()
          .from(apiKeys)
          .where(keyIn(apiKeyEvents.map(aggregateKey)));
        const changes = foldRows(existing, apiKeyEvents, evolveApiKey);
        reportOrphans(changes.orphans);
        await upsertRows(tx, apiKeys, changes.upserts, KEY);
      }

      const secretEvents = events.filter(isSecretEvent);
      if (secretEvents.length > 0) {
        const keys = secretEvents.map((e) => ({ tenantId: e.tenantId, name: e.aggregate.id }));
        const existing: SecretRow[] = await tx.select().from(secrets).where(secretKeyIn(keys));
        const changes = foldSecrets(existing, secretEvents);
        reportOrphans(changes.orphans);
        if (changes.deletes.length > 0) await tx.delete(secrets).where(secretKeyIn(changes.deletes));
        await upsertRows(tx, secrets, changes.upserts, ["tenant_id", "name"]);
      }

      const tenantEvents = events.filter(isTenantEvent);
      if (tenantEvents.length > 0) {
        const tenants = JSON.stringify([...new Set(tenantEvents.map((e) => e.tenantId))]);
        const existing: TenantSettingsRow[] = await tx
          .select()
          .from(tenantSettings)
          .where(sql`tenant_id in (select jsonb_array_elements_text(${tenants}::jsonb))`);
        await upsertRows(tx, tenantSettings, foldTenantSettings(existing, tenantEvents), ["tenant_id"]);
      }

      const scheduleEvents = events.filter(isScheduleEvent);
      if (scheduleEvents.length > 0) {
        const existing: ScheduleRow[] = await tx
          .select()
          .from(schedules)
          .where(keyIn(scheduleEvents.map(aggregateKey)));
        const changes = foldRows(existing, scheduleEvents, evolveSchedule);
        reportOrphans(changes.orphans);
        if (changes.deletes.length > 0) await tx.delete(schedules).where(keyIn(changes.deletes));
        await upsertRows(tx, schedules, changes.upserts, KEY);
      }

      await applyAgentEvents(tx, events, log);
      await applyWebhookEvents(tx, events, log);

      const audit = batch.flatMap((b) => auditRowOf(b.seq, b.event) ?? []);
      await insertNew(tx, auditLog, audit);
    },
  };
}

/** Secrets with the given (tenant, name) keys; each key sent once, as one JSON parameter (see keyIn). */
function secretKeyIn(keys: readonly SecretKey[]): SQL {
  const unique = new Map(keys.map((k) => [`${k.tenantId}\u0000${k.name}`, { t: k.tenantId, n: k.name }]));
  const json = JSON.stringify([...unique.values()]);
  return sql`(tenant_id, name) in (select t, n from jsonb_to_recordset(${json}::jsonb) as k(t text, n text))`;
}

/**
 * Inserts the rows that are not there yet (`on conflict do nothing`: an event applied again, in a
 * replay, leaves its row as it was), in one statement with one JSON parameter like upsertRows.
 */
async function insertNew<T extends PgTable>(tx: Tx, table: T, rows: readonly T["$inferInsert"][]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.entries(getTableColumns(table));
  const payload = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, column] of columns) out[column.name] = (row as Record<string, unknown>)[key] ?? null;
      return out;
    }),
  );
  const names = columns.map(([, c]) => `"${c.name}"`).join(", ");
  const definition = columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(", ");
  await tx.execute(sql`
    insert into ${sql.identifier(getTableName(table))} (${sql.raw(names)})
    select ${sql.raw(names)} from jsonb_to_recordset(${payload}::jsonb) as r(${sql.raw(definition)})
    on conflict do nothing`);
}
