import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";
import type { HonoRequest, MiddlewareHandler } from "hono";
import { startedTracer } from "./provider.ts";

/** Probes and scrapes: every few seconds, from nobody's request, they would bury the traces worth reading. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

const requestHeaders: TextMapGetter<HonoRequest> = {
  keys: (req) => Object.keys(req.header()),
  get: (req, key) => req.header(key),
};

/**
 * HTTP server spans, by the semantic conventions: `<METHOD> <route>` (the pattern matched, e.g.
 * `GET /v1/runs/:id`), child of the caller's `traceparent` when it sent one (any method: a PUT's
 * too), with what the handlers do (commands sent, reads) inside it. Undefined while tracing is off,
 * so that serviceApp installs nothing and a request pays nothing.
 */
export function httpTracing(): MiddlewareHandler | undefined {
  const tracer = startedTracer("loadline-http");
  if (!tracer) return undefined;
  return async (c, next) => {
    if (UNTRACED_PATHS.has(c.req.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, c.req, requestHeaders);
    const method = c.req.method;
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: c.req.path,
          [ATTR_URL_SCHEME]: new URL(c.req.url).protocol.slice(0, -1),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      // Errors were answered by the app's error handler already: the status says what happened.
      const route = c.req.matchedRoutes.findLast((r) => r.method !== "ALL")?.path;
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      const status = c.res.status;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}
