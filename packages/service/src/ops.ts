import { Hono } from "hono";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "./log.ts";

export type Health = {
  /** Ready to take work: connected, caught up, migrated. */
  ready: () => boolean;
  /** Why it is not ready, in /readyz's 503 answer (a projection that cannot advance, say). */
  notReadyBecause?: () => readonly object[];
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
    .get("/readyz", (c) =>
      health.ready()
        ? c.json({ status: "ready" })
        : c.json({ status: "not ready", ...(health.notReadyBecause ? { reasons: health.notReadyBecause() } : {}) }, 503),
    )
    .get("/metrics", async (c) => c.body(await health.registry.metrics(), 200, { "content-type": health.registry.contentType }));
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
