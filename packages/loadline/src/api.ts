import { CommandBus, type Namespace, type NatsConnection, type WorkerBucket } from "@loadline/nats";
import { fleetRoutes, writeRoutes } from "@loadline/orchestrator";
import { type PgReadModel, type ProjectionStatusReader, readRoutes } from "@loadline/projections";
import { installErrorHandler, type Logger, opsRoutes } from "@loadline/service";
import { Hono } from "hono";
import type { Registry } from "prom-client";

export type ApiDeps = {
  nc: NatsConnection;
  ns: Namespace;
  readModel: PgReadModel;
  /** The workers bucket, for GET /v1/workers. */
  workers: WorkerBucket;
  status: ProjectionStatusReader;
  log: Logger;
  registry: Registry;
  ready: () => boolean;
};

/** The whole REST API on one app: ops routes, the write side (commands) and the read side (Postgres). */
export function apiApp(deps: ApiDeps): Hono {
  const { nc, ns, readModel, status, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  app.route("/", opsRoutes({ ready: deps.ready, registry: deps.registry }));
  app.route("/", writeRoutes({ bus: new CommandBus(nc, ns), readModel, log }));
  app.route("/", fleetRoutes({ kv: deps.workers, log }));
  app.route("/", readRoutes({ readModel, status, log }));
  return app;
}
