import type { EventEnvelope } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { Tx } from "../database.ts";
import { aggregateKey, foldRows } from "../fold-rows.ts";
import { type WebhookRow, webhooks } from "../schema.ts";
import { keyIn, upsertRows } from "../sql-helpers.ts";
import { evolveWebhook, isWebhookEvent } from "./rows.ts";

/** The events projection's webhooks rows: applied in its batch, so a rebuild of "events" replays them too. */
export async function applyWebhookEvents(tx: Tx, events: readonly EventEnvelope[], log: Logger): Promise<void> {
  const webhookEvents = events.filter(isWebhookEvent);
  if (webhookEvents.length === 0) return;
  const existing: WebhookRow[] = await tx
    .select()
    .from(webhooks)
    .where(keyIn(webhookEvents.map(aggregateKey)));
  const changes = foldRows(existing, webhookEvents, evolveWebhook);
  for (const e of changes.orphans) log.warn({ type: e.type, tenantId: e.tenantId, id: e.aggregate.id }, "event of a webhook with no row");
  if (changes.deletes.length > 0) await tx.delete(webhooks).where(keyIn(changes.deletes));
  await upsertRows(tx, webhooks, changes.upserts, ["tenant_id", "id"]);
}
