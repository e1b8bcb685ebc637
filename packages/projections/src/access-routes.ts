import { installErrorHandler, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { unsetTenantSettings } from "./access-views.ts";
import { minSeqWait } from "./min-seq.ts";
import type { ReadRoutesDeps } from "./routes.ts";

/** How long a query with minSeq waits for the projection to apply that sequence (as readRoutes). */

/** An instant as ISO-8601 or as epoch seconds (fractions kept: an audit entry's time has milliseconds). */
const instantSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  const ms = /^\d{1,12}(\.\d+)?$/.test(text) ? Number(text) * 1000 : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: "must be an ISO-8601 time or epoch seconds" });
    return z.NEVER;
  }
  return new Date(ms);
});

export const auditQuery = z
  .object({
    actor: z.string().min(1).max(200).optional(),
    type: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/, "must be an event type, like api-key.created")
      .optional(),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    /** The `next` of the page before. */
    after: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "must not be before from", path: ["to"] });

/**
 * The read side of who may do what, per tenant (the caller's: tenantOf): its API keys (never
 * their hashes), its secrets (names only: the read model has no values), its settings as set,
 * and its audit log. Who may call each is routeAccess's (admins, but secrets: viewers).
 */
export function accessReadRoutes(deps: ReadRoutesDeps): Hono {
  const { readModel } = deps;
  const app = new Hono();
  installErrorHandler(app, deps.log);

  for (const path of ["/v1/api-keys", "/v1/secrets", "/v1/tenant", "/v1/audit"]) app.use(path, minSeqWait(readModel));

  app.get("/v1/api-keys", async (c) => c.json({ items: await readModel.apiKeys(tenantOf(c)) }));

  app.get("/v1/secrets", async (c) => c.json({ items: await readModel.secrets(tenantOf(c)) }));

  // What the tenant set; a null part (or a tenant nobody configured: version 0) is the platform's default.
  app.get("/v1/tenant", async (c) => {
    const tenantId = tenantOf(c);
    return c.json((await readModel.tenantSettings(tenantId)) ?? unsetTenantSettings(tenantId));
  });

  // Newest first; `next` is the `after` of the following page, null on the last one.
  app.get("/v1/audit", async (c) => {
    const tenantId = tenantOf(c);
    return c.json(await readModel.audit(tenantId, query(c, auditQuery)));
  });

  return app;
}
