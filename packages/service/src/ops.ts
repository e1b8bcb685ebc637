import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "./log.ts";

export type Health = {
  /** Ready to take work: connected, caught up, migrated. */
  ready: () => boolean;
  registry: Registry;
};

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** /healthz (alive), /readyz (ready for work) and /metrics (Prometheus), on any Hono app. */
export function opsRoutes(health: Health): Hono {
  return new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", (c) => (health.ready() ? c.json({ status: "ready" }) : c.json({ status: "not ready" }, 503)))
    .get("/metrics", async (c) => c.body(await health.registry.metrics(), 200, { "content-type": health.registry.contentType }));
}

export type HttpServer = { port: number; close(): Promise<void> };

export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  port: number,
  hostname = "127.0.0.1",
): Promise<HttpServer> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname }, (info) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      }),
    );
  });
}

/**
 * Runs a service until SIGTERM or SIGINT, then stops it once: stop() drains what was
 * acknowledged before the process exits.
 */
export function runUntilSignal(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    stop()
      .then(() => {
        log.info("stopped");
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
