// The ingest section's table and verdict, from what read-side/ingest.ts measured. Pure, as report.ts.
import { fmt, markdownTable } from "./lib/table.ts";
import { reason } from "./report-outcome.ts";

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
