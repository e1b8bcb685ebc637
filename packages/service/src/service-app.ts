import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Registry } from "prom-client";
import { allowedMethods } from "./allowed-methods.ts";
import { type AccessControl, accessControl } from "./auth/access-control.ts";
import { HttpError, installErrorHandler } from "./http.ts";
import { httpMetrics } from "./http-metrics.ts";
import type { Logger } from "./log.ts";
import { httpTracing } from "./tracing/http.ts";

/** The largest request body a service reads, unless configured (LL_MAX_BODY_BYTES). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type ServiceAppOptions = {
  log: Logger;
  maxBodyBytes?: number | undefined;
  /** Who may call what: required, so that no service serves its routes unauthenticated by omission. */
  access: AccessControl;
  /** Where the HTTP metrics go (loadline_http_request_duration_seconds): the registry /metrics serves. */
  registry?: Registry | undefined;
};

/**
 * The outermost app of a service, holding its routes: every error answers in the JSON shape
 * (404 for an unknown path), a known path under another method is a 405 with `Allow` (OPTIONS:
 * 204 with `Allow`), every route is authorized (accessControl), and a body over the limit is a 413: by its Content-Length before a byte is
 * read, else counted while it is read, never parsed.
 */
export function serviceApp(opts: ServiceAppOptions, ...routes: Hono[]): Hono {
  const maxBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();
  installErrorHandler(app, opts.log);
  const tracing = httpTracing(); // outermost: its span holds everything the request does (none while tracing is off)
  if (tracing) app.use(tracing);
  if (opts.registry) app.use(httpMetrics(opts.registry)); // first: it times every answer, refusals too
  app.use(allowedMethods(app));
  app.use(accessControl(opts.access)); // before the body is read: a stranger's body is never parsed
  const limit = bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is not read: the connection closes after the answer, so no client sends its next request on it.
    onError: () => {
      throw new HttpError(413, "payload_too_large", `the request body is larger than ${maxBytes} bytes`, "body", { Connection: "close" });
    },
  });
  app.use(async (c, next) => {
    // GET and HEAD carry no body (the adapter gives their Request none); asking would build the whole Request (undici, an AbortSignal) for nothing.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    try {
      return await limit(c, next);
    } catch (err) {
      // A body without Content-Length is read here whole: a client gone before its end is no fault of ours to log as one.
      if ((err as { code?: string }).code === "ECONNRESET")
        throw new HttpError(400, "bad_request", "the request body did not arrive whole", "body");
      throw err;
    }
  });
  for (const r of routes) app.route("/", r);
  return app;
}
