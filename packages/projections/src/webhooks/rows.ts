import type { EventEnvelope } from "@loadline/core";
import type { WebhookRow } from "../schema.ts";

/**
 * The pure fold of webhook events into the subscription's row; `null` is "no row" (before its
 * creation, after its deletion). Every event bumps the version, as the decider counts them.
 */

export type WebhookEvent = Extract<EventEnvelope, { type: `webhook.${string}` }>;

export const isWebhookEvent = (e: EventEnvelope): e is WebhookEvent => e.type.startsWith("webhook.");

export function evolveWebhook(row: WebhookRow | null, event: WebhookEvent): WebhookRow | null {
  const at = new Date(event.time);
  if (event.type === "webhook.created") {
    const { sealedSecret, description, ...d } = event.data;
    return {
      tenantId: event.tenantId,
      id: event.aggregate.id,
      ...d,
      description: description ?? null,
      sealedSecret,
      secretSetAt: at,
      version: (row?.version ?? 0) + 1,
      createdAt: at,
      createdBy: event.actor,
      updatedAt: at,
      updatedBy: event.actor,
    };
  }
  if (!row) return null;
  const changed = { version: row.version + 1, updatedAt: at, updatedBy: event.actor };
  switch (event.type) {
    case "webhook.updated": {
      const { description, ...d } = event.data;
      return { ...row, ...d, description: description ?? null, ...changed };
    }
    case "webhook.secret-rotated":
      return { ...row, sealedSecret: event.data.sealedSecret, secretSetAt: at, ...changed };
    case "webhook.deleted":
      return null;
  }
}
