import { connectNats, namespace, streamOptionsOf } from "@loadline/nats";
import {
  createLogger,
  createRegistry,
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
import { Orchestrator } from "./orchestrator.ts";

/** The orchestrator as a process of its own: commands in, events out, /healthz /readyz /metrics on PORT. */
const config = loadConfig();
const log = createLogger("orchestrator", config.logLevel);
const tracing = startTracing({ serviceName: "loadline-orchestrator" }); // off unless OTEL_EXPORTER_OTLP_*ENDPOINT is set
const registry = createRegistry("orchestrator");
const nc = await connectNats(config.natsUrl, "loadline-orchestrator", log);
const orchestrator = await Orchestrator.start({
  nc,
  ns: namespace(config.namespace),
  log,
  registry,
  streams: streamOptionsOf(config, nc),
  platform: loadPlatformDefaults(),
});
const app = serviceApp(
  { log, maxBodyBytes: config.maxBodyBytes, access: serviceAccess(loadAuthConfig()), registry },
  opsRoutes({ ready: () => orchestrator.ready(), registry }),
);
const server = await listen(app, config.port ?? 9101, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port }, "orchestrator ready");
runUntilSignal(log, async () => {
  await orchestrator.stop();
  await server.close();
  await nc.drain();
  await tracing.shutdown(); // the last spans flushed
});
