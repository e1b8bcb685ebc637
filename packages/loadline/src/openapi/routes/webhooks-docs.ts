import { changeWebhookBodySchema, createWebhookBodySchema } from "@loadline/orchestrator";
import { webhookDeliveriesQuerySchema, webhooksQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { ACCEPTED, EVENT_SEQ, IF_MATCH, json, NO_CONTENT, PRECONDITION_FAILED } from "../responses.ts";
import { deliverySchema, newWebhookSecretSchema, pageOf, webhookSchema } from "../view-schemas.ts";

const tags = ["Webhooks"];
const written = { ...EVENT_SEQ, ETag: "Its version." };
const queued = z.looseObject({ id: z.string().optional(), eventId: z.string(), eventType: z.string(), state: z.literal("pending") });

export const webhookRoutes: RouteCatalog = {
  "GET /v1/webhooks": {
    summary: "List webhooks",
    tags,
    query: webhooksQuerySchema,
    responses: { 200: json("A page of the tenant's subscriptions.", pageOf(webhookSchema)) },
  },
  "GET /v1/webhooks/:id": {
    summary: "Get a webhook",
    tags,
    responses: { 200: json("The subscription (never its secret).", webhookSchema, { ETag: "Its version." }) },
  },
  "POST /v1/webhooks": {
    summary: "Subscribe a URL to events",
    description:
      "The URL obeys the tenant's allow-list as load targets do. The answer carries the signing secret, the only time it is shown: " +
      "deliveries are signed `v1=HMAC-SHA256(secret, timestamp + '.' + body)` (docs/webhooks.md).",
    tags,
    body: createWebhookBodySchema,
    responses: {
      201: json("Created, with its secret.", newWebhookSecretSchema, { ...written, Location: "The subscription's path." }),
      202: ACCEPTED,
    },
  },
  "PATCH /v1/webhooks/:id": {
    summary: "Change a webhook",
    description:
      "Each field given replaces its own (`events` and `filters` whole); `rotateSecret: true` makes a new secret, shown in the answer.",
    tags,
    headers: IF_MATCH,
    body: changeWebhookBodySchema,
    responses: {
      200: json("Changed (with the new secret when rotated).", webhookSchema, written),
      202: ACCEPTED,
      412: PRECONDITION_FAILED,
    },
  },
  "DELETE /v1/webhooks/:id": {
    summary: "Delete a webhook",
    description: "Its pending deliveries are not sent.",
    tags,
    headers: IF_MATCH,
    responses: { 204: NO_CONTENT, 202: ACCEPTED, 412: PRECONDITION_FAILED },
  },
  "GET /v1/webhooks/:id/deliveries": {
    summary: "List a webhook's deliveries",
    description: "The delivery log, newest first: each delivery's state, attempts and next attempt; `state=failed` lists the dead letters.",
    tags,
    query: webhookDeliveriesQuerySchema,
    responses: { 200: json("A page of its deliveries.", pageOf(deliverySchema)) },
  },
  "POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver": {
    summary: "Redeliver a delivery",
    description:
      "Sends it again at once with the same id (the receiver's idempotency key), whatever its state; a dead letter comes back to life.",
    tags,
    responses: { 202: json("Pending again.", deliverySchema) },
  },
  "POST /v1/webhooks/:id/ping": {
    summary: "Send a test delivery",
    description: "A `webhook.ping` event, signed and retried as any delivery is.",
    tags,
    responses: { 202: json("Queued.", queued) },
  },
};
