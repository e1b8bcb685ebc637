#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats, createLogger, createRegistry, ensureStreams, listen, loadConfig, namespace, runUntilSignal, type RunView } from "@loadline/core";
import { openDatabase, PgReadModel } from "@loadline/projections";
import { apiApp } from "./api.ts";
import { LoadlineClient } from "./client.ts";
import { startStack, type Stack } from "./stack.ts";
import { formatProgress, formatSummary } from "./summary.ts";

const USAGE = `loadline <command> [options]

Commands:
  up      start the embedded stack (NATS, Postgres or PGlite, orchestrator, worker,
          projections, demo target, API) and run until Ctrl-C
  api     serve the REST API alone (NATS_URL and DATABASE_URL required), for a deployment
          where the orchestrator, workers and projections run as processes of their own
  demo    start the embedded stack, run a test against the demo target, print the
          summary and stop everything

Options:
  --port N        API port (default: $PORT, else 8080 for up and any free port for demo)
  --data DIR      data folder of the embedded NATS and PGlite (default: .data)
  --users N       demo: virtual users (default 20)
  --duration S    demo: seconds (default 10)

Environment: NATS_URL and DATABASE_URL use an existing NATS / Postgres instead.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: "string" },
    data: { type: "string", default: ".data" },
    users: { type: "string", default: "20" },
    duration: { type: "string", default: "10" },
    help: { type: "boolean", short: "h" },
  },
});

const command = positionals[0];
if (values.help || !command || !["up", "demo", "api"].includes(command)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const config = loadConfig();
const log = createLogger("loadline", process.env.LOG_LEVEL ?? (command === "demo" ? "warn" : "info"));
const port = Number(values.port ?? config.port ?? (command === "demo" ? 0 : 8080));

function stackOptions() {
  return {
    dataDir: values.data,
    port,
    log,
    namespace: config.namespace,
    // Unset means embedded: a nats-server child and PGlite.
    ...(process.env.NATS_URL ? { natsUrl: config.natsUrl } : {}),
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  };
}

async function api(): Promise<void> {
  if (!config.databaseUrl) {
    console.error("loadline api needs DATABASE_URL (the Postgres the projections write to)");
    process.exit(2);
  }
  const registry = createRegistry("api");
  const nc = await connectNats(config.natsUrl, "loadline-api", log);
  const ns = namespace(config.namespace);
  await ensureStreams(await jetstreamManager(nc), ns, { metricsMaxAgeMs: config.metricsMaxAgeMs, replicas: config.streamReplicas });
  const database = await openDatabase({ url: config.databaseUrl });
  // No projector in this process: read-your-writes polls the projections' checkpoint.
  const app = apiApp({ nc, ns, readModel: new PgReadModel(database.db), log, registry, ready: () => !nc.isClosed() });
  const server = await listen(app, port, config.host);
  log.info({ port: server.port }, "api ready");
  runUntilSignal(log, async () => {
    await server.close();
    await database.close();
    await nc.drain();
  });
}

async function up(): Promise<void> {
  const stack = await startStack(stackOptions());
  console.log(`Loadline is up: API ${stack.apiUrl}, NATS ${stack.natsUrl}, demo target ${stack.demoTarget?.url ?? "off"}. Ctrl-C stops it.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping...");
    void stack.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** Live progress: rewritten in place on a terminal, a line per change otherwise (CI logs). */
function progressPrinter(): (run: RunView) => void {
  let last = "";
  return (run) => {
    const text = formatProgress(run);
    if (text === last) return;
    last = text;
    if (process.stdout.isTTY) process.stdout.write(`\r${text.padEnd(process.stdout.columns - 1)}`);
    else console.log(text);
  };
}

async function demo(): Promise<number> {
  const users = Number(values.users);
  const duration = Number(values.duration);
  console.log("Starting the embedded stack...");
  const stack: Stack = await startStack(stackOptions());
  try {
    const api = new LoadlineClient(stack.apiUrl);
    const target = stack.demoTarget!.url;
    console.log(`API ${stack.apiUrl}, demo target ${target}. Running ${users} users for ${duration} s...`);
    const test = await api.createLoadTest({
      name: "demo",
      description: "the demo target's fixed, random and flaky endpoints",
      targetUrl: target,
      requests: [
        { name: "fixed 20ms", method: "GET", path: "/fixed?ms=20" },
        { name: "random 5-50ms", method: "GET", path: "/random?min=5&max=50" },
        { name: "flaky 5%", method: "GET", path: "/error?rate=0.05&ms=5" },
      ],
      defaultUsers: users,
      defaultSpawnRate: Math.max(1, users / 2),
      defaultDurationSec: duration,
    });
    const run = await api.startRun(test.id);
    const ended = await api.waitForEnd(run.id, (duration + 60) * 1000, progressPrinter());
    console.log();
    const [endpoints, total] = await Promise.all([api.endpoints(run.id), api.aggregate(run.id)]);
    console.log(formatSummary(ended, endpoints.endpoints, total));
    console.log(`\nThe target received ${stack.demoTarget!.total()} requests; the run counted ${total.requests}.`);
    return ended.status === "Completed" ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

if (command === "up") await up();
else if (command === "api") await api();
else process.exit(await demo());
