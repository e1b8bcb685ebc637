import { roleSchema, SECRET_NAME_PATTERN, targetAllowListSchema } from "@loadline/core";
import { createApiKeyBodySchema, secretBodySchema } from "@loadline/orchestrator";
import { auditQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { ACCEPTED, EVENT_SEQ, json, NO_CONTENT } from "../responses.ts";
import { apiKeySchema, auditPageSchema, itemsOf, newApiKeySchema, secretSchema, tenantSettingsSchema } from "../view-schemas.ts";

const tags = ["Access"];
const secretName = { name: z.string().regex(SECRET_NAME_PATTERN) };

export const accessRoutes: RouteCatalog = {
  "GET /v1/whoami": {
    summary: "Who am I",
    description: "The caller's tenant, role and actor, as its credential says.",
    tags,
    responses: {
      200: json(
        "The credential's principal.",
        z.object({ tenantId: z.string(), actor: z.string(), role: roleSchema, platformAdmin: z.boolean() }),
      ),
    },
  },
  "GET /v1/api-keys": {
    summary: "List API keys",
    tags,
    responses: { 200: json("The tenant's keys, never their secrets.", itemsOf(apiKeySchema)) },
  },
  "POST /v1/api-keys": {
    summary: "Create an API key",
    tags,
    body: createApiKeyBodySchema,
    responses: {
      201: json("Created: `key` is shown this once.", newApiKeySchema, { ...EVENT_SEQ, Location: "The key's path." }),
      202: ACCEPTED,
    },
  },
  "DELETE /v1/api-keys/:id": { summary: "Revoke an API key", tags, responses: { 204: NO_CONTENT, 202: ACCEPTED } },
  "GET /v1/secrets": {
    summary: "List secrets",
    tags,
    responses: { 200: json("The tenant's secrets, by name: never their values.", itemsOf(secretSchema)) },
  },
  "PUT /v1/secrets/:name": {
    summary: "Set a secret",
    description: "Sealed before it leaves the API; a test uses it as `{{secrets.NAME}}`.",
    tags,
    params: secretName,
    body: secretBodySchema,
    responses: { 200: json("Set.", secretSchema, EVENT_SEQ), 202: ACCEPTED, 400: { description: "A bad name or value." } },
  },
  "DELETE /v1/secrets/:name": {
    summary: "Delete a secret",
    tags,
    params: secretName,
    responses: { 204: NO_CONTENT, 202: ACCEPTED, 400: { description: "A bad name." } },
  },
  "GET /v1/tenant": {
    summary: "Get the tenant's settings",
    tags,
    responses: { 200: json("As set; a null part is the platform's default.", tenantSettingsSchema) },
  },
  "PUT /v1/tenant/targets": {
    summary: "Set the tenant's target allow-list",
    tags,
    body: targetAllowListSchema,
    responses: { 200: json("The tenant's settings.", tenantSettingsSchema, EVENT_SEQ), 202: ACCEPTED },
  },
  "GET /v1/audit": {
    summary: "Read the audit log",
    description: "The tenant's events, newest first: who caused what, when. `next` is the following page's `after`.",
    tags,
    query: auditQuerySchema,
    responses: { 200: json("A page of the audit log.", auditPageSchema) },
  },
};
