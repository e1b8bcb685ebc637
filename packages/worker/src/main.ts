import { sleep } from "@loadline/core";
import { connectNats, namespace } from "@loadline/nats";
import {
  createLogger,
  createRegistry,
  keyringFromEnv,
  listen,
  loadAuthConfig,
  loadConfig,
  opsRoutes,
  runUntilSignal,
  serviceAccess,
  serviceApp,
  startTracing,
} from "@loadline/service";
import { boundHeapGrowth } from "./heap.ts";
import { LoadWorker } from "./worker.ts";

const DEFAULT_PORT = 9102;
const START_RETRY_MS = 2000;

boundHeapGrowth();
const config = loadConfig();
const log = createLogger("worker", config.logLevel);
const tracing = startTracing({ serviceName: "loadline-worker" }); // off unless OTEL_EXPORTER_OTLP_*ENDPOINT is set
const nc = await connectNats(config.natsUrl, "loadline-worker", log);
const registry = createRegistry("worker");
// Opens the secrets of the runs it holds; a bad LL_SECRETS_KEYS or LL_SECRETS_KEY_FILE stops it here.
const keyring = keyringFromEnv(process.env);
if (!keyring.configured)
  log.warn("no secrets key configured (LL_SECRETS_KEYS or LL_SECRETS_KEY_FILE): runs whose tests use secrets fail here");
const worker = new LoadWorker({
  keyring,
  nc,
  ns: namespace(config.namespace),
  log,
  registry,
  maxVUs: config.worker.maxVUs,
  maxArrivalRate: config.worker.maxArrivalRate,
  labels: config.worker.labels,
  spareThreads: true,
  engines: config.worker.engines,
  ...(config.worker.id ? { workerId: config.worker.id } : {}),
  ...(config.worker.threads ? { threads: config.worker.threads } : {}),
});

const app = serviceApp(
  { log, maxBodyBytes: config.maxBodyBytes, access: serviceAccess(loadAuthConfig()), registry },
  opsRoutes({ ready: () => worker.ready(), registry }),
);
const server = await listen(app, config.port ?? DEFAULT_PORT, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port, workerId: worker.id }, "ops endpoints listening");

let shuttingDown = false;
runUntilSignal(log, async () => {
  shuttingDown = true;
  await worker.stop();
  await server.close();
  await nc.drain();
  await tracing.shutdown(); // the last spans flushed
});

// The streams are the orchestrator's to create: until they exist, keep trying (not ready meanwhile).
while (!shuttingDown) {
  try {
    await worker.start();
    break;
  } catch (err) {
    log.warn({ err }, "worker could not start yet: retrying");
    await sleep(START_RETRY_MS);
  }
}
