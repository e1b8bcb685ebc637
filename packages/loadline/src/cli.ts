#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { createLogger, type RunView } from "@loadline/core";
import { LoadlineClient } from "./client.ts";
import { startStack, type Stack } from "./stack.ts";
import { formatProgress, formatSummary } from "./summary.ts";

const USAGE = `loadline <command> [options]

Commands:
  up      start the embedded stack (NATS, Postgres or PGlite, orchestrator, worker,
          projections, demo target, API) and run until Ctrl-C
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
if (values.help || !command || !["up", "demo"].includes(command)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const log = createLogger("loadline", process.env.LOG_LEVEL ?? (command === "demo" ? "warn" : "info"));
const port = Number(values.port ?? process.env.PORT ?? (command === "up" ? 8080 : 0));

function stackOptions() {
  return {
    dataDir: values.data,
    port,
    log,
    ...(process.env.NATS_URL ? { natsUrl: process.env.NATS_URL } : {}),
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    ...(process.env.LL_NAMESPACE ? { namespace: process.env.LL_NAMESPACE } : {}),
  };
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
else process.exit(await demo());
