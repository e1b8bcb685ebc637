// The benchmark harness: runs the selected sections in turns and prints the tables.
// run.sh starts nginx and passes its URL; everything else (targets, generators) starts here.
// Usage: node --import tsx bench/main.ts [--only throughput|accuracy|memory|ingest|replay|query|fleet] [--duration S] [--nginx-url URL]
// Without --duration, each section uses its own default: 10 s, and 60 s for ingest.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "@loadline/core";
import { fleetTable, runFleetBench } from "./fleet/fleet.ts";
import { coreBusy, startInterference } from "./lib/cpu.ts";
import { type RunOutcome, run, startTarget } from "./lib/proc.ts";
import { processTree } from "./lib/rss.ts";
import { INGEST_DEFAULTS, ingest } from "./read-side/ingest.ts";
import { queryTable, runQueryBench } from "./read-side/query.ts";
import { runReplayBench } from "./read-side/replay.ts";
import { replayTable } from "./read-side/replay-table.ts";
import {
  type AccuracyData,
  accuracyTable,
  ingestTable,
  type MemoryData,
  memoryTable,
  type Outcome,
  type ThroughputData,
  throughputTable,
} from "./report.ts";
import { autocannonCommand, parseAutocannon } from "./tools/autocannon.ts";
import { heyCommand, parseHey } from "./tools/hey.ts";
import { LOCAL_RUN, type LoadlineOptions, loadlineCommand, parseLoadline } from "./tools/loadline.ts";
import { locustCommand, parseLocust } from "./tools/locust.ts";
import type { Command, LoadOptions, ToolResult } from "./tools/types.ts";
import { parseWrk, wrkCommand } from "./tools/wrk.ts";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const RESULTS = join(BENCH, "results");
const RAW = join(RESULTS, "raw");
const TARGET_CPU = 0;
const LOAD_CPU = 1;

type Section = "throughput" | "accuracy" | "memory" | "ingest" | "replay" | "query" | "fleet";
const SECTIONS: Section[] = ["throughput", "accuracy", "memory", "ingest", "replay", "query", "fleet"];
/** Seconds per run when --duration is not given. */
const DEFAULT_DURATION = 10;

function parseArgs(argv: string[]) {
  const o = { only: [...SECTIONS] as Section[], duration: undefined as number | undefined, nginxUrl: process.env.BENCH_NGINX_URL ?? "" };
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
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function onPath(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function tail(text: string, n = 240): string {
  const t = text.trim().split("\n").filter(Boolean).slice(-3).join(" / ");
  return t.length > n ? "…" + t.slice(-n) : t;
}

/** Runs a generator on the load core, keeps its raw output, and parses it; never throws. */
async function measure(
  label: string,
  command: Command,
  parse: (out: string) => ToolResult,
  durationSec: number,
  opts: MeasureOptions = {},
): Promise<{ outcome: Outcome; raw?: RunOutcome }> {
  log(`${label}: ${command.cmd.replace(ROOT + "/", "")} ${command.args.join(" ")}`);
  const interference = startInterference(() => (opts.targetPid ? processTree(opts.targetPid) : []));
  const raw = await run({
    ...command,
    cpu: LOAD_CPU,
    sampleRss: opts.sampleRss,
    timeoutMs: (durationSec + (opts.graceSec ?? 60)) * 1000,
  });
  const othersPct = interference.stop();
  writeFileSync(
    join(RAW, `${label}.txt`),
    `$ ${command.cmd} ${command.args.join(" ")}\n# exit ${raw.code} signal ${raw.signal} timedOut ${raw.timedOut} wall ${Math.round(raw.wallMs)} ms` +
      `${raw.peakRssMb === undefined ? "" : ` peakRssMb ${raw.peakRssMb.toFixed(1)}`}\n--- stdout\n${raw.stdout}\n--- stderr\n${raw.stderr}\n`,
  );
  if (raw.spawnError) return { outcome: { ok: false, reason: `could not start: ${raw.spawnError}` }, raw };
  try {
    const result = parse(opts.combineStderr ? raw.stdout + "\n" + raw.stderr : raw.stdout);
    const notes: string[] = [];
    if (othersPct >= OTHERS_NOTE_PCT) notes.push(`other processes used ${othersPct}% of a core meanwhile`);
    if (raw.timedOut) notes.push("killed at its time limit");
    else if (raw.code !== 0) notes.push(`exit code ${raw.code}`);
    log(`${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; others ${othersPct}% of a core`);
    return { outcome: { ok: true, result, note: notes.join("; ") || undefined }, raw };
  } catch (e) {
    const why = raw.timedOut ? "timed out" : `exit ${raw.code ?? raw.signal}`;
    log(`${label}: FAILED ${(e as Error).message}`);
    return {
      outcome: {
        ok: false,
        reason: `${why}, ${(e as Error).message}; ${tail(raw.stderr || raw.stdout)} (see bench/results/raw/${label}.txt)`,
      },
      raw,
    };
  }
}

type MeasureOptions = {
  sampleRss?: boolean;
  graceSec?: number;
  combineStderr?: boolean;
  /** The target's (root) pid, whose CPU is ours and not interference. */
  targetPid?: number;
};

/** Interference worth a note in the table, in % of one core. */
const OTHERS_NOTE_PCT = 5;

function loadlineAvailable(): string | undefined {
  return existsSync(resolve(ROOT, LOCAL_RUN)) ? undefined : `${LOCAL_RUN} not found`;
}

async function loadline(label: string, o: LoadlineOptions, extra: MeasureOptions = {}) {
  const missing = loadlineAvailable();
  if (missing) return { outcome: { ok: false, reason: missing } as Outcome };
  return measure(label, loadlineCommand(o, ROOT), parseLoadline, o.durationSec, extra);
}

async function getJson(url: string): Promise<any> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return r.json();
}

async function throughput(nginxUrl: string, durationSec: number): Promise<ThroughputData> {
  const d: ThroughputData = { durationSec, connections: 64, rows: [] };
  const o: LoadOptions = { url: nginxUrl, connections: 64, durationSec };
  const nginx = { targetPid: Number(process.env.BENCH_NGINX_PID) || undefined };
  let nginxError: string | undefined;
  if (!nginxUrl) nginxError = "no nginx URL (run through bench/run.sh)";
  else {
    try {
      const r = await fetch(nginxUrl, { signal: AbortSignal.timeout(3000) });
      if ((await r.text()) !== "ok") nginxError = `nginx at ${nginxUrl} did not answer "ok"`;
    } catch (e) {
      nginxError = `nginx at ${nginxUrl}: ${(e as Error).message}`;
    }
  }
  const tools: { tool: string; available: () => string | undefined; go: () => Promise<{ outcome: Outcome }> }[] = [
    { tool: "loadline", available: loadlineAvailable, go: () => loadline("throughput-loadline", { ...o, threads: 1 }, nginx) },
    {
      tool: "autocannon",
      available: () => (existsSync(join(ROOT, "node_modules/.bin/autocannon")) ? undefined : "node_modules/.bin/autocannon not installed"),
      go: () => measure("throughput-autocannon", autocannonCommand(o, ROOT), parseAutocannon, durationSec, nginx),
    },
    {
      tool: "wrk",
      available: () => (onPath("wrk") ? undefined : "wrk not installed"),
      go: () => measure("throughput-wrk", wrkCommand(o), parseWrk, durationSec, nginx),
    },
    {
      tool: "hey",
      available: () => (onPath("hey") ? undefined : "hey not installed"),
      go: () => measure("throughput-hey", heyCommand(o), parseHey, durationSec, nginx),
    },
    {
      tool: "locust (FastHttpUser, 1 process)",
      available: () => (onPath("locust") ? undefined : "locust not installed"),
      go: () =>
        measure("throughput-locust", locustCommand(o, join(BENCH, "locustfile.py")), parseLocust, durationSec, {
          ...nginx,
          combineStderr: true,
        }),
    },
  ];
  for (const t of tools) {
    const missing = nginxError ?? t.available();
    if (missing) {
      d.rows.push({ tool: t.tool, outcome: { ok: false, reason: missing } });
      continue;
    }
    d.rows.push({ tool: t.tool, outcome: (await t.go()).outcome });
    await sleep(1000);
  }
  return d;
}

async function accuracy(durationSec: number): Promise<AccuracyData> {
  const d: AccuracyData = {};
  // (a) fixed 20 ms latency at 2,000 requests/s, open model.
  const delay = await startTarget(join(BENCH, "targets/delay-server.mjs"), ["--delay-ms", "20"], TARGET_CPU, durationSec + 180);
  try {
    const rate = 2000;
    const r = await loadline(
      "accuracy-fixed-loadline",
      { url: delay.url, connections: 100, rate, maxVus: 400, durationSec },
      { targetPid: delay.pid },
    );
    d.fixed = { rate, delayMs: 20, durationSec, outcome: r.outcome };
  } finally {
    await delay.stop();
  }
  await sleep(1000);
  // (b) 1 s stall every 5 s: open-model Loadline against closed-loop wrk, same target and duration.
  const stallSec = Math.max(durationSec + 2, 6);
  const stall = await startTarget(
    join(BENCH, "targets/stall-server.mjs"),
    ["--period-ms", "5000", "--stall-ms", "1000"],
    TARGET_CPU,
    2 * stallSec + 300,
  );
  try {
    const rate = 1000;
    await getJson(stall.url + "__reset");
    const l = await loadline(
      "accuracy-stall-loadline",
      { url: stall.url, connections: 100, rate, maxVus: 2000, durationSec: stallSec },
      { targetPid: stall.pid },
    );
    const lStats = await getJson(stall.url + "__stats");
    await sleep(1000);
    let w: { outcome: Outcome };
    let wStats: any;
    if (!onPath("wrk")) w = { outcome: { ok: false, reason: "wrk not installed" } };
    else {
      await getJson(stall.url + "__reset");
      w = await measure("accuracy-stall-wrk", wrkCommand({ url: stall.url, connections: 64, durationSec: stallSec }), parseWrk, stallSec, {
        targetPid: stall.pid,
      });
      wStats = await getJson(stall.url + "__stats");
    }
    await sleep(1000);
    await getJson(stall.url + "__reset");
    const ac = await measure(
      "accuracy-stall-autocannon",
      autocannonCommand({ url: stall.url, connections: 64, durationSec: stallSec }, ROOT),
      parseAutocannon,
      stallSec,
      { targetPid: stall.pid },
    );
    const acStats = await getJson(stall.url + "__stats");
    d.stall = {
      rate,
      durationSec: stallSec,
      periodMs: 5000,
      stallMs: 1000,
      loadline: l.outcome,
      loadlineStalls: lStats?.stalls,
      wrk: w.outcome,
      wrkStalls: wStats?.stalls,
      autocannon: ac.outcome,
      autocannonStalls: acStats?.stalls,
    };
  } finally {
    await stall.stop();
  }
  return d;
}

async function memory(durationSec: number): Promise<MemoryData> {
  const vus = 10_000;
  const delayMs = 5000;
  const dur = Math.max(durationSec, 6);
  const slow = await startTarget(join(BENCH, "targets/slow-server.mjs"), ["--delay-ms", String(delayMs)], TARGET_CPU, dur + 300);
  try {
    const r = await loadline(
      "memory-loadline",
      { url: slow.url, connections: vus, durationSec: dur },
      { sampleRss: true, graceSec: 120, targetPid: slow.pid },
    );
    const stats = await getJson(slow.url + "__stats").catch(() => undefined);
    return { vus, delayMs, durationSec: dur, outcome: r.outcome, peakRssMb: r.raw?.peakRssMb, serverPeakConnections: stats?.peakOpen };
  } finally {
    await slow.stop();
  }
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
  return `node ${process.version}, nginx ${deb("nginx")}, wrk ${deb("wrk")}, hey ${deb("hey")}, locust ${deb("python3-locust")}, autocannon ${ac}`;
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
    } else if (s === "accuracy") {
      const a = await accuracy(duration);
      data.accuracy = a;
      parts.push(accuracyTable(a));
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
