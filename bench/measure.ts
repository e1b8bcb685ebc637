// What the throughput, accuracy and memory sections share: where things are, which core runs
// what, and measure(), which runs a generator on the load core, keeps its raw output and parses it.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startInterference } from "./lib/cpu.ts";
import { type RunOutcome, run } from "./lib/proc.ts";
import { processTree } from "./lib/rss.ts";
import type { Outcome } from "./report.ts";
import { LOCAL_RUN, type LoadlineOptions, loadlineCommand, parseLoadline } from "./tools/loadline.ts";
import type { Command, ToolResult } from "./tools/types.ts";

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH, "..");
export const RESULTS = join(BENCH, "results");
export const RAW = join(RESULTS, "raw");
export const TARGET_CPU = 0;
export const LOAD_CPU = 1;

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export function onPath(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A target's JSON (its /__stats, /__reset), within 5 s. */
export async function getJson(url: string): Promise<any> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return r.json();
}

function tail(text: string, n = 240): string {
  const t = text.trim().split("\n").filter(Boolean).slice(-3).join(" / ");
  return t.length > n ? "…" + t.slice(-n) : t;
}

/** Runs a generator on the load core, keeps its raw output, and parses it; never throws. */
export async function measure(
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

export type MeasureOptions = {
  sampleRss?: boolean;
  graceSec?: number;
  combineStderr?: boolean;
  /** The target's (root) pid, whose CPU is ours and not interference. */
  targetPid?: number;
};

/** Interference worth a note in the table, in % of one core. */
const OTHERS_NOTE_PCT = 5;

export function loadlineAvailable(): string | undefined {
  return existsSync(resolve(ROOT, LOCAL_RUN)) ? undefined : `${LOCAL_RUN} not found`;
}

export async function loadline(label: string, o: LoadlineOptions, extra: MeasureOptions = {}) {
  const missing = loadlineAvailable();
  if (missing) return { outcome: { ok: false, reason: missing } as Outcome };
  return measure(label, loadlineCommand(o, ROOT), parseLoadline, o.durationSec, extra);
}
