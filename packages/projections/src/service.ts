import type { Namespace, NatsConnection } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { Hono } from "hono";
import type { Registry } from "prom-client";
import { accessReadRoutes } from "./access-routes.ts";
import { agentProjection } from "./agent-projection.ts";
import { agentRoutes } from "./agent-routes.ts";
import { compareRoutes } from "./compare-routes.ts";
import { type Database, type DatabaseOptions, openDatabase } from "./database.ts";
import { eventsProjection } from "./events-projection.ts";
import { metricsProjection } from "./metrics-projection.ts";
import { projectionMetrics } from "./projection-metrics.ts";
import { Projector } from "./projector.ts";
import type { ProjectorHealth } from "./projector-health.ts";
import { type RemoteWriteConfig, RunMetrics } from "./prometheus/index.ts";
import { PgReadModel } from "./read-model.ts";
import { reportRoutes } from "./report-routes.ts";
import { pruneRawWindows } from "./retention.ts";
import { readRoutes } from "./routes.ts";
import { scheduleReadRoutes } from "./schedule-routes.ts";
import { ProjectionStatusReader } from "./status.ts";
import { sutRoutes } from "./sut-routes.ts";
import { webhookReadRoutes } from "./webhooks/routes.ts";
import { type WebhookOptions, WebhookService } from "./webhooks/service.ts";

export type ProjectionsOptions = {
  nc: NatsConnection;
  ns: Namespace;
  /** Where to open the read model, or a database already open (then stop() leaves it open). */
  database: DatabaseOptions | Database;
  log: Logger;
  /** Where the projection metrics are registered; not exposed when absent. */
  registry?: Registry;
  /** Where run series are pushed by Prometheus remote write (LL_PROMETHEUS_RW_URL); nowhere when absent. */
  remoteWrite?: RemoteWriteConfig | null;
  batchSize?: number;
  /** Prune per-worker raw windows older than this, hourly; never when absent. */
  rawWindowsMaxAgeDays?: number;
  /** Deliver webhooks from this process (dispatcher and delivery loop, docs/webhooks.md); not when absent (no keyring). */
  webhooks?: WebhookOptions;
  /** How long a live projection may retry a failed batch before the service says it is not ready (default 5 s). */
  notReadyAfterRetryingMs?: number;
};

/** A projection that keeps the read side from being ready, and why: /readyz's answer. */
export type NotReady = Omit<ProjectorHealth, "name" | "caughtUp"> & { projection: string };

const NOT_READY_AFTER_RETRYING_MS = 5_000;

const PRUNE_EVERY_MS = 3_600_000;

const isOpen = (d: DatabaseOptions | Database): d is Database => "db" in d && "close" in d;

/** The read side: the events, metrics and agent projections, the read model over their tables, and its routes. */
export class Projections {
  private constructor(
    readonly database: Database,
    readonly readModel: PgReadModel,
    readonly routes: Hono,
    readonly projectors: { readonly events: Projector; readonly metrics: Projector; readonly agent: Projector },
    private readonly ownsDatabase: boolean,
    private readonly pruner: NodeJS.Timeout | null,
    private readonly notReadyAfterRetryingMs: number,
    private readonly runMetrics: RunMetrics,
    /** The webhook dispatcher and delivery loop, when this process runs them. */
    readonly webhooks: WebhookService | null = null,
  ) {}

  /** Opens and migrates the database, then starts both projections from their checkpoints. */
  static async start(opts: ProjectionsOptions): Promise<Projections> {
    const log = opts.log.child({ component: "projections" });
    const ownsDatabase = !isOpen(opts.database);
    const database = isOpen(opts.database) ? opts.database : await openDatabase(opts.database);
    const metrics = projectionMetrics(opts.registry);
    const common = {
      nc: opts.nc,
      ns: opts.ns,
      db: database.db,
      leases: database.leases,
      concurrentStaging: database.concurrent,
      log,
      metrics,
      batchSize: opts.batchSize,
    };
    const started: Projector[] = [];
    // The run series (/metrics, remote write) of the windows the metrics projection merges.
    const runMetrics = new RunMetrics({ registry: opts.registry, remoteWrite: opts.remoteWrite, log });
    try {
      const events = await Projector.start({ ...common, projection: eventsProjection(log) });
      started.push(events);
      const metricsProjector = await Projector.start({ ...common, projection: metricsProjection({ merged: runMetrics.merged }) });
      started.push(metricsProjector);
      const agent = await Projector.start({ ...common, projection: agentProjection(log) });
      started.push(agent);
      const readModel = new PgReadModel(database.db, events);
      const status = new ProjectionStatusReader(database.db, opts.nc, opts.ns);
      const { nc, ns, registry } = opts;
      const webhooks = opts.webhooks
        ? await WebhookService.start({ ...opts.webhooks, nc, ns, db: database.db, readModel, log, registry })
        : null;
      const pruner =
        opts.rawWindowsMaxAgeDays === undefined ? null : startPruning(database, metricsProjector, opts.rawWindowsMaxAgeDays, log);
      return new Projections(
        database,
        readModel,
        new Hono()
          .route("/", readRoutes({ readModel, status, log }))
          .route("/", accessReadRoutes({ readModel, status, log }))
          .route("/", reportRoutes({ readModel, db: database.db, log })) // no PDF printer in this process: PDF is a 501 here
          .route("/", compareRoutes({ readModel, log }))
          .route("/", scheduleReadRoutes({ readModel, log }))
          .route("/", webhookReadRoutes({ readModel, db: database.db, log, poke: () => webhooks?.poke() }))
          .route("/", agentRoutes({ readModel, db: database.db, log }))
          .route("/", sutRoutes({ readModel, db: database.db, log })),

        { events, metrics: metricsProjector, agent },
        ownsDatabase,
        pruner,
        opts.notReadyAfterRetryingMs ?? NOT_READY_AFTER_RETRYING_MS,
        runMetrics,
        webhooks,
      );
    } catch (err) {
      await Promise.all(started.map((p) => p.stop()));
      await runMetrics.stop();
      if (ownsDatabase) await database.close();
      throw err;
    }
  }

  /**
   * The projections that keep it from being ready: one still catching up with what its stream
   * held at start, or one that cannot advance (retrying a failure, since before it caught up or
   * for longer than notReadyAfterRetryingMs). A standby's projection is another process's.
   */
  notReady(now = Date.now()): NotReady[] {
    return Object.values(this.projectors).flatMap((p) => {
      const { name, caughtUp, ...health } = p.health();
      const blocked =
        health.state === "catching-up" ||
        (health.state === "retrying" && (!caughtUp || now - Date.parse(health.since ?? "") >= this.notReadyAfterRetryingMs));
      return blocked ? [{ projection: name, ...health }] : [];
    });
  }

  /** Both projections have caught up and advance, or stand by while another process runs them. */
  ready(): boolean {
    return this.notReady().length === 0;
  }

  /** Stops consuming once the batches in flight are committed and acked, then closes the database it opened. */
  async stop(): Promise<void> {
    if (this.pruner) clearInterval(this.pruner);
    await this.webhooks?.stop(); // first: its dispatcher waits on the events projection
    await Promise.all(Object.values(this.projectors).map((p) => p.stop()));
    await this.runMetrics.stop(); // after the projectors: the windows they merged last are pushed too
    if (this.ownsDatabase) await this.database.close();
  }
}

/** Hourly, by the process running the metrics projection: raw windows past their age go, rollups stay. */
function startPruning(database: Database, metrics: Projector, maxAgeDays: number, log: Logger): NodeJS.Timeout {
  const prune = async () => {
    if (!metrics.isActive()) return;
    const deleted = await pruneRawWindows(database.db, maxAgeDays).catch((err: unknown) => {
      log.error({ err }, "pruning raw windows failed");
      return 0;
    });
    if (deleted > 0) log.info({ deleted, maxAgeDays }, "pruned raw metric windows");
  };
  void prune();
  const timer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  timer.unref();
  return timer;
}
