import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { tenantOf } from "../http.ts";
import { createLogger } from "../log.ts";
import { serviceApp } from "../service-app.ts";
import { errorOf } from "../test-errors.ts";
import { formatApiKey, newApiKeySecret } from "./api-key-token.ts";
import { createAuthenticator } from "./authenticator.ts";
import { RateLimiter } from "./rate-limit.ts";

const log = createLogger("test", "silent");
const keyId = "0196f3a0-7c1e-7d3a-9b1e-2f4c5d6e7f80";
const { secret, hash } = newApiKeySecret();
const key = formatApiKey(keyId, secret);
const authenticator = createAuthenticator({ mode: "on", metricsAccess: "open", rateLimit: { perSec: 1, burst: 3 } }, async (id) =>
  id === keyId ? { tenantId: "a", role: "operator", hash, expiresAt: null, revoked: false } : null,
);
let bodiesRead = 0;
const routes = new Hono()
  .get("/open", (c) => c.text("hi"))
  .get("/things/:id", (c) => c.json({ tenant: tenantOf(c), id: c.req.param("id") }))
  .post("/things", async (c) => {
    bodiesRead++;
    await c.req.text();
    return c.body(null, 204);
  })
  .get("/forgotten", (c) => c.text("should never answer"));
const table: Record<string, "public" | "viewer" | "editor"> = {
  "GET /open": "public",
  "GET /things/:id": "viewer",
  "POST /things": "editor",
};
const app = serviceApp({ log, access: { authenticator, accessOf: (r) => table[r], rateLimit: { perSec: 1, burst: 3 } } }, routes);
const call = (path: string, init: RequestInit = {}) => app.request(path, init);

describe("access control", () => {
  it("lets anyone through a public route", async () => {
    expect((await call("/open")).status).toBe(200);
  });

  it("answers 401 with WWW-Authenticate without a credential, naming the header", async () => {
    const res = await call("/things/1");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await errorOf(res)).toMatchObject({ code: "unauthorized", field: "Authorization" });
  });

  it("answers 403 to too small a role before reading the body", async () => {
    const res = await call("/things", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/for an editor; this credential is operator/);
    expect(bodiesRead).toBe(0);
  });

  it("refuses a route missing from the table to everyone", async () => {
    expect((await call("/forgotten", { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
  });

  it("takes the tenant from the key, not from X-Tenant-Id", async () => {
    const res = await call("/things/7", { headers: { authorization: `Bearer ${key}`, "x-tenant-id": "b" } });
    expect(await res.json()).toEqual({ tenant: "a", id: "7" });
  });

  it("leaves unknown paths to the 404", async () => {
    expect((await call("/nowhere")).status).toBe(404);
  });

  it("limits each credential's rate with 429 and Retry-After", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await call("/things/1", { headers: { authorization: `Bearer ${key}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe("RateLimiter", () => {
  it("allows the burst, then perSec, per key", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([0, 0, 0].map(() => limiter.take("k"))).toEqual([0, 0, 0]);
    expect(limiter.take("k")).toBe(1);
    expect(limiter.take("other")).toBe(0);
    now = 500; // one token back
    expect(limiter.take("k")).toBe(0);
    expect(limiter.take("k")).toBeGreaterThan(0);
  });
});
