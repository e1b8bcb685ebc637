import { newId } from "@loadline/core";
import { HttpError, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../database.ts";
import { minSeqWait } from "../min-seq.ts";
import type { PgReadModel } from "../read-model.ts";
import { deliveries, insertDeliveries, redeliver, webhookRow, webhookRows } from "./queries.ts";
import { webhookViewOf } from "./view.ts";

export type WebhookReadRoutesDeps = {
  readModel: PgReadModel;
  db: Db;
  log: Logger;
  /** Wakes the delivery loop of this process, so that a redelivery or a ping goes at once (else at its next poll). */
  poke?: () => void;
};

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
export const webhooksQuery = z.object(page);
export const deliveriesQuery = z.object({ ...page, state: z.enum(["pending", "delivered", "failed"]).optional() });

/** The synthetic event a ping sends: the subscription's id, nothing else, signed as any delivery is. */
function pingBody(format: "loadline" | "slack", tenantId: string, webhookId: string, id: string, at: Date): string {
  if (format === "slack") return JSON.stringify({ text: `Loadline webhook ${webhookId}: ping` });
  return JSON.stringify({ id, type: "webhook.ping", occurredAt: at.toISOString(), tenantId, data: { webhookId }, links: {} });
}

/**
 * The read side of webhooks (subscriptions, their delivery log) and the two actions on
 * deliveries: redeliver one, and ping (a test delivery). Deliveries are this service's own rows,
 * not events: a redelivery changes no subscription.
 */
export function webhookReadRoutes(deps: WebhookReadRoutesDeps): Hono {
  const { readModel, db } = deps;
  const app = new Hono();
  installErrorHandler(app, deps.log);
  for (const path of ["/v1/webhooks", "/v1/webhooks/*"]) app.use(path, minSeqWait(readModel));

  const subscription = async (tenantId: string, id: string) => {
    const row = await webhookRow(db, tenantId, id);
    if (!row) throw new HttpError(404, "not_found", "webhook not found", "id");
    return row;
  };

  app.get("/v1/webhooks", async (c) => {
    const q = query(c, webhooksQuery);
    const { rows, total } = await webhookRows(db, tenantOf(c), q);
    return c.json({ items: rows.map(webhookViewOf), total, limit: q.limit, offset: q.offset });
  });

  app.get("/v1/webhooks/:id", async (c) => {
    const view = webhookViewOf(await subscription(tenantOf(c), idParam(c, "webhook")));
    c.header("ETag", `"${view.version}"`);
    return c.json(view);
  });

  app.get("/v1/webhooks/:id/deliveries", async (c) => {
    const q = query(c, deliveriesQuery);
    const tenant = tenantOf(c);
    const row = await subscription(tenant, idParam(c, "webhook"));
    const { items, total } = await deliveries(db, tenant, row.id, q, q.state);
    return c.json({ items, total, limit: q.limit, offset: q.offset });
  });

  app.post("/v1/webhooks/:id/deliveries/:deliveryId/redeliver", async (c) => {
    const tenant = tenantOf(c);
    const row = await subscription(tenant, idParam(c, "webhook"));
    const deliveryId = c.req.param("deliveryId");
    const delivery = /^[A-Za-z0-9_-]{1,64}$/.test(deliveryId) ? await redeliver(db, tenant, row.id, deliveryId, new Date()) : null;
    if (!delivery) throw new HttpError(404, "not_found", "delivery not found", "deliveryId");
    deps.poke?.();
    return c.json(delivery, 202);
  });

  app.post("/v1/webhooks/:id/ping", async (c) => {
    const tenant = tenantOf(c);
    const row = await subscription(tenant, idParam(c, "webhook"));
    const eventId = newId();
    const at = new Date();
    const [delivery] = await insertDeliveries(
      db,
      [
        {
          tenantId: tenant,
          webhookId: row.id,
          eventId,
          eventType: "webhook.ping",
          body: pingBody(row.format, tenant, row.id, eventId, at),
        },
      ],
      at,
    );
    deps.poke?.();
    return c.json({ id: delivery?.id, eventId, eventType: "webhook.ping", state: "pending" }, 202);
  });

  return app;
}
