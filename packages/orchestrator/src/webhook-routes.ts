import { randomBytes } from "node:crypto";
import { type AggregateRef, newId, type ReadModel, type WebhookReadModel, webhookInputSchema } from "@loadline/core";
import { idParam, installErrorHandler, type Logger, parseWith, readJson, tenantOf } from "@loadline/service";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { type CommandRouteDeps, executeCommand, expectedVersion } from "./command-route.ts";

export type WebhookRoutesDeps = Omit<CommandRouteDeps, "readModel"> & {
  readModel: ReadModel & WebhookReadModel;
  log: Logger;
  /** Seals the signing secret with the platform's keyring: only the sealed value leaves this process. */
  seal: (value: string) => string;
};

const fields = webhookInputSchema.shape;

/** A new subscription: every filter off, the loadline format, enabled. */
export const createSchema = webhookInputSchema
  .extend({ filters: fields.filters.default({}), format: fields.format.default("loadline"), enabled: fields.enabled.default(true) })
  .strict();

/** A change: each field given replaces its own (`events` and `filters` whole); `rotateSecret` makes a new secret. */
export const changeSchema = webhookInputSchema.partial().extend({ rotateSecret: z.boolean().optional() }).strict();

/** A signing secret: 256 random bits, prefixed so that it is recognisable where it should not be (a log, a repository). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64url")}`;

/**
 * The write side of webhooks: create, change (and rotate the secret), delete. Each is a command
 * the orchestrator decides after checking the URL against the tenant's allow-list. The signing
 * secret is made here and sealed before the command leaves; the answer to the create or the
 * rotation is the only time it is shown.
 */
export function webhookWriteRoutes(deps: WebhookRoutesDeps): Hono {
  const { readModel, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  const webhook = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "webhook", id } as AggregateRef });

  /** The subscription as a GET right after would see it, with its ETag; and the secret when one was just made. */
  const answer = async (c: Context, tenantId: string, id: string, status: 200 | 201, secret: string | undefined) => {
    const view = await readModel.webhook(tenantId, id);
    if (view) c.header("ETag", `"${view.version}"`);
    c.header("Cache-Control", "no-store");
    return c.json({ ...view, ...(secret !== undefined ? { secret } : {}) }, status);
  };

  app.post("/v1/webhooks", async (c) => {
    const tenantId = tenantOf(c);
    const input = await readJson(c);
    const definition = parseWith(createSchema, input);
    const id = newId();
    const secret = newWebhookSecret();
    const data = { ...definition, sealedSecret: deps.seal(secret) };
    const done = await executeCommand(c, deps, { type: "webhook.create", ...webhook(tenantId, id), data }, input);
    // Accepted but not yet projected: the secret is still shown, this answer being its only one.
    if (done instanceof Response) return c.json({ ...((await done.json()) as object), secret }, 202);
    c.header("Location", `/v1/webhooks/${id}`);
    return answer(c, tenantId, id, 201, secret);
  });

  app.patch("/v1/webhooks/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "webhook");
    const version = expectedVersion(c);
    const input = await readJson(c);
    const { rotateSecret, ...changes } = parseWith(changeSchema, input);
    const secret = rotateSecret ? newWebhookSecret() : undefined;
    const data = {
      changes,
      ...(secret !== undefined ? { sealedSecret: deps.seal(secret) } : {}),
      ...(version !== undefined ? { expectedVersion: version } : {}),
    };
    const done = await executeCommand(c, deps, { type: "webhook.update", ...webhook(tenantId, id), data }, input);
    if (done instanceof Response) return secret === undefined ? done : c.json({ ...((await done.json()) as object), secret }, 202);
    return answer(c, tenantId, id, 200, secret);
  });

  app.delete("/v1/webhooks/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "webhook");
    const version = expectedVersion(c);
    const data = version !== undefined ? { expectedVersion: version } : {};
    const done = await executeCommand(c, deps, { type: "webhook.delete", ...webhook(tenantId, id), data });
    if (done instanceof Response) return done;
    return c.body(null, 204);
  });

  return app;
}
