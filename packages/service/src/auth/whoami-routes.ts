import { Hono } from "hono";
import { tenantOf } from "../http.ts";

/** GET /v1/whoami: who the credential says the caller is, so a client can check its key before it acts. */
export function whoamiRoutes(): Hono {
  return new Hono().get("/v1/whoami", (c) => {
    const { actor, role, platformAdmin } = c.get("principal");
    return c.json({ tenantId: tenantOf(c), actor, role, platformAdmin });
  });
}
