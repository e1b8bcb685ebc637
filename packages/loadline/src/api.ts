import { consoleRoutes } from "@loadline/console";
import { CommandBus, type Namespace, type NatsConnection, type WorkerBucket } from "@loadline/nats";
import { accessWriteRoutes, controlRoutes, fleetRoutes, scheduleWriteRoutes, writeRoutes } from "@loadline/orchestrator";
import {
  accessReadRoutes,
  compareRoutes,
  type LiveFeeds,
  liveRoutes,
  type PgReadModel,
  type ProjectionStatusReader,
  readRoutes,
  reportRoutes,
  scheduleReadRoutes,
} from "@loadline/projections";
import { type AccessControl, type Logger, opsRoutes, serviceApp, whoamiRoutes } from "@loadline/service";
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
  /** Who may call what: the authenticator (keys from readModel, JWTs) and the route table. */
  access: AccessControl;
  /** Seals a secret's value with the platform's keyring. */
  seal: (value: string) => string;
  /** The live push (SSE) over the read model: its owner closes `hub` before the server, so open streams end. */
  live: LiveFeeds;
  /** Prints a report's HTML as PDF (report-pdf.ts's PdfPrinter); absent: `GET /v1/runs/{id}/report?format=pdf` is a 501. */
  printPdf?: ((html: string) => Promise<Uint8Array>) | undefined;
};

/** The whole REST API on one app: ops routes, the write side (commands) and the read side (Postgres), every route behind `access`. */
export function apiApp(deps: ApiDeps): Hono {
  const { nc, ns, readModel, status, log, access } = deps;
  const bus = new CommandBus(nc, ns);
  return serviceApp(
    { log, maxBodyBytes: deps.maxBodyBytes, access },
    opsRoutes({ ready: deps.ready, notReadyBecause: deps.notReadyBecause, registry: deps.registry }),
    whoamiRoutes(),
    writeRoutes({ bus, readModel, log }),
    controlRoutes({ bus, readModel, log }),
    accessWriteRoutes({ bus, readModel, log, seal: deps.seal, forgetKey: (id) => access.authenticator.forget(id) }),
    fleetRoutes({ kv: deps.workers, log }),
    readRoutes({ readModel, status, log }),
    reportRoutes({ readModel, log, printPdf: deps.printPdf }),
    compareRoutes({ readModel, log }),
    liveRoutes({ ...deps.live, log }),
    accessReadRoutes({ readModel, status, log }),
    scheduleWriteRoutes({ bus, readModel, log }),
    scheduleReadRoutes({ readModel, log }),
    consoleRoutes(),
  );
}
