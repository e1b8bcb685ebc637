import type { MiddlewareHandler } from "hono";
import { Histogram, type Registry } from "prom-client";

/**
 * Every answer's duration, by method, route (the pattern it matched, never the raw path: the
 * series stay as few as the routes) and status. A path no route serves is `unmatched`.
 */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const duration = new Histogram({
    name: "loadline_http_request_duration_seconds",
    help: "HTTP requests answered, by method, route pattern and status, with how long each took",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return async (c, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      const route = c.req.matchedRoutes.findLast((r) => r.method !== "ALL")?.path ?? "unmatched";
      end({ method: c.req.method, route, status: String(c.res.status) });
    }
  };
}
