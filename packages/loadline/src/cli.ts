#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { commandContext } from "./commands/context.ts";

const USAGE = `loadline <command> [options]

Commands:
  up            start the embedded stack (NATS, Postgres or PGlite, orchestrator, worker,
                projections, demo target, API) and run until Ctrl-C
  demo          start the embedded stack, run a test against the demo target, print the
                summary and stop everything
  run <file>    run a test written as YAML or JSON against the API at --api (or LOADLINE_URL),
                else against an embedded stack (the tenant's test of the file's name is updated
                from the file, else created); live progress, then the summary and the thresholds;
                exits 1 when the run did not complete, 2 when the test was refused, 3 when it
                completed degraded (some of its planned load was not run: a worker lost, say), 99
                when a threshold failed; --report FILE
                writes its report too, in the format of FILE's extension (.html .json .csv .xml .pdf);
                --compare baseline|RUN prints its comparison with the test's baseline or a run;
                --env NAME=VALUE (repeatable), --env-file FILE and --env-from-process give the
                values of the file's \${NAME} / {{env.NAME}} placeholders (the run records them)
  report <runId> --out FILE [--format F]
                a run's report: html (one self-contained page), json (docs/reports.md), csv,
                junit (XML for CI) or pdf (needs Chromium); the format defaults to --out's extension
  api           serve the REST API alone (NATS_URL and DATABASE_URL required), for a deployment
                where the orchestrator, workers and projections run as processes of their own
  events tail   print the events as they are appended, one NDJSON line each, until Ctrl-C
  events export --run <id>
                write a run's events, its load test's events and its metric windows as NDJSON
  events import read such a file into the namespace of LL_NAMESPACE (exit 2 on a bad line,
                nothing imported); aggregates already there with the same events are skipped
  projections status
                each projection's checkpoint, its stream's last sequence, the lag, dead letters
  projections rebuild <events|metrics> [--from-seq N | --from-time T]
                replay the stream into fresh tables while the live ones serve, then swap them
                in one transaction (needs DATABASE_URL)
  schedules list [--test ID] | create <loadTestId> --cron C [--timezone Z] [--missed P]
                [--overlap P] | delete <id>
                the schedules of the API at --api (or LOADLINE_URL): each with its next fire
                time and last run; --missed skip|run-once, --overlap skip|queue|allow
  import har|postman|openapi <file> [--target-url URL] [--out FILE] [--name NAME]
                write a test file made from a HAR recording, a Postman collection (v2.1) or an
                OpenAPI 3.0/3.1 description (a smoke test of each operation) to --out (default
                stdout), what was left out said in its header (docs/import.md); exits 2 when the
                file cannot be imported, 1 when what it made is refused by the schema

Options:
  --api URL       run, report: the Loadline API to use (default: $LOADLINE_URL, else embedded)
  --report FILE   run: write the run's report to FILE (its format from the extension)
  --compare TO    run: after the summary, compare with TO: baseline, or a run's id (docs/compare.md)
  --env N=V       run: a value of the file's env placeholders; repeatable, over --env-file's
  --env-file F    run: NAME=value lines (a .env file); only the names the file uses are sent
  --env-from-process
                  run: read the names the file uses (and only those) from this process's environment
  --format F      report: html, json, csv, junit or pdf
  --port N        API port (default: $PORT, else 8080 for up and api, any free port otherwise)
  --data DIR      data folder of the embedded NATS and PGlite (default: .data)
  --users N       demo: virtual users (default 20)
  --duration S    demo: seconds (default 10)
  --subject S     events tail: subject pattern relative to the namespace (default 'evt.>';
                  'met.>' for metric windows)
  --from-start    events tail: from the first message instead of new ones only
  --limit N       events tail: stop after N lines
  --run ID        events export: the run
  --tenant T      events export: the run's tenant (default: whichever holds it)
  --out FILE      events export, report: write to FILE (default stdout)
  --in FILE       events import: read FILE (default stdin)
  --from-seq N    projections rebuild: replay from stream sequence N (earlier rows are not kept)
  --from-time T   projections rebuild: replay from the first message at or after T (ISO-8601)
  --json          projections, schedules: print JSON
  --cron C        schedules create: the pattern, 5 fields or 6 with seconds first ('0 3 * * *')
  --timezone Z    schedules create: an IANA zone (default UTC)
  --test ID       schedules list: one load test's
  --target-url U  import: the test's targetUrl, in place of the recorded or described host
  --name NAME     import: the test's name (default: the page's title, the collection's or API's)
  --include-hosts H,H
                  import har: other hosts whose requests are kept (as absolute URLs)
  --keep-headers N,N
                  import har: headers left out by default to keep (user-agent, referer...)

Environment: NATS_URL and DATABASE_URL use an existing NATS / Postgres instead of embedded ones;
events talks to NATS_URL (default nats://127.0.0.1:4222) in the namespace LL_NAMESPACE (default ll);
projections talks to NATS_URL and DATABASE_URL.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: "string" },
    port: { type: "string" },
    data: { type: "string", default: ".data" },
    users: { type: "string", default: "20" },
    duration: { type: "string", default: "10" },
    subject: { type: "string" },
    "from-start": { type: "boolean" },
    limit: { type: "string" },
    run: { type: "string" },
    tenant: { type: "string" },
    out: { type: "string" },
    format: { type: "string" },
    report: { type: "string" },
    compare: { type: "string" },
    env: { type: "string", multiple: true },
    "env-file": { type: "string" },
    "env-from-process": { type: "boolean" },
    in: { type: "string" },
    "from-seq": { type: "string" },
    "from-time": { type: "string" },
    json: { type: "boolean" },
    cron: { type: "string" },
    timezone: { type: "string" },
    missed: { type: "string" },
    overlap: { type: "string" },
    test: { type: "string" },
    "target-url": { type: "string" },
    name: { type: "string" },
    "include-hosts": { type: "string" },
    "keep-headers": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

const [command, file] = positionals;
const known = ["up", "demo", "run", "api", "events", "projections", "report", "schedules", "import"];
if (
  values.help ||
  !command ||
  !known.includes(command) ||
  ((command === "run" || command === "events" || command === "projections" || command === "report" || command === "schedules") && !file)
) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const serving = command === "up" || command === "api";
const ctx = commandContext({ port: values.port, data: values.data, logLevel: serving ? "info" : "warn", defaultPort: serving ? 8080 : 0 });

// Each command's module is loaded when it is the one asked for: the stack's (the worker, its gRPC and Locust
// engines, the demo target) costs a second of start-up that `projections` or `report` need not pay.
if (command === "up") await (await import("./commands/up.ts")).up(ctx);
else if (command === "api") await (await import("./commands/api.ts")).api(ctx);
else if (command === "events") process.exit(await (await import("./commands/events.ts")).events(ctx, file, values));
else if (command === "projections") {
  const from = { fromSeq: values["from-seq"], fromTime: values["from-time"] };
  const { projections } = await import("./commands/projections.ts");
  process.exit(await projections(ctx, file, positionals[2], from, values.json ?? false));
} else if (command === "report") {
  const { report } = await import("./commands/report.ts");
  process.exit(await report(ctx, file!, { format: values.format, out: values.out, apiUrl: values.api ?? process.env.LOADLINE_URL }));
} else if (command === "schedules") {
  const { test, cron, timezone, missed, overlap, json } = values;
  const { schedules } = await import("./commands/schedules.ts");
  process.exit(
    await schedules(ctx, file, positionals[2], {
      api: values.api ?? process.env.LOADLINE_URL,
      test,
      cron,
      timezone,
      missed,
      overlap,
      json,
    }),
  );
} else if (command === "import") {
  const { out, name, "target-url": targetUrl, "include-hosts": includeHosts, "keep-headers": keepHeaders } = values;
  const { importCommand } = await import("./commands/import.ts");
  process.exit(await importCommand(file, positionals[2], { out, name, targetUrl, includeHosts, keepHeaders }));
} else if (command === "demo")
  process.exit(await (await import("./commands/demo.ts")).demo(ctx, Number(values.users), Number(values.duration)));
else {
  const envSources = { args: values.env, envFile: values["env-file"], processEnv: values["env-from-process"] ? process.env : undefined };
  const { run } = await import("./commands/run.ts");
  process.exit(await run(ctx, file!, values.api ?? process.env.LOADLINE_URL, values.report, values.compare, envSources));
}
