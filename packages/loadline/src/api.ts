import { jetstream } from "@nats-io/jetstream";
import { Hono } from "hono";
import { CommandBus, type Namespace, type NatsConnection, type WorkerBucket, JetStreamEventStore } from "@loadline/nats";
import { installErrorHandler, opsRoutes, type Logger } from "@loadline/service";
import { fleetRoutes, writeRoutes } from "@loadline/orchestrator";
import { readRoutes, type PgReadModel, type ProjectionStatusReader } from "@loadline/projections";
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
