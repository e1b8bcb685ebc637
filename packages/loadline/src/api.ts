import { CommandBus, type Namespace, type NatsConnection, type WorkerBucket } from "@loadline/nats";
import { fleetRoutes, writeRoutes } from "@loadline/orchestrator";
import { type PgReadModel, type ProjectionStatusReader, readRoutes } from "@loadline/projections";
import { type Logger, opsRoutes, serviceApp } from "@loadline/service";
import type { Hono } from "hono";
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
  /** Why it is not ready, for /readyz. */
  notReadyBecause?: () => readonly object[];
  /** The largest request body read (default 1 MiB). */
  maxBodyBytes?: number | undefined;
};

/** The whole REST API on one app: ops routes, the write side (commands) and the read side (Postgres). */
export function apiApp(deps: ApiDeps): Hono {
  const { nc, ns, readModel, status, log } = deps;
  return serviceApp(
    { log, maxBodyBytes: deps.maxBodyBytes },
    opsRoutes({ ready: deps.ready, notReadyBecause: deps.notReadyBecause, registry: deps.registry }),
    writeRoutes({ bus: new CommandBus(nc, ns), readModel, log }),
    fleetRoutes({ kv: deps.workers, log }),
    readRoutes({ readModel, status, log }),
  );
}
