import type { WebhookView } from "@loadline/core";
import type { WebhookDeliveryAttemptRow, WebhookDeliveryRow, WebhookRow } from "../schema.ts";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A subscription as the API shows it: never its secret, sealed or not. */
export function webhookViewOf(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    url: row.url,
    events: row.events,
    filters: row.filters,
    format: row.format,
    enabled: row.enabled,
    description: row.description,
    secretSetAt: row.secretSetAt.toISOString(),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

export type DeliveryAttemptView = { attempt: number; at: string; statusCode: number | null; error: string | null; durationMs: number };

/** A delivery in the log: its state, its attempts, and when the next one is due (pending only). */
export type DeliveryView = {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: DeliveryAttemptView[];
};

export function deliveryViewOf(row: WebhookDeliveryRow, attempts: readonly WebhookDeliveryAttemptRow[]): DeliveryView {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.eventType,
    state: row.state,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastAttemptAt: iso(row.lastAttemptAt),
    nextAttemptAt: row.state === "pending" ? iso(row.nextAttemptAt) : null,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at.toISOString(),
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}
