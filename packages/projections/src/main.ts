import { connectNats, ensureStreams, namespace, streamOptionsOf } from "@loadline/nats";
import {
  createLogger,
  createRegistry,
  keyringFromEnv,
  listen,
  loadAuthConfig,
  loadConfig,
  loadPlatformDefaults,
  opsRoutes,
  runUntilSignal,
  serviceAccess,
  serviceApp,
  startTracing,
} from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { type DatabaseOptions, openDatabase } from "./database.ts";
import { migratePostgresUrl } from "./migrate.ts";
import { remoteWriteConfigFromEnv } from "./prometheus/index.ts";
import { Projections } from "./service.ts";
import { deliverySettingsFromEnv } from "./webhooks/settings.ts";

/** The read side as its own process: projections, read API and ops endpoints on one port. */
const config = loadConfig();
const log = createLogger("projections", config.logLevel);
if (process.argv[2] === "migrate") {
  await migrate(config);
  process.exit(0);
}
const tracing = startTracing({ serviceName: "loadline-projections" }); // off unless OTEL_EXPORTER_OTLP_*ENDPOINT is set
const ns = namespace(config.namespace);
const nc = await connectNats(config.natsUrl, "projections", log);
// Safe at every start, and the consumers need the streams even if no other service has run yet.
await ensureStreams(await jetstreamManager(nc), ns, streamOptionsOf(config, nc));

const registry = createRegistry("projections");
// Webhooks are signed with secrets sealed by the API's keyring: without one, this process delivers none.
const keyring = keyringFromEnv(process.env);
if (!keyring.configured) log.warn("no secrets keyring (LL_SECRETS_KEYS / LL_SECRETS_KEY_FILE): webhooks are not delivered by this process");
const webhooks = { open: (sealed: string) => keyring.open(sealed), platform: loadPlatformDefaults(), settings: deliverySettingsFromEnv() };
const projections = await Projections.start({
  nc,
  ns,
  database: databaseOptions(config),
  log,
  registry,
  rawWindowsMaxAgeDays: config.rawWindowsMaxAgeDays,
  remoteWrite: remoteWriteConfigFromEnv(process.env),
  ...(keyring.configured ? { webhooks } : {}),
});
const app = serviceApp(
  {
    log,
    maxBodyBytes: config.maxBodyBytes,
    access: serviceAccess(loadAuthConfig(), (keyId) => projections.readModel.apiKeyById(keyId)),
    registry,
  },
  projections.routes,
  opsRoutes({ ready: () => projections.ready(), notReadyBecause: () => projections.notReady(), registry }),
);
const server = await listen(app, config.port ?? 9103, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port, database: projections.database.kind }, "projections listening");

runUntilSignal(log, async () => {
  await server.close();
  await projections.stop();
  await nc.drain();
  await tracing.shutdown(); // the last spans flushed
});

type Config = ReturnType<typeof loadConfig>;

/** Postgres (migrated as DATABASE_MIGRATE_URL's role when set), or PGlite without DATABASE_URL. */
function databaseOptions(config: Config): DatabaseOptions {
  if (config.databaseUrl) return { url: config.databaseUrl, migrateUrl: config.databaseMigrateUrl };
  if (config.databaseMigrateUrl) throw new Error("DATABASE_MIGRATE_URL is set without DATABASE_URL: set both, or neither (PGlite)");
  return { dataDir: config.pgliteDir };
}

/**
 * `main.ts migrate` (npm run migrate -w @loadline/projections; node dist/main.js migrate): the
 * migrations alone, as DATABASE_MIGRATE_URL's role (else DATABASE_URL's; PGlite's folder without
 * either), then exit. A deployment's step before the services start as the application role.
 */
async function migrate(config: Config): Promise<void> {
  const url = config.databaseMigrateUrl || config.databaseUrl;
  if (url) await migratePostgresUrl(url);
  else await (await openDatabase({ dataDir: config.pgliteDir })).close();
  log.info({ database: url ? "postgres" : "pglite" }, "the read model's schema is up to date");
}
