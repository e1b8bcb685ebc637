// The benchmark harness: runs the selected sections in turns and prints the tables.
// run.sh starts nginx and passes its URL; everything else (targets, generators) starts here.
// Usage: node --import tsx bench/main.ts [--only throughput|h2|accuracy|self-noise|memory|ingest|replay|query|readapi|fleet|live|start|agent] [--duration S] [--nginx-url URL] [--nginx-h2-url URL]
// Without --duration, each section uses its own default: 10 s, and 60 s for ingest.
//
// Here the command line and the report; generator-sections.ts holds the throughput, accuracy and
// memory sections, measure.ts runs their generators, report.ts prints their tables.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { agentCostTable, runAgentCostBench } from "./agent/agent-cost.ts";
import { runFleetBench } from "./fleet/fleet.ts";
import { fleetTable } from "./fleet/fleet-table.ts";
import { accuracy, memory, throughput } from "./generator-sections.ts";
import { h2Section } from "./h2/h2.ts";
import { h2Table } from "./h2/h2-table.ts";
import { coreBusy } from "./lib/cpu.ts";
import { runLiveBench } from "./live/live.ts";
import { liveTable } from "./live/live-table.ts";
import { log, RAW, RESULTS, ROOT } from "./measure.ts";
import { runReadApiBench } from "./read-api/read-api.ts";
import { readApiTable } from "./read-api/read-api-table.ts";
import { INGEST_DEFAULTS, ingest } from "./read-side/ingest.ts";
import { runQueryBench } from "./read-side/query.ts";
import { queryTable } from "./read-side/query-table.ts";
import { runReplayBench } from "./read-side/replay.ts";
import { replayTable } from "./read-side/replay-table.ts";
import { accuracyTable, ingestTable, memoryTable, throughputTable } from "./report.ts";
import { selfNoiseSection } from "./self-noise/self-noise.ts";
import { selfNoiseTable } from "./self-noise/self-noise-table.ts";
import { runStartBench } from "./start/start.ts";
import { startTable } from "./start/start-table.ts";

type Section =
  | "throughput"
  | "h2"
  | "accuracy"
  | "self-noise"
  | "memory"
  | "ingest"
  | "replay"
  | "query"
  | "readapi"
  | "fleet"
  | "live"
  | "start"
  | "agent";
const SECTIONS: Section[] = [
  "throughput",
  "h2",
  "accuracy",
  "self-noise",
  "memory",
  "ingest",
  "replay",
  "query",
  "readapi",
  "fleet",
  "live",
  "start",
  "agent",
];
/** Seconds per run when --duration is not given. */
const DEFAULT_DURATION = 10;

function parseArgs(argv: string[]) {
  const o = {
    only: [...SECTIONS] as Section[],
    duration: undefined as number | undefined,
    nginxUrl: process.env.BENCH_NGINX_URL ?? "",
    nginxH2Url: process.env.BENCH_NGINX_H2_URL ?? "",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === "--only" && v) {
      const picked = v.split(",").map((s) => s.trim()) as Section[];
      for (const s of picked) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
      o.only = picked;
      i++;
    } else if (a === "--duration" && v) {
      const d = Number(v);
      if (!Number.isInteger(d) || d < 1 || d > 300) throw new Error("--duration: whole seconds, 1..300");
      o.duration = d;
      i++;
    } else if (a === "--nginx-url" && v) {
      o.nginxUrl = v;
      i++;
    } else if (a === "--nginx-h2-url" && v) {
      o.nginxH2Url = v;
      i++;
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function versions(): string {
  const deb = (p: string) => {
    try {
      return execFileSync("dpkg-query", ["-W", "-f", "$" + "{Version}", p], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return "not installed";
    }
  };
  let ac = "not installed";
  try {
    ac = execFileSync(join(ROOT, "node_modules/.bin/autocannon"), ["--version"], { encoding: "utf8" })
      .split("\n")[0]!
      .replace(/^autocannon /, "");
  } catch {
    /* missing */
  }
  return `node ${process.version}, nginx ${deb("nginx")}, wrk ${deb("wrk")}, hey ${deb("hey")}, h2load ${deb("nghttp2-client")}, locust ${deb("python3-locust")}, autocannon ${ac}`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(RAW, { recursive: true });
  const parts: string[] = [];
  const data: Record<string, unknown> = {};
  const busy: string[] = [];
  const note = async (section: string) => {
    const b = await coreBusy(1000);
    busy.push(
      `${section}: ${Object.entries(b)
        .map(([k, v]) => `${k} ${v}%`)
        .join(", ")}`,
    );
  };
  for (const s of SECTIONS.filter((x) => o.only.includes(x))) {
    log(`section ${s}`);
    await note(s);
    const duration = o.duration ?? DEFAULT_DURATION;
    if (s === "throughput") {
      const t = await throughput(o.nginxUrl, duration);
      data.throughput = t;
      parts.push(throughputTable(t));
    } else if (s === "h2") {
      const h = await h2Section(o.nginxH2Url, duration);
      data.h2 = h;
      parts.push(h2Table(h));
    } else if (s === "accuracy") {
      const a = await accuracy(duration);
      data.accuracy = a;
      parts.push(accuracyTable(a));
    } else if (s === "self-noise") {
      const n = await selfNoiseSection(o.nginxUrl, duration);
      data.selfNoise = n;
      parts.push(selfNoiseTable(n));
    } else if (s === "memory") {
      const m = await memory(duration);
      data.memory = m;
      parts.push(memoryTable(m));
    } else if (s === "ingest") {
      const i = await ingest({ durationSec: o.duration ?? INGEST_DEFAULTS.durationSec, log });
      data.ingest = i;
      parts.push(ingestTable(i));
    } else if (s === "replay") {
      const r = await runReplayBench({ log });
      data.replay = r;
      parts.push(replayTable(r));
    } else if (s === "query") {
      const q = await runQueryBench({ log });
      data.query = q;
      parts.push(queryTable(q));
    } else if (s === "readapi") {
      const r = await runReadApiBench({ durationSec: o.duration, log });
      data.readapi = r;
      parts.push(readApiTable(r));
    } else if (s === "start") {
      const st = await runStartBench({ log });
      data.start = st;
      parts.push(startTable(st));
    } else if (s === "agent") {
      const a = await runAgentCostBench({ seconds: o.duration ? Math.max(o.duration, 10) : undefined, log });
      data.agent = a;
      parts.push(agentCostTable(a));
    } else if (s === "live") {
      const l = await runLiveBench({ durationSec: o.duration, log });
      data.live = l;
      parts.push(liveTable(l));
    } else {
      const f = await runFleetBench({ log });
      data.fleet = f;
      parts.push(fleetTable(f));
    }
  }
  const header = [
    "## Loadline benchmarks",
    "",
    `${new Date().toISOString()} — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `Linux ${os.release()}; ${versions()}; open files limit ${process.env.BENCH_NOFILE ?? "?"}.`,
    "",
    `Cores busy in the second before each section (another process's load skews figures): ${busy.join("; ")}.`,
    "",
  ].join("\n");
  const md = header + "\n" + parts.join("\n\n") + "\n";
  process.stdout.write(md);
  writeFileSync(join(RESULTS, "latest.md"), md);
  writeFileSync(join(RESULTS, "latest.json"), JSON.stringify({ options: o, ...data }, null, 2) + "\n");
  log("written to bench/results/latest.md, raw outputs in bench/results/raw/");
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`harness error: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
