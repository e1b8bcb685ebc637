import { newId } from "@loadline/core";
import { and, asc, count, desc, eq, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import {
  tenantSettings,
  type WebhookDeliveryRow,
  type WebhookRow,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhooks,
} from "../schema.ts";
import { type DeliveryView, deliveryViewOf } from "./view.ts";

export type Page = { limit: number; offset: number };

export async function webhookRow(db: Db, tenantId: string, id: string): Promise<WebhookRow | null> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)));
  return row ?? null;
}

export async function webhookRows(db: Db, tenantId: string, page: Page): Promise<{ rows: WebhookRow[]; total: number }> {
  const where = eq(webhooks.tenantId, tenantId);
  const [rows, total] = await Promise.all([
    db.select().from(webhooks).where(where).orderBy(desc(webhooks.createdAt), desc(webhooks.id)).limit(page.limit).offset(page.offset),
    db.$count(webhooks, where),
  ]);
  return { rows, total };
}

/** A tenant's enabled subscriptions: what an event is matched against. */
export function enabledWebhooks(db: Db, tenantId: string): Promise<WebhookRow[]> {
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.enabled, true)));
}

export type NewDelivery = Pick<WebhookDeliveryRow, "tenantId" | "webhookId" | "eventId" | "eventType" | "body">;

/** New deliveries, due now; one per (subscription, event) whatever is sent again: a redelivered message adds none. */
export async function insertDeliveries(db: Db, deliveries: readonly NewDelivery[], now: Date): Promise<WebhookDeliveryRow[]> {
  if (deliveries.length === 0) return [];
  return db
    .insert(webhookDeliveries)
    .values(deliveries.map((d) => ({ ...d, id: newId(), state: "pending" as const, nextAttemptAt: now, createdAt: now })))
    .onConflictDoNothing()
    .returning();
}

/**
 * Takes up to `limit` due deliveries for this process: each is leased (its next attempt moved to
 * `leaseUntil`) in the same statement, rows another process is taking skipped, so no two take
 * one. A process that dies mid-attempt loses nothing: the lease runs out and the delivery is due again.
 */
export function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<WebhookDeliveryRow[]> {
  const due = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.state, "pending"), lte(webhookDeliveries.nextAttemptAt, now)))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db.update(webhookDeliveries).set({ nextAttemptAt: leaseUntil }).where(inArray(webhookDeliveries.id, due)).returning();
}

export type AttemptRecord = {
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  state: WebhookDeliveryRow["state"];
  nextAttemptAt: Date | null;
};

/** One attempt, in the log and on its delivery, at once. */
export async function recordAttempt(db: Db, delivery: WebhookDeliveryRow, a: AttemptRecord): Promise<void> {
  await db.transaction(async (tx) => {
    const attempt = delivery.attempts + 1;
    await tx
      .insert(webhookDeliveryAttempts)
      .values({ deliveryId: delivery.id, attempt, at: a.at, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })
      .onConflictDoNothing();
    await tx
      .update(webhookDeliveries)
      .set({
        attempts: attempt,
        lastAttemptAt: a.at,
        lastStatusCode: a.statusCode,
        lastError: a.error,
        state: a.state,
        nextAttemptAt: a.nextAttemptAt,
        ...(a.state === "delivered" ? { deliveredAt: a.at } : {}),
      })
      .where(eq(webhookDeliveries.id, delivery.id));
  });
}

/** A delivery left where it was (the subscription gone or disabled): failed, without an attempt. */
export async function abandon(db: Db, id: string, why: string): Promise<void> {
  await db.update(webhookDeliveries).set({ state: "failed", lastError: why, nextAttemptAt: null }).where(eq(webhookDeliveries.id, id));
}

/** A delivery due again now, with a fresh count of attempts (the log keeps the old ones); null when it is not the tenant's. */
export async function redeliver(db: Db, tenantId: string, webhookId: string, id: string, now: Date): Promise<DeliveryView | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ state: "pending", nextAttemptAt: now, attemptsBeforeRedeliver: sql`${webhookDeliveries.attempts}` })
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, id)))
    .returning();
  return row ? (await withAttempts(db, [row]))[0]! : null;
}

/** A subscription's deliveries, newest first, with their attempts. */
export async function deliveries(
  db: Db,
  tenantId: string,
  webhookId: string,
  page: Page,
  state?: WebhookDeliveryRow["state"],
): Promise<{ items: DeliveryView[]; total: number }> {
  const where: SQL | undefined = and(
    eq(webhookDeliveries.tenantId, tenantId),
    eq(webhookDeliveries.webhookId, webhookId),
    state ? eq(webhookDeliveries.state, state) : undefined,
  );
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(webhookDeliveries)
      .where(where)
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(page.limit)
      .offset(page.offset),
    db.$count(webhookDeliveries, where),
  ]);
  return { items: await withAttempts(db, rows), total };
}

async function withAttempts(db: Db, rows: readonly WebhookDeliveryRow[]): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(webhookDeliveryAttempts)
    .where(
      inArray(
        webhookDeliveryAttempts.deliveryId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(webhookDeliveryAttempts.attempt));
  return rows.map((r) =>
    deliveryViewOf(
      r,
      attempts.filter((a) => a.deliveryId === r.id),
    ),
  );
}

/** Deliveries waiting for an attempt, of every tenant: loadline_webhook_pending. */
export async function pendingCount(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.state, "pending"));
  return row?.n ?? 0;
}

/** The tenant's own allow-list and limits, as the events projection keeps them (null: nobody set any). */
export async function tenantSettingsRow(db: Db, tenantId: string) {
  const [row] = await db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
  return row ?? null;
}
