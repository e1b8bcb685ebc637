// Turns measured results into the three markdown tables. Pure: no I/O, so it is tested directly.
// The ingest section's table is report-ingest.ts, exported from here too.
import { fmt, markdownTable } from "./lib/table.ts";
import { type Outcome, reason } from "./report-outcome.ts";
import type { ToolResult } from "./tools/types.ts";

export {
  backlogTrendText,
  INGEST_GOALS,
  type IngestBusy,
  type IngestData,
  type IngestOutcome,
  type IngestResult,
  ingestTable,
  ingestVerdict,
} from "./report-ingest.ts";
export type { Outcome } from "./report-outcome.ts";

export type ThroughputData = {
  durationSec: number;
  connections: number;
  rows: { tool: string; outcome: Outcome }[];
};

export type AccuracyData = {
  fixed?: { rate: number; delayMs: number; durationSec: number; outcome: Outcome };
  stall?: {
    rate: number;
    durationSec: number;
    periodMs: number;
    stallMs: number;
    loadline: Outcome;
    loadlineStalls?: number;
    wrk: Outcome;
    wrkStalls?: number;
    /** Extra contrast: a closed-loop generator that does not correct at all. */
    autocannon?: Outcome;
    autocannonStalls?: number;
  };
};

export type MemoryData = {
  vus: number;
  delayMs: number;
  durationSec: number;
  outcome: Outcome;
  peakRssMb?: number;
  serverPeakConnections?: number;
};

export const GOALS = {
  throughputVsAutocannon: 1.0,
  fixedLatencyToleranceMs: 1,
  stallP99MinMs: 500,
  memoryMaxMb: 300,
};

export const ms = (v: number | undefined) => fmt(v, 2);
const ratio = (a: number, b: number | undefined) => (b && b > 0 ? `${fmt(a / b, 2)}×` : "—");

export function throughputGoal(loadlineRps: number | undefined, autocannonRps: number | undefined): string {
  if (loadlineRps === undefined) return "not measured (Loadline row not available)";
  if (autocannonRps === undefined) return "not measured (autocannon row not available)";
  const r = loadlineRps / autocannonRps;
  return `${r >= GOALS.throughputVsAutocannon ? "MET" : "MISSED"} (${fmt(r, 2)}× autocannon)`;
}

export function throughputTable(d: ThroughputData): string {
  const rpsOf = (tool: string) => {
    const o = d.rows.find((r) => r.tool === tool)?.outcome;
    return o?.ok ? o.result.rps : undefined;
  };
  const ac = rpsOf("autocannon");
  const wrk = rpsOf("wrk");
  const rows = d.rows.map(({ tool, outcome: o }) =>
    o.ok
      ? [
          tool,
          fmt(o.result.rps, 0),
          ms(o.result.p50Ms),
          ms(o.result.p99Ms),
          ratio(o.result.rps, ac),
          ratio(o.result.rps, wrk),
          fmt(o.result.requests, 0),
          fmt(o.result.failures, 0),
          o.note ?? "",
        ]
      : [tool, "—", "—", "—", "—", "—", "—", "—", reason(o)],
  );
  const table = markdownTable(
    ["generator", "requests/s", "p50 ms", "p99 ms", "vs autocannon", "vs wrk", "requests", "errors", "notes"],
    rows,
    [false, true, true, true, true, true, true, true, false],
  );
  return [
    `### 1. Throughput — nginx (1 worker, core 0), each generator on core 1, ${d.connections} connections, ${d.durationSec} s`,
    "",
    table,
    "",
    `Goal: Loadline ≥ ${fmt(GOALS.throughputVsAutocannon, 1)}× autocannon — ${throughputGoal(rpsOf("loadline"), ac)}`,
  ].join("\n");
}

export function fixedVerdict(p50Ms: number, delayMs: number): string {
  return Math.abs(p50Ms - delayMs) <= GOALS.fixedLatencyToleranceMs ? "PASS" : "FAIL";
}

export function stallVerdict(p99Ms: number, stalls: number | undefined): string {
  if (stalls === 0) return "n/a (no stall during the run)";
  return p99Ms >= GOALS.stallP99MinMs ? "PASS" : "FAIL";
}

export function accuracyTable(d: AccuracyData): string {
  const header = ["check", "generator", "model", "requests/s", "p50 ms", "p99 ms", "max ms", "dropped", "goal", "verdict", "notes"];
  const rows: string[][] = [];
  const line = (check: string, tool: string, model: string, o: Outcome, goal: string, verdict: (r: ToolResult) => string, note = "") =>
    rows.push(
      o.ok
        ? [
            check,
            tool,
            model,
            fmt(o.result.rps, 0),
            ms(o.result.p50Ms),
            ms(o.result.p99Ms),
            ms(o.result.maxMs),
            o.result.extra?.droppedIterations === undefined ? "—" : fmt(o.result.extra.droppedIterations, 0),
            goal,
            verdict(o.result),
            [note, o.note].filter(Boolean).join("; "),
          ]
        : [check, tool, model, "—", "—", "—", "—", "—", goal, "NOT MEASURED", reason(o)],
    );
  if (d.fixed) {
    const f = d.fixed;
    line(
      `(a) fixed ${f.delayMs} ms latency`,
      "loadline",
      `open, ${fmt(f.rate, 0)} req/s, ${f.durationSec} s`,
      f.outcome,
      `p50 within ${f.delayMs} ± ${GOALS.fixedLatencyToleranceMs} ms`,
      (r) => `${fixedVerdict(r.p50Ms, f.delayMs)} (p50 ${ms(r.p50Ms)} ms)`,
      f.outcome.ok ? `achieved ${fmt((100 * f.outcome.result.rps) / f.rate, 0)}% of the rate` : "",
    );
  }
  if (d.stall) {
    const s = d.stall;
    const check = `(b) ${s.stallMs / 1000} s stall every ${s.periodMs / 1000} s`;
    line(
      check,
      "loadline",
      `open, ${fmt(s.rate, 0)} req/s, ${s.durationSec} s`,
      s.loadline,
      `p99 ≥ ${GOALS.stallP99MinMs} ms`,
      (r) => `${stallVerdict(r.p99Ms, s.loadlineStalls)} (p99 ${ms(r.p99Ms)} ms)`,
      s.loadlineStalls === undefined ? "" : `${s.loadlineStalls} stalls hit`,
    );
    const hit = (n: number | undefined) => (n === undefined ? [] : [`${n} stalls hit`]);
    line(
      check,
      "wrk",
      `closed, 64 connections, ${s.durationSec} s`,
      s.wrk,
      "contrast (no goal)",
      () => "—",
      [...hit(s.wrkStalls), "wrk 4 rescales its histogram after the run (stats_correct), which partly corrects coordinated omission"].join(
        "; ",
      ),
    );
    if (s.autocannon)
      line(
        check,
        "autocannon",
        `closed, 64 connections, ${s.durationSec} s`,
        s.autocannon,
        "contrast (no goal)",
        () => "—",
        [...hit(s.autocannonStalls), "no correction: a stalled connection is one sample"].join("; "),
      );
  }
  const numeric = header.map((_, i) => i >= 3 && i <= 7);
  return ["### 2. Accuracy — targets on core 0, generators on core 1", "", markdownTable(header, rows, numeric), ""].join("\n");
}

export function memoryVerdict(peakMb: number): string {
  return peakMb < GOALS.memoryMaxMb ? "PASS" : "FAIL";
}

export function memoryTable(d: MemoryData): string {
  const o = d.outcome;
  const row = o.ok
    ? [
        fmt(d.vus, 0),
        `${d.delayMs / 1000} s`,
        `${d.durationSec} s`,
        fmt(d.peakRssMb, 0),
        fmt(o.result.extra?.rssMb, 0),
        fmt(d.serverPeakConnections, 0),
        fmt(o.result.requests, 0),
        fmt(o.result.failures, 0),
        `< ${GOALS.memoryMaxMb} MB`,
        d.peakRssMb === undefined ? "NOT MEASURED (no RSS sample)" : memoryVerdict(d.peakRssMb),
        o.note ?? "",
      ]
    : [
        fmt(d.vus, 0),
        `${d.delayMs / 1000} s`,
        `${d.durationSec} s`,
        "—",
        "—",
        fmt(d.serverPeakConnections, 0),
        "—",
        "—",
        `< ${GOALS.memoryMaxMb} MB`,
        "NOT MEASURED",
        reason(o),
      ];
  return [
    "### 3. Memory — Loadline worker (core 1) holding VUs on a slow target (core 0)",
    "",
    markdownTable(
      [
        "VUs",
        "response after",
        "duration",
        "peak RSS MB (sampled)",
        "rssMb (reported)",
        "target's peak connections",
        "requests",
        "errors",
        "goal",
        "verdict",
        "notes",
      ],
      [row],
      [true, false, false, true, true, true, true, true, false, false, false],
    ),
    "",
  ].join("\n");
}
