import { Hono } from "hono";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { devAccess } from "./auth/testing-access.ts";
import { installErrorHandler, jsonBody } from "./http.ts";
import { createLogger } from "./log.ts";
import { serviceApp } from "./service-app.ts";
import { errorOf } from "./test-errors.ts";

const log = createLogger("test", "silent");

/** Two sub-apps, as a service mounts its routes: one path is served by both, under different methods. */
function app(maxBodyBytes?: number) {
  let bodiesRead = 0;
  const writes = new Hono();
  installErrorHandler(writes, log);
  writes.put("/things/:id", async (c) => {
    bodiesRead++;
    return c.json(await jsonBody(c, z.unknown()));
  });
  writes.post("/things", async (c) => {
    bodiesRead++;
    return c.json(await jsonBody(c, z.unknown()), 201);
  });
  const reads = new Hono().get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
  return { app: serviceApp({ log, maxBodyBytes, access: devAccess() }, writes, reads), bodiesRead: () => bodiesRead };
}

describe("serviceApp: every answer of a service, errors in one shape", () => {
  it("an unknown path is a 404 in the shape, whatever the method", async () => {
    for (const method of ["GET", "POST", "OPTIONS"]) {
      expect(await errorOf(await app().app.request("/nowhere", { method })), method).toMatchObject({
        status: 404,
        code: "not_found",
        field: "path",
      });
    }
  });

  it("a known path under another method is a 405 with Allow, before its body is read", async () => {
    const a = app();
    const res = await a.app.request("/things/abc", { method: "PATCH", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.headers.get("allow")).toBe("PUT, GET, HEAD, OPTIONS");
    expect(await errorOf(res)).toMatchObject({ status: 405, code: "method_not_allowed", field: "method" });
    expect((await a.app.request("/things", { method: "GET" })).headers.get("allow")).toBe("POST, OPTIONS");
    expect(a.bodiesRead()).toBe(0);
  });

  it("OPTIONS on a known path answers 204 with Allow and no CORS headers", async () => {
    const res = await app().app.request("/things/abc", { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")).toBe("PUT, GET, HEAD, OPTIONS");
    expect([...res.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });

  it("the allowed methods still reach their routes (HEAD as GET)", async () => {
    expect((await app().app.request("/things/abc")).status).toBe(200);
    expect((await app().app.request("/things/abc", { method: "HEAD" })).status).toBe(200);
  });

  it("413 naming the body for a body over the limit, counted while read, never parsed", async () => {
    const a = app(1024);
    // A stream has no Content-Length: it is counted as it comes.
    const chunks = [new TextEncoder().encode(`{"a":"${"x".repeat(600)}`), new TextEncoder().encode(`${"x".repeat(600)}"}`)];
    const body = new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
    const res = await a.app.request("/things", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(await errorOf(res)).toMatchObject({ status: 413, code: "payload_too_large", field: "body" });
    expect(res.headers.get("connection")).toBe("close"); // the rest is not read: no request may follow on it
    expect(a.bodiesRead()).toBe(0);
    const fits = await a.app.request("/things", {
      method: "POST",
      body: `{"a":"${"x".repeat(900)}"}`,
      headers: { "content-type": "application/json" },
    });
    expect(fits.status).toBe(201);
  });

  it("a body whose connection ends before it is whole is a 400 naming the body, not an internal error logged", async () => {
    const errors: unknown[] = [];
    const logging = new Proxy(log, {
      get: (target, prop, receiver) => (prop === "error" ? (...args: unknown[]) => errors.push(args) : Reflect.get(target, prop, receiver)),
    });
    const writes = new Hono();
    installErrorHandler(writes, logging);
    writes.post("/things", async (c) => c.json(await jsonBody(c, z.unknown()), 201));
    const a = serviceApp({ log: logging, access: devAccess() }, writes);
    // Without Content-Length the body is read by the limit itself; the Node adapter's stream fails so when the client resets.
    let sent = false;
    const body = new ReadableStream({
      pull: (c) => {
        if (sent) return c.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
        sent = true;
        c.enqueue(new TextEncoder().encode('{"a":'));
      },
    });
    const res = await a.request("/things", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(await errorOf(res)).toMatchObject({ status: 400, code: "bad_request", field: "body" });
    expect(errors).toEqual([]);
  });

  it("413 by Content-Length before a byte of the body is read", async () => {
    let pulled = 0;
    const body = new ReadableStream({
      pull: (c) => {
        pulled++;
        c.enqueue(new Uint8Array(64));
      },
    });
    const res = await app().app.request("/things", {
      method: "POST",
      body,
      duplex: "half",
      headers: { "content-type": "application/json", "content-length": String(20 * 1024 * 1024) },
    } as RequestInit);
    expect(await errorOf(res)).toMatchObject({ status: 413, field: "body" });
    expect(pulled).toBeLessThanOrEqual(1); // a stream may be primed with one pull when made; none is read for the answer
  });
});

describe("serviceApp: HTTP metrics", () => {
  it("times every answer by method, route pattern (never the raw path) and status, refusals and unknown paths (or methods) as unmatched", async () => {
    const registry = new Registry();
    const reads = new Hono().get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
    const a = serviceApp({ log, access: devAccess(), registry }, reads);
    for (const id of ["a", "b", "c"]) expect((await a.request(`/things/${id}`)).status).toBe(200);
    expect((await a.request("/things/a", { method: "DELETE" })).status).toBe(405);
    expect((await a.request("/nowhere")).status).toBe(404);
    const counts = (await registry.getSingleMetricAsString("loadline_http_request_duration_seconds"))
      .split("\n")
      .filter((l) => l.startsWith("loadline_http_request_duration_seconds_count"));
    expect(counts).toEqual([
      'loadline_http_request_duration_seconds_count{method="GET",route="/things/:id",status="200"} 3',
      'loadline_http_request_duration_seconds_count{method="DELETE",route="unmatched",status="405"} 1',
      'loadline_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1',
    ]);
  });
});
