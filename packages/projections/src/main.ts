import { connectNats, ensureStreams, namespace, streamOptionsOf } from "@loadline/nats";
import { createLogger, createRegistry, listen, loadConfig, opsRoutes, runUntilSignal, serviceApp } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { Projections } from "./service.ts";

/** The read side as its own process: projections, read API and ops endpoints on one port. */
const config = loadConfig();
const log = createLogger("projections", config.logLevel);
const ns = namespace(config.namespace);
const nc = await connectNats(config.natsUrl, "projections", log);
// Safe at every start, and the consumers need the streams even if no other service has run yet.
await ensureStreams(await jetstreamManager(nc), ns, streamOptionsOf(config, nc));

const registry = createRegistry("projections");
const projections = await Projections.start({
  nc,
  ns,
  database: config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.pgliteDir },
  log,
  registry,
  rawWindowsMaxAgeDays: config.rawWindowsMaxAgeDays,
});
const app = serviceApp(
  { log, maxBodyBytes: config.maxBodyBytes },
  projections.routes,
  opsRoutes({ ready: () => projections.ready(), notReadyBecause: () => projections.notReady(), registry }),
);
const server = await listen(app, config.port ?? 9103, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port, database: projections.database.kind }, "projections listening");

runUntilSignal(log, async () => {
  await server.close();
  await projections.stop();
  await nc.drain();
});
