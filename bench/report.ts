// Turns measured results into the three markdown tables. Pure: no I/O, so it is tested directly.
import { fmt, markdownTable } from "./lib/table.ts";
import type { ToolResult } from "./tools/types.ts";

export type Outcome = { ok: true; result: ToolResult; note?: string } | { ok: false; reason: string };

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

function reason(o: Outcome): string {
  return o.ok ? "" : `not available: ${o.reason}`;
}

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

export type IngestBusy = {
  /** Event-loop utilisation of the thread running the projection (this process's main thread), %. */
  mainThreadPct: number;
  /** The same for the synthetic publisher's thread. */
  publisherThreadPct: number;
  /** The whole harness process (both threads, GC, I/O), % of one core. */
  processPct: number;
  postgresPct: number;
  natsPct: number;
  /** Everything else on the machine, % of one core. */
  othersPct: number;
  /**
   * CPU per applied window, ms: of the system under test (this process less the publisher's
   * thread) and of Postgres. It moves with the machine's own speed too (0.99 to 1.34 ms for
   * the same code here), but says where the cost sits whatever the rate.
   */
  perWindowMs: { underTest: number; postgres: number };
};

export type IngestResult = {
  published: number;
  publishFailures: number;
  publishedPerSec: number;
  applied: number;
  appliedPerSec: number;
  /** Applied until the last PubAck, per second of publishing: what the consumer keeps up with live. */
  appliedWhilePublishingPerSec?: number;
  /** Applied after the last PubAck, per second until the last commit: how fast it works a backlog off (undefined when nothing was left). */
  appliedWhileDrainingPerSec?: number;
  requestRowsPerSec: number;
  /** From each window's PubAck to the first commit covering it; `censoredFromMs` marks lower bounds (windows never applied). */
  lag: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; censoredFromMs?: number; steadyP99Ms?: number };
  /** Times the committed position advanced (transactions): applied / commits is the mean batch. */
  commits: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** Per-second peaks of stream last seq − committed position while publishing, and their trend over the second half. */
  backlog: { peaks: number[]; at10s?: number; mid?: number; end?: number; slopePerSec: number; thresholdPerSec: number; grows: boolean };
  /** From the last PubAck to the last commit; undefined when not drained within the limit. */
  drainMs?: number;
  leftAtEnd: number;
  busy: IngestBusy;
  publisher: { meanWindowBytes: number; burstMsMean: number; burstMsMax: number; tickLateMsMax: number };
  note?: string;
};

export type IngestOutcome = { ok: true; result: IngestResult } | { ok: false; reason: string };

export type IngestData = {
  workers: number;
  requestsPerWindow: number;
  durationSec: number;
  drainLimitSec: number;
  rows: { system: string; outcome: IngestOutcome }[];
};

export const INGEST_GOALS = { lagP99MaxMs: 2000 };

/** PASS when lag p99 < 2 s, the backlog does not grow and everything got applied; MISS with the reasons otherwise. */
export function ingestVerdict(r: IngestResult): string {
  const why: string[] = [];
  if (!(r.lag.p99Ms < INGEST_GOALS.lagP99MaxMs)) why.push(`p99 ${secs(r.lag.p99Ms, r.lag.censoredFromMs)} s`);
  if (r.backlog.grows) why.push("backlog grows");
  if (r.leftAtEnd > 0) why.push(`${fmt(r.leftAtEnd, 0)} never applied`);
  return why.length === 0 ? "PASS" : `MISS (${why.join(", ")})`;
}

/** Seconds with 2 decimals; "≥" when the value is a lower bound (it counts windows never applied). */
function secs(valueMs: number, censoredFromMs?: number): string {
  const s = fmt(valueMs / 1000, 2);
  return censoredFromMs !== undefined && valueMs >= censoredFromMs && s !== "—" ? `≥ ${s}` : s;
}

export function backlogTrendText(b: IngestResult["backlog"]): string {
  return `${b.grows ? "grows" : "flat"} (${b.slopePerSec >= 0 ? "+" : ""}${fmt(b.slopePerSec, 0)}/s)`;
}

export function ingestTable(d: IngestData): string {
  const header = [
    "system",
    "windows/s published",
    "windows/s applied",
    "applied/s publishing / draining",
    "request rows/s",
    "lag p50 s",
    "lag p90 s",
    "lag p99 s",
    "lag max s",
    "lag p99 s after the first 10 s",
    "backlog peak at 10 s / mid / end",
    "backlog trend",
    "drained after",
    "goal",
    "notes",
  ];
  const rows = d.rows.map(({ system, outcome: o }) => {
    if (!o.ok) return [system, "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "NOT MEASURED", reason(o)];
    const r = o.result;
    const c = r.lag.censoredFromMs;
    const b = r.backlog;
    return [
      system,
      fmt(r.publishedPerSec, 0),
      fmt(r.appliedPerSec, 0),
      `${fmt(r.appliedWhilePublishingPerSec, 0)} / ${fmt(r.appliedWhileDrainingPerSec, 0)}`,
      fmt(r.requestRowsPerSec, 0),
      secs(r.lag.p50Ms, c),
      secs(r.lag.p90Ms, c),
      secs(r.lag.p99Ms, c),
      secs(r.lag.maxMs, c),
      r.lag.steadyP99Ms !== undefined ? secs(r.lag.steadyP99Ms, c) : "—",
      [b.at10s, b.mid, b.end].map((v) => fmt(v, 0)).join(" / "),
      backlogTrendText(b),
      r.drainMs !== undefined ? `${fmt(r.drainMs / 1000, 2)} s` : `not in ${d.drainLimitSec} s (${fmt(r.leftAtEnd, 0)} left)`,
      ingestVerdict(r),
      [
        `${fmt(r.commits, 0)} commits, ${fmt(r.commits > 0 ? r.applied / r.commits : undefined, 1)} windows each`,
        `PubAck p99 ${fmt(r.ackP99Ms, 0)} ms`,
        r.note,
      ]
        .filter(Boolean)
        .join("; "),
    ];
  });
  const busyRows = d.rows.flatMap(({ system, outcome: o }) => {
    if (!o.ok) return [];
    const { busy: b, publisher: p } = o.result;
    return [
      [
        system,
        `${b.mainThreadPct}%`,
        `${b.publisherThreadPct}%`,
        `${b.processPct}%`,
        `${b.postgresPct}%`,
        `${b.natsPct}%`,
        `${b.othersPct}%`,
        `${fmt(b.perWindowMs.underTest, 2)} / ${fmt(b.perWindowMs.postgres, 2)}`,
        fmt(p.meanWindowBytes / 1024, 1),
        `${fmt(p.burstMsMean, 0)} / ${fmt(p.burstMsMax, 0)}`,
      ],
    ];
  });
  const projection = d.rows.find((r) => r.system.startsWith("Loadline"))?.outcome;
  const projectionGoal = projection?.ok ? `Loadline projection: ${ingestVerdict(projection.result)}` : "NOT MEASURED";
  const parts = [
    `### 4. Ingest — ${fmt(d.workers, 0)} synthetic workers × ${d.requestsPerWindow} request names, one window a second each, ${d.durationSec} s per system`,
    "",
    markdownTable(
      header,
      rows,
      header.map((_, i) => i >= 1 && i <= 9),
    ),
    "",
    `Goal: projection lag p99 < ${fmt(INGEST_GOALS.lagP99MaxMs / 1000, 0)} s with a backlog that does not grow — ${projectionGoal}` +
      `. Lag runs from each window's PubAck to the first moment the committed position covers it; the backlog is the stream's last ` +
      `sequence less that position, its peak in each second; it "grows" when the peaks' slope over the second half of the publishing ` +
      `exceeds 2% of the offered windows/s. "applied/s publishing / draining" splits the applied rate at the last PubAck: what ` +
      `the consumer keeps up with live, and how fast it then works the backlog off. The publisher sends each second's windows ` +
      `in one burst at the whole second. "After the first 10 s" leaves out the start, when a fresh process (cold JIT, new ` +
      `tables) builds a backlog it then works off: informative, the goal counts every window.`,
  ];
  if (busyRows.length > 0) {
    parts.push(
      "",
      "Where the time goes, from the first burst until drained (thread busy = event-loop utilisation; processes in % of one core, 2 cores = 200%; " +
        "CPU per applied window of what is measured, this process less the publisher's thread, and of Postgres):",
      "",
      markdownTable(
        [
          "system",
          "projection thread busy",
          "publisher thread busy",
          "harness process CPU",
          "postgres CPU",
          "nats-server CPU",
          "others CPU",
          "CPU ms per window: under test / postgres",
          "window KiB",
          "burst build ms mean / max",
        ],
        busyRows,
        [false, true, true, true, true, true, true, true, true, true],
      ),
    );
  }
  return parts.join("\n") + "\n";
}
