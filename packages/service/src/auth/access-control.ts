import type { Access, Principal } from "@loadline/core";
import { allows } from "@loadline/core";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../http.ts";
import type { Authenticator } from "./authenticator.ts";
import { CredentialError } from "./jwt.ts";
import { RateLimiter } from "./rate-limit.ts";

declare module "hono" {
  interface ContextVariableMap {
    principal: Principal;
  }
}

export type AccessControl = {
  authenticator: Authenticator;
  /** Who may call a route, by `METHOD /path` as the route was declared (see routeAccess); undefined: nobody. */
  accessOf: (route: string) => Access | undefined;
  rateLimit: { perSec: number; burst: number };
};

const ROLE_WORDS: Record<Exclude<Access, "public">, string> = {
  viewer: "a viewer",
  operator: "an operator",
  editor: "an editor",
  admin: "an admin",
  platform: "the platform admin",
};

/**
 * Authenticates and authorizes every request before its body is read: the route the request
 * matched says who may call it (see routeAccess); no credential is a 401, too small a role a
 * 403, too many requests from one credential a 429 with Retry-After. The principal is then on
 * the context for tenantOf/actorOf. Paths no route serves go on to the 404.
 */
export function accessControl(opts: AccessControl): MiddlewareHandler {
  const limiter = new RateLimiter(opts.rateLimit.perSec, opts.rateLimit.burst);
  return async (c, next) => {
    const route = c.req.matchedRoutes.findLast((r) => r.method !== "ALL");
    if (!route) return next();
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const need = opts.accessOf(`${method} ${route.path}`);
    if (need === "public") return next();
    if (need === undefined) throw new HttpError(403, "forbidden", `no access rule for ${method} ${route.path}`, "path");
    let principal: Principal;
    try {
      principal = await opts.authenticator.authenticate({
        authorization: c.req.header("authorization"),
        tenant: c.req.header("x-tenant-id"),
        actor: c.req.header("x-actor"),
      });
    } catch (err) {
      if (!(err instanceof CredentialError)) throw err;
      throw new HttpError(401, "unauthorized", err.message, "Authorization", { "WWW-Authenticate": 'Bearer realm="loadline"' });
    }
    const wait = limiter.take(principal.keyId ?? principal.actor);
    if (wait > 0)
      throw new HttpError(429, "rate_limited", `too many requests: retry in ${wait} s`, "Authorization", { "Retry-After": String(wait) });
    if (!allows(principal, need))
      throw new HttpError(
        403,
        "forbidden",
        `${method} ${route.path} is for ${ROLE_WORDS[need]}; this credential is ${principal.role}`,
        "Authorization",
      );
    c.set("principal", principal);
    return next();
  };
}
