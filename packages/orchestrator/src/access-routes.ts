import {
  type AggregateRef,
  allowEntryError,
  newId,
  quotasSchema,
  roleSchema,
  SECRET_NAME_PATTERN,
  targetAllowListSchema,
  tenantLimitsSchema,
} from "@loadline/core";
import {
  formatApiKey,
  HttpError,
  ID_PATTERN,
  idParam,
  installErrorHandler,
  type Logger,
  newApiKeySecret,
  parseWith,
  readJson,
  tenantOf,
} from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type CommandRouteDeps, executeCommand, notFound } from "./command-route.ts";

export type AccessRoutesDeps = CommandRouteDeps & {
  log: Logger;
  /** Seals a secret's value with the platform's keyring: only the sealed value is ever sent or stored. */
  seal: (value: string) => string;
  /** Drops a revoked key from this process's credential cache at once (other API processes: within 2 s). */
  forgetKey?: (keyId: string) => void;
};

export const createKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: roleSchema,
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export const secretSchema = z.object({ value: z.string().min(1).max(8_192) }).strict();

/** Limits as the platform admin sends them: any of the quotas, and the network switches. */
export const limitsSchema = tenantLimitsSchema.extend({ quotas: quotasSchema.partial().strict().optional() });

function secretName(c: Context): string {
  const name = c.req.param("name") ?? "";
  if (!SECRET_NAME_PATTERN.test(name))
    throw new HttpError(400, "invalid_request", "secret names are letters, digits and _, not starting with a digit", "name");
  return name;
}

/**
 * The write side of who may do what: API keys (the key shown once, only its hash sent on),
 * the tenant's target allow-list (its admin) and limits (the platform admin), and secrets
 * (sealed here, before anything leaves the process). Reads are the projections' (access-routes there).
 */
export function accessWriteRoutes(deps: AccessRoutesDeps): Hono {
  const { readModel, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  const ref = (type: AggregateRef["type"], id: string): AggregateRef => ({ type, id });

  app.post("/v1/api-keys", async (c) => {
    const tenantId = tenantOf(c);
    const input = parseWith(createKeySchema, await readJson(c));
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= Date.now())
      throw new HttpError(400, "invalid_request", "expiresAt: must be in the future", "expiresAt");
    const id = newId();
    const { secret, hash } = newApiKeySecret();
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString();
    const data = { name: input.name, role: input.role, hash, expiresAt };
    const done = await executeCommand(c, deps, { type: "api-key.create", tenantId, aggregate: ref("api-key", id), data });
    if (done instanceof Response) return done;
    c.header("Location", `/v1/api-keys/${id}`);
    c.header("Cache-Control", "no-store");
    const view = await readModel.apiKey(tenantId, id);
    // The only time the key is seen: it is not stored, and cannot be shown again.
    return c.json({ ...view, id, tenantId, name: input.name, role: input.role, expiresAt, key: formatApiKey(id, secret) }, 201);
  });

  app.delete("/v1/api-keys/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "api key");
    const done = await executeCommand(c, deps, { type: "api-key.revoke", tenantId, aggregate: ref("api-key", id), data: {} });
    deps.forgetKey?.(id);
    if (done instanceof Response) return done;
    return c.body(null, 204);
  });

  app.put("/v1/tenant/targets", async (c) => {
    const tenantId = tenantOf(c);
    const data = parseWith(targetAllowListSchema, await readJson(c));
    data.allow.forEach((entry, i) => {
      const error = allowEntryError(entry);
      if (error) throw new HttpError(400, "invalid_request", `allow.${i}: ${error}`, `allow.${i}`);
    });
    const done = await executeCommand(c, deps, { type: "tenant.set-targets", tenantId, aggregate: ref("tenant", tenantId), data });
    if (done instanceof Response) return done;
    return c.json(await readModel.tenantSettings(tenantId), 200);
  });

  app.put("/v1/tenants/:tenant/limits", async (c) => {
    const tenantId = c.req.param("tenant") ?? "";
    if (!ID_PATTERN.test(tenantId) || tenantId.startsWith("_")) throw notFound("tenant", "tenant");
    const data = parseWith(limitsSchema, await readJson(c));
    const done = await executeCommand(c, deps, { type: "tenant.set-limits", tenantId, aggregate: ref("tenant", tenantId), data });
    if (done instanceof Response) return done;
    return c.json(await readModel.tenantSettings(tenantId), 200);
  });

  app.put("/v1/secrets/:name", async (c) => {
    const tenantId = tenantOf(c);
    const name = secretName(c);
    const { value } = parseWith(secretSchema, await readJson(c));
    const data = { sealed: deps.seal(value) };
    const done = await executeCommand(c, deps, { type: "secret.set", tenantId, aggregate: ref("secret", name), data });
    if (done instanceof Response) return done;
    return c.json(await readModel.secret(tenantId, name), 200);
  });

  app.delete("/v1/secrets/:name", async (c) => {
    const tenantId = tenantOf(c);
    const name = secretName(c);
    const done = await executeCommand(c, deps, { type: "secret.delete", tenantId, aggregate: ref("secret", name), data: {} });
    if (done instanceof Response) return done;
    return c.body(null, 204);
  });

  return app;
}
