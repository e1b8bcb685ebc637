#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { api } from "./commands/api.ts";
import { commandContext } from "./commands/context.ts";
import { demo } from "./commands/demo.ts";
import { run } from "./commands/run.ts";
import { up } from "./commands/up.ts";

const USAGE = `loadline <command> [options]

Commands:
  up            start the embedded stack (NATS, Postgres or PGlite, orchestrator, worker,
                projections, demo target, API) and run until Ctrl-C
  demo          start the embedded stack, run a test against the demo target, print the
                summary and stop everything
  run <file>    run a test written as YAML or JSON against the API at --api (or LOADLINE_URL),
                else against an embedded stack; live progress, then the summary; exits 1 when
                the run did not complete, 2 when the test was refused
  api           serve the REST API alone (NATS_URL and DATABASE_URL required), for a deployment
                where the orchestrator, workers and projections run as processes of their own

Options:
  --api URL       run: the Loadline API to use (default: $LOADLINE_URL, else embedded)
  --port N        API port (default: $PORT, else 8080 for up and api, any free port otherwise)
  --data DIR      data folder of the embedded NATS and PGlite (default: .data)
  --users N       demo: virtual users (default 20)
  --duration S    demo: seconds (default 10)

Environment: NATS_URL and DATABASE_URL use an existing NATS / Postgres instead of embedded ones.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: "string" },
    port: { type: "string" },
    data: { type: "string", default: ".data" },
    users: { type: "string", default: "20" },
    duration: { type: "string", default: "10" },
    help: { type: "boolean", short: "h" },
  },
});

const [command, file] = positionals;
const known = ["up", "demo", "run", "api"];
if (values.help || !command || !known.includes(command) || (command === "run" && !file)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const serving = command === "up" || command === "api";
const ctx = commandContext({ port: values.port, data: values.data, logLevel: serving ? "info" : "warn", defaultPort: serving ? 8080 : 0 });

if (command === "up") await up(ctx);
else if (command === "api") await api(ctx);
else if (command === "demo") process.exit(await demo(ctx, Number(values.users), Number(values.duration)));
else process.exit(await run(ctx, file!, values.api ?? process.env.LOADLINE_URL));
