import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError, installErrorHandler } from "../http.ts";
import { createLogger } from "../log.ts";
import { httpTracing } from "./http.ts";
import { startInMemoryTracing } from "./in-memory.ts";

function app(): Hono {
  const a = new Hono();
  installErrorHandler(a, createLogger("test", "silent"));
  const tracing = httpTracing();
  if (tracing) a.use(tracing);
  a.get("/v1/runs/:id", (c) => c.json({ id: c.req.param("id") }));
  a.put("/v1/secrets/:name", (c) => c.body(null, 204));
  a.get("/boom", () => {
    throw new Error("boom");
  });
  a.get("/missing", () => {
    throw new HttpError(404, "not_found", "none", "id");
  });
  a.get("/healthz", (c) => c.text("ok"));
  return a;
}

let tracing: ReturnType<typeof startInMemoryTracing> | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe("HTTP server spans", () => {
  it("are not made while tracing is off: no middleware at all", () => {
    expect(httpTracing()).toBeUndefined();
  });

  it("are named by the route, attributed by the semantic conventions, children of the caller's traceparent", async () => {
    tracing = startInMemoryTracing();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await app().request("/v1/runs/r-1?x=1", { headers: { traceparent } });
    expect(res.status).toBe(200);
    const [span] = tracing.spans();
    expect(span?.name).toBe("GET /v1/runs/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(span?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(span?.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.route": "/v1/runs/:id",
      "http.response.status_code": 200,
      "url.path": "/v1/runs/r-1",
    });
  });

  it("take a PUT's traceparent as any other's", async () => {
    tracing = startInMemoryTracing();
    await app().request("/v1/secrets/s", {
      method: "PUT",
      headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
    expect(tracing.spans()[0]?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(tracing.spans()[0]?.name).toBe("PUT /v1/secrets/:name");
  });

  it("say an answer of 500 failed, not a 404; leave probes alone; start a trace without a caller's", async () => {
    tracing = startInMemoryTracing();
    const a = app();
    expect((await a.request("/boom")).status).toBe(500);
    expect((await a.request("/missing")).status).toBe(404);
    expect((await a.request("/healthz")).status).toBe(200);
    const [boom, missing, ...rest] = tracing.spans();
    expect(boom?.status.code).toBe(SpanStatusCode.ERROR);
    expect(boom?.attributes["error.type"]).toBe("500");
    expect(boom?.parentSpanContext).toBeUndefined();
    expect(missing?.status.code).toBe(SpanStatusCode.UNSET);
    expect(rest).toEqual([]);
  });

  it("ignore a malformed traceparent: a new trace, not an error", async () => {
    tracing = startInMemoryTracing();
    expect((await app().request("/v1/runs/r-1", { headers: { traceparent: "00-zz-yy-01" } })).status).toBe(200);
    expect(tracing.spans()[0]?.parentSpanContext).toBeUndefined();
  });
});
