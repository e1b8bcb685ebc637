import { sleep } from "@loadline/core";
import { connectNats, namespace } from "@loadline/nats";
import { createLogger, createRegistry, listen, loadConfig, opsRoutes, runUntilSignal, serviceApp } from "@loadline/service";
import { boundHeapGrowth } from "./heap.ts";
import { LoadWorker } from "./worker.ts";

const DEFAULT_PORT = 9102;
const START_RETRY_MS = 2000;

boundHeapGrowth();
const config = loadConfig();
const log = createLogger("worker", config.logLevel);
const nc = await connectNats(config.natsUrl, "loadline-worker", log);
const registry = createRegistry("worker");
const worker = new LoadWorker({
  nc,
  ns: namespace(config.namespace),
  log,
  registry,
  maxVUs: config.worker.maxVUs,
  maxArrivalRate: config.worker.maxArrivalRate,
  labels: config.worker.labels,
  ...(config.worker.id ? { workerId: config.worker.id } : {}),
  ...(config.worker.threads ? { threads: config.worker.threads } : {}),
});

const app = serviceApp({ log, maxBodyBytes: config.maxBodyBytes }, opsRoutes({ ready: () => worker.ready(), registry }));
const server = await listen(app, config.port ?? DEFAULT_PORT, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port, workerId: worker.id }, "ops endpoints listening");

let shuttingDown = false;
runUntilSignal(log, async () => {
  shuttingDown = true;
  await worker.stop();
  await server.close();
  await nc.drain();
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
