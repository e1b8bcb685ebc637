import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ControlAgent, loadAgentConfig } from "@loadline/agent";
import { DEFAULT_QUOTAS, type LoadEngineName, type PlatformDefaults } from "@loadline/core";
import { connectNats, ensureStreams, type Namespace, namespace, openWorkerBucket } from "@loadline/nats";
import { Orchestrator } from "@loadline/orchestrator";
import { deliverySettingsFromEnv, liveFeeds, ProjectionStatusReader, Projections, remoteWriteConfigFromEnv } from "@loadline/projections";
import {
  type AuthConfig,
  createLogger,
  createRegistry,
  ensureBootstrapKey,
  ensureKeyFile,
  keyringFromEnv,
  type Logger,
  listen,
  loadAuthConfig,
  serviceAccess,
  startTracing,
} from "@loadline/service";
import { LoadWorker } from "@loadline/worker";
import { jetstreamManager } from "@nats-io/jetstream";
import { apiApp } from "./api.ts";
import { type DemoTarget, startDemoTarget } from "./demo-target.ts";
import { type EmbeddedNats, startEmbeddedNats } from "./embedded-nats.ts";
import { chromiumAvailable, PdfPrinter } from "./report-pdf.ts";

export type StackOptions = {
  /** Where the embedded NATS and PGlite keep their data. */
  dataDir: string;
  /** A NATS to use instead of starting a nats-server child. */
  natsUrl?: string;
  /** A Postgres to use instead of PGlite. */
  databaseUrl?: string;
  /** Whom its migrations run as, when not databaseUrl's role (DATABASE_MIGRATE_URL). */
  databaseMigrateUrl?: string;
  namespace?: string;
  /** API port on 127.0.0.1 (0: any free port). */
  port?: number;
  demoTarget?: boolean;
  /** Load-generating threads of the in-process worker (default 1). */
  workerThreads?: number;
  /** Keep the in-process worker's next run's threads started ahead, for a fast start (default true; tests turn it off). */
  spareThreads?: boolean;
  /** The engines the in-process worker runs besides the built-in one (LL_WORKER_ENGINES; `locust`: docs/locust.md). Default none. */
  workerEngines?: readonly LoadEngineName[];
  /** Prune per-worker raw windows older than this many days (never when absent). */
  rawWindowsMaxAgeDays?: number;
  /** The largest request body the API reads (default 1 MiB). */
  maxBodyBytes?: number | undefined;
  /** Host names the API answers to (default: the loopback names, as it listens on 127.0.0.1). */
  allowedHosts?: readonly string[] | undefined;
  /**
   * How requests are authenticated (LL_AUTH, LL_JWT_*). Default: on, with the bootstrap key kept
   * in `<dataDir>/admin-key` (made at first start) as the platform admin's.
   */
  auth?: AuthConfig;
  /** What a tenant nobody configured may do. Default: load on loopback only, DEFAULT_QUOTAS. */
  platform?: PlatformDefaults;
  log?: Logger;
};

export type Stack = {
  apiUrl: string;
  /** The platform admin's key (the bootstrap key), and the file it is kept in. */
  adminKey: string;
  adminKeyFile: string;
  natsUrl: string;
  ns: Namespace;
  demoTarget: DemoTarget | null;
  /** The routes the API serves (method and Hono path), for tests that must cover each one. */
  routes: readonly { method: string; path: string }[];
  stop(): Promise<void>;
};

/** The embedded stack loads the demo target and the user's own machine: loopback, nothing else, until its admin says so. */
const EMBEDDED_PLATFORM: PlatformDefaults = {
  targets: { allow: ["localhost", "127.0.0.1", "::1"], loopback: true, privateNetworks: false },
  quotas: DEFAULT_QUOTAS,
};

/**
 * Everything in one process, for a newcomer and for end-to-end tests: NATS (a child
 * nats-server unless one is given), Postgres (PGlite unless one is given), the
 * orchestrator, a worker, a control agent, the projections, the demo target and the API.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? createLogger("loadline");
  const ns = namespace(opts.namespace ?? "ll");
  const registry = createRegistry("loadline");
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.warn({ err }, "stop step failed"));
  };

  try {
    // First, so that every part is traced, and its flush is the last step of the stop. Off unless configured (or a test traces already).
    const tracing = startTracing({ serviceName: "loadline" });
    stops.push(() => tracing.shutdown());
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    let nats: EmbeddedNats | null = null;
    if (!opts.natsUrl) {
      nats = await startEmbeddedNats(join(opts.dataDir, "nats"));
      stops.push(() => nats!.stop());
    }
    const natsUrl = opts.natsUrl ?? nats!.url;
    // Secrets are sealed with the key kept beside the data (made at first start) unless the environment names a keyring.
    const keyFile = join(opts.dataDir, "secrets.key");
    if (!process.env.LL_SECRETS_KEYS && !process.env.LL_SECRETS_KEY_FILE) await ensureKeyFile(keyFile);
    const keyring = keyringFromEnv(
      process.env.LL_SECRETS_KEYS || process.env.LL_SECRETS_KEY_FILE ? process.env : { LL_SECRETS_KEY_FILE: keyFile },
    );
    const nc = await connectNats(natsUrl, "loadline", log);
    stops.push(() => nc.drain().catch(() => undefined));
    await ensureStreams(await jetstreamManager(nc), ns);

    const demoTarget = opts.demoTarget === false ? null : await startDemoTarget();
    if (demoTarget) stops.push(() => demoTarget.close());

    const projections = await Projections.start({
      nc,
      ns,
      database: opts.databaseUrl ? { url: opts.databaseUrl, migrateUrl: opts.databaseMigrateUrl } : { dataDir: join(opts.dataDir, "pg") },
      log: log.child({ component: "projections" }),
      registry,
      ...(opts.rawWindowsMaxAgeDays !== undefined ? { rawWindowsMaxAgeDays: opts.rawWindowsMaxAgeDays } : {}),
      remoteWrite: remoteWriteConfigFromEnv(process.env),
      // Webhooks go out of this process too, signed with secrets the same keyring sealed, to URLs the same allow-list admits.
      webhooks: {
        open: (sealed) => keyring.open(sealed),
        platform: opts.platform ?? EMBEDDED_PLATFORM,
        settings: deliverySettingsFromEnv(process.env),
      },
    });
    stops.push(() => projections.stop());

    const platform = opts.platform ?? EMBEDDED_PLATFORM;
    const orchestrator = await Orchestrator.start({ nc, ns, log: log.child({ component: "orchestrator" }), registry, platform });
    stops.push(() => orchestrator.stop());

    // One engine thread (a thread still: this one heartbeats): the embedded stack shares its process and cores with everything else.
    const worker = new LoadWorker({
      nc,
      ns,
      log: log.child({ component: "worker" }),
      registry,
      threads: opts.workerThreads ?? 1,
      keyring,
      spareThreads: opts.spareThreads ?? true,
      ...(opts.workerEngines ? { engines: opts.workerEngines } : {}),
    });
    await worker.start();
    stops.push(() => worker.stop());

    // The demo target's agent: its labels, and no actions unless LL_AGENT_CONFIG names a config file that allows some.
    const agentConfig = loadAgentConfig(process.env, { labels: { service: "demo-target" } });
    const agent = new ControlAgent({ nc, ns, log: log.child({ component: "agent" }), config: agentConfig, registry });
    await agent.start();
    stops.push(() => agent.stop());

    const adminKeyFile = join(opts.dataDir, "admin-key");
    const { key: adminKey } = await ensureBootstrapKey(adminKeyFile);
    const auth = { ...(opts.auth ?? loadAuthConfig({})), bootstrapKeyFile: adminKeyFile };
    const keyLookup = (keyId: string) => projections.readModel.apiKeyById(keyId);
    // PDF reports where Chromium is installed (launched at the first one).
    const pdf = chromiumAvailable() ? new PdfPrinter() : null;
    if (pdf) stops.push(() => pdf.close());
    const live = liveFeeds({ db: projections.database.db, readModel: projections.readModel, nc, ns, log, registry });
    const app = apiApp({
      nc,
      ns,
      readModel: projections.readModel,
      db: projections.database.db,
      workers: await openWorkerBucket(nc, ns),
      status: new ProjectionStatusReader(projections.database.db, nc, ns),
      log,
      registry,
      ready: () => orchestrator.ready() && projections.ready() && worker.ready(),
      notReadyBecause: () => [
        ...(orchestrator.ready() ? [] : [{ component: "orchestrator" }]),
        ...projections.notReady().map((p) => ({ component: "projections", ...p })),
        ...(worker.ready() ? [] : [{ component: "worker" }]),
      ],
      maxBodyBytes: opts.maxBodyBytes,
      access: serviceAccess(auth, keyLookup),
      seal: (value) => keyring.seal(value),
      printPdf: pdf?.print,
      live,
    });
    const server = await listen(app, opts.port ?? 8080, "127.0.0.1", { allowedHosts: opts.allowedHosts });
    // Open streams end first, so that the server can close.
    stops.push(async () => {
      await live.hub.close();
      await server.close();
    });

    // Middleware is registered as method ALL: only real routes are listed.
    const routes = app.routes.filter((r) => r.method !== "ALL").map(({ method, path }) => ({ method, path }));
    return { apiUrl: `http://127.0.0.1:${server.port}`, adminKey, adminKeyFile, natsUrl, ns, demoTarget, routes, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
