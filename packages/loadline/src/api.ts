import { consoleRoutes } from "@loadline/console";
import type { PriceModel } from "@loadline/core";
import { CommandBus, type Namespace, type NatsConnection, type WorkerBucket } from "@loadline/nats";
import {
  accessWriteRoutes,
  agentActionRoutes,
  controlRoutes,
  fleetRoutes,
  scheduleWriteRoutes,
  webhookWriteRoutes,
  writeRoutes,
} from "@loadline/orchestrator";
import {
  accessReadRoutes,
  agentRoutes,
  compareRoutes,
  type Db,
  type LiveFeeds,
  liveRoutes,
  type PgReadModel,
  type ProjectionStatusReader,
  readRoutes,
  registeredActionsIn,
  reportRoutes,
  scheduleReadRoutes,
  sutRoutes,
  webhookReadRoutes,
} from "@loadline/projections";
import { type AccessControl, type Logger, loadConfig, openApiRoutes, opsRoutes, serviceApp, whoamiRoutes } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Hono } from "hono";
import type { Registry } from "prom-client";
import { benchmarkRoutes } from "./benchmark-routes.ts";
import { apiDocument } from "./openapi/api-document.ts";

export type ApiDeps = {
  nc: NatsConnection;
  ns: Namespace;
  readModel: PgReadModel;
  /** The read model's database: the agents' and a run's SUT routes query it. */
  db: Db;
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
  /** Who may call what: the authenticator (keys from readModel, JWTs) and the route table. */
  access: AccessControl;
  /** Seals a secret's value with the platform's keyring. */
  seal: (value: string) => string;
  /** The live push (SSE) over the read model: its owner closes `hub` before the server, so open streams end. */
  live: LiveFeeds;
  /** Prints a report's HTML as PDF (report-pdf.ts's PdfPrinter); absent: `GET /v1/runs/{id}/report?format=pdf` is a 501. */
  printPdf?: ((html: string) => Promise<Uint8Array>) | undefined;
  /** What runs' costs are priced at; absent: LL_PRICE_* of the environment (docs/cost.md). */
  price?: PriceModel | undefined;
};

/** The whole REST API on one app: ops routes, the write side (commands) and the read side (Postgres), every route behind `access`. */
export function apiApp(deps: ApiDeps): Hono {
  const { nc, ns, readModel, status, log, access } = deps;
  const bus = new CommandBus(nc, ns);
  const price = deps.price ?? loadConfig().price;
  return serviceApp(
    { log, maxBodyBytes: deps.maxBodyBytes, access, registry: deps.registry },
    opsRoutes({ ready: deps.ready, notReadyBecause: deps.notReadyBecause, registry: deps.registry }),
    whoamiRoutes(),
    writeRoutes({ bus, readModel, log }),
    controlRoutes({ bus, readModel, log }),
    agentActionRoutes({ bus, log, registeredActions: registeredActionsIn(deps.db) }),
    accessWriteRoutes({ bus, readModel, log, seal: deps.seal, forgetKey: (id) => access.authenticator.forget(id) }),
    fleetRoutes({ kv: deps.workers, log }),
    readRoutes({ readModel, status, log, price }),
    reportRoutes({ readModel, db: deps.db, log, printPdf: deps.printPdf, price }),
    compareRoutes({ readModel, log }),
    liveRoutes({ ...deps.live, log }),
    accessReadRoutes({ readModel, status, log }),
    scheduleWriteRoutes({ bus, readModel, log }),
    scheduleReadRoutes({ readModel, log }),
    webhookWriteRoutes({ bus, readModel, log, seal: deps.seal }),
    webhookReadRoutes({ readModel, db: deps.db, log }),
    agentRoutes({ readModel, db: deps.db, log }),
    sutRoutes({ readModel, db: deps.db, log }),
    benchmarkRoutes({
      bus,
      readModel,
      log,
      price,
      metricsHead: async () => (await jetstreamManager(nc)).streams.info(ns.streams.metrics).then((i) => i.state.last_seq),
    }),
    openApiRoutes(() => apiDocument(access.accessOf)),
    consoleRoutes(),
  );
}
