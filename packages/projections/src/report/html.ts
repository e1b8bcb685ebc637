import {
  COMPARED_METRICS,
  type ComparedMetric,
  type MetricComparison,
  type RunComparisonView,
  type RunCost,
  type RunReport,
} from "@loadline/core";
import type { RunActionView, SutSeries } from "../agent-views.ts";
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatElapsed,
  formatInstant,
  formatMs,
  formatObserved,
  formatPassRate,
  formatPercent,
  formatRate,
  escapeXml as x,
} from "./format.ts";
import type { ComparedRunReport } from "./report-data.ts";
import { type SutUnit, sutGroupsOf } from "./sut.ts";
import { byteStep, type ChartMark, legend, lineChart, type Series } from "./svg-charts.ts";

/**
 * The report as one self-contained HTML page: styles inline, charts as inline SVG drawn here, no
 * script, no font, no image to fetch: it opens offline, prints (the PDF is this page printed), and
 * shows the same on any browser.
 */

const COLORS = {
  rps: "#0284c7",
  p50: "#2563eb",
  p95: "#d97706",
  p99: "#dc2626",
  errors: "#dc2626",
  users: "#7c3aed",
  curve: "#0f766e",
};

const STYLE = `
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--soft:#f3f4f6;--bg:#f7f8fa;--card:#fff;--ok:#15803d;--ok-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#a16207;--warn-bg:#fef9c3;--none:#4b5563;--none-bg:#e5e7eb;--accent:#0f766e}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
.wrap{max-width:1180px;margin:0 auto;padding:0 24px}
header.top{background:#fff;border-bottom:1px solid var(--line)}
header.top .wrap{display:flex;align-items:flex-start;justify-content:space-between;gap:24px;padding-top:22px;padding-bottom:20px}
.brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:var(--accent);font-weight:600}
h1{font-size:24px;margin:4px 0 6px;font-weight:650;letter-spacing:-.01em}
.meta{color:var(--muted);font-size:13px;display:flex;flex-wrap:wrap;gap:4px 16px}
.meta b{color:var(--ink);font-weight:500}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.badges{display:flex;flex-direction:column;align-items:flex-end;gap:8px;flex:none}
.badge{display:inline-block;border-radius:999px;padding:6px 14px;font-weight:700;font-size:13px;letter-spacing:.06em;text-transform:uppercase}
.badge.big{font-size:16px;padding:9px 20px}
.passed{background:var(--ok-bg);color:var(--ok)}
.failed{background:var(--bad-bg);color:var(--bad)}
.none{background:var(--none-bg);color:var(--none)}
.pending{background:#e0f2fe;color:#075985}
.warn{background:var(--warn-bg);color:var(--warn)}
.pill{display:inline-block;border-radius:6px;padding:1px 7px;font-size:11.5px;font-weight:600}
main{padding:22px 0 8px}
section{margin:0 0 22px}
h2{font-size:16px;margin:0 0 10px;font-weight:650}
h2 small{font-weight:400;color:var(--muted);font-size:12.5px;margin-left:8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.kpis{display:grid;grid-template-columns:repeat(8,minmax(0,1fr));gap:12px}
@media (max-width:1100px){.kpis{grid-template-columns:repeat(4,minmax(0,1fr))}}
.kpi .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.kpi .value{font-size:22px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums;white-space:nowrap}
.kpi .value.long{font-size:18px;line-height:29px}
.kpi .sub{color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.kpi.bad .value{color:var(--bad)}
.grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
figure{margin:0}
.chart-card figcaption{display:flex;justify-content:space-between;align-items:baseline;gap:8px;margin-bottom:6px}
.chart-card figcaption b{font-weight:600}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
svg.chart .grid line{stroke:var(--line);stroke-width:1}
svg.chart .grid line.axis,svg.chart .grid line.tick{stroke:#9ca3af}
svg.chart text{fill:var(--muted);font-size:11px;font-family:inherit}
svg.chart text.empty{font-size:13px}
svg.chart text.mark-label{font-size:10px;font-weight:600;stroke:#fff;stroke-width:3px;stroke-linejoin:round;paint-order:stroke}
.legend{display:inline-flex;gap:12px;flex-wrap:wrap;color:var(--muted);font-size:12px}
.legend .key{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:12px;height:3px;border-radius:2px}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:baseline}
th{font-size:12px;color:var(--muted);font-weight:600;background:var(--soft);white-space:nowrap}
tbody tr:last-child td{border-bottom:0}
tfoot td{border-top:2px solid var(--line);border-bottom:0;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
td.name{overflow-wrap:anywhere;min-width:120px}
.table-card{padding:0;overflow:hidden}
.table-card table{margin:0}
.bad-text{color:var(--bad);font-weight:600}
.muted{color:var(--muted)}
.empty-note{color:var(--muted);padding:4px 0}
.bar{position:relative;height:8px;background:var(--soft);border-radius:4px;min-width:80px}
.bar>span{position:absolute;left:0;top:0;bottom:0;border-radius:4px;background:var(--accent)}
.bar.bad>span{background:var(--bad)}
.dist{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:14px}
pre.definition{margin:0;white-space:pre-wrap;word-break:break-word;max-height:none;background:#0f172a;color:#e2e8f0;border-radius:8px;padding:14px 16px;line-height:1.5}
pre.definition .secret{color:#fbbf24;font-weight:600}
.callout{margin-top:12px;border-radius:10px;padding:12px 16px;border:1px solid #fde68a;background:var(--warn-bg);color:#713f12}
.callout.bad{border-color:#fecaca;background:var(--bad-bg);color:#7f1d1d}
footer{color:var(--muted);font-size:12px;padding:10px 0 28px}
@media screen and (max-width:820px){.grid2,.dist{grid-template-columns:1fr}header.top .wrap{flex-direction:column}.badges{align-items:flex-start}}
@page{size:A4;margin:12mm}
@media print{body{background:#fff;font-size:12px}.wrap{max-width:none;padding:0}header.top{border:0}header.top .wrap{padding-top:0}.card,figure,tr{break-inside:avoid}section{break-inside:auto}h2{break-after:avoid}pre.definition{background:#f3f4f6;color:#111827}pre.definition .secret{color:#a16207}.kpis{grid-template-columns:repeat(4,1fr);gap:8px}.kpi .value{font-size:18px}.card{padding:10px 12px}.table-card{padding:0}svg.chart text{font-size:15px}th,td{padding:5px 6px}table{font-size:11px}code,pre,.mono{font-size:11px}.barcell{display:none}svg.chart text.empty{font-size:17px}svg.chart text.mark-label{font-size:12px}.grid2{gap:10px}h1{font-size:20px}section{margin-bottom:16px}}
`;

/** An axis label: 0.25, 2.5, 40, 1,500. */
const tick = (v: number): string => (v >= 1000 ? formatCount(v) : String(Number(v.toPrecision(3))));

const num = (text: string) => `<td class="num">${text}</td>`;
const th = (label: string, numeric = false) => `<th${numeric ? ' class="num"' : ""}>${x(label)}</th>`;

function card(title: string, body: string, note = "", id = ""): string {
  return `<section${id ? ` id="${id}"` : ""}><h2>${x(title)}${note ? `<small>${note}</small>` : ""}</h2>${body}</section>`;
}

function verdictBadge(verdict: RunReport["run"]["verdict"]): string {
  const label = verdict === "none" ? "No thresholds" : verdict === "pending" ? "Verdict pending" : verdict;
  return `<span class="badge big ${verdict}" data-verdict="${verdict}">${x(label)}</span>`;
}

function statusBadge(run: RunReport["run"]): string {
  const cls = run.status === "Completed" ? (run.degraded ? "warn" : "passed") : run.status === "Failed" ? "failed" : "none";
  const label = run.status === "Completed" && run.degraded ? "Completed · degraded" : run.status;
  return `<span class="badge ${cls}">${x(label)}</span>`;
}

function header(r: RunReport): string {
  const { run, test } = r;
  const ran = run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  const meta = [
    `Run <b class="mono">${x(run.id)}</b>`,
    `Started <b>${x(formatInstant(run.startedAt ?? run.createdAt))}</b>`,
    ran === null ? `Planned <b>${x(formatDuration(run.durationSec))}</b>` : `Ran <b>${x(formatDuration(ran))}</b>`,
    `Users <b>${x(formatCount(run.targetUsers))}</b>`,
    test ? `Target <b class="mono">${x(test.targetUrl)}</b>` : "",
    run.stopReason === "threshold"
      ? "<b>Stopped by a failing threshold</b>"
      : run.stopReason === "requested"
        ? "<b>Stopped on request</b>"
        : "",
  ].filter(Boolean);
  return `<header class="top"><div class="wrap"><div><div class="brand">Loadline · load test report</div><h1>${x(test?.name ?? `Run ${run.id}`)}</h1><div class="meta">${meta.map((m) => `<span>${m}</span>`).join("")}</div></div><div class="badges">${verdictBadge(run.verdict)}${statusBadge(run)}</div></div></header>`;
}

function kpis(r: RunReport): string {
  const s = r.summary;
  const peakUsers = r.timeseries.points.reduce((m, p) => Math.max(m, p.users), 0);
  const checks = r.checks.passed + r.checks.failed;
  const items: { label: string; value: string; sub: string; bad?: boolean }[] = [
    { label: "Requests", value: formatCount(s.requests), sub: `${formatCount(s.failures)} failed` },
    { label: "Throughput", value: `${formatRate(s.rps)}/s`, sub: `over ${formatDuration(s.seconds)}` },
    {
      label: "Error rate",
      value: formatPercent(s.errorRate),
      sub: `${formatCount(s.failures)} of ${formatCount(s.requests)}`,
      bad: s.failures > 0,
    },
    { label: "Latency p50", value: formatMs(s.latency.p50), sub: `mean ${formatMs(s.latency.mean)}` },
    { label: "Latency p95", value: formatMs(s.latency.p95), sub: `p90 ${formatMs(s.latency.p90)}` },
    { label: "Latency p99", value: formatMs(s.latency.p99), sub: `max ${formatMs(s.latency.max)}` },
    {
      label: "Checks",
      value: checks === 0 ? "—" : formatPassRate(r.checks.passed / checks),
      sub: checks === 0 ? "none declared" : `${formatCount(r.checks.failed)} of ${formatCount(checks)} failed`,
      bad: r.checks.failed > 0,
    },
    { label: "Peak users", value: formatCount(peakUsers), sub: `${formatCount(s.iterations)} iterations` },
  ];
  return `<section class="kpis">${items
    .map(
      (k) =>
        `<div class="card kpi${k.bad ? " bad" : ""}"><div class="label">${x(k.label)}</div><div class="value${k.value.length > 8 ? " long" : ""}">${x(k.value)}</div><div class="sub">${x(k.sub)}</div></div>`,
    )
    .join("")}</section>`;
}

function thresholds(r: RunReport): string {
  if (r.thresholds.length === 0)
    return card(
      "Thresholds",
      `<div class="card empty-note">${r.run.verdict === "pending" ? "The thresholds are not judged yet: the run has not ended, or its last windows are still being counted." : "This run has no thresholds: its verdict is “none”."}</div>`,
      "",
      "thresholds",
    );
  const rows = r.thresholds
    .map(
      (t) =>
        `<tr><td class="mono">${x(t.metric)}</td><td class="mono">${x(t.expression)}${t.over ? ` <span class="muted">over ${x(t.over)}</span>` : ""}${t.abortOnFail ? ' <span class="pill warn">abort on fail</span>' : ""}</td>${num(x(formatObserved(t.metric, t.expression, t.observed)))}<td class="num"><span class="pill ${t.passed ? "passed" : "failed"}">${t.passed ? "passed" : "failed"}</span></td></tr>`,
    )
    .join("");
  const failed = r.thresholds.filter((t) => !t.passed).length;
  return card(
    "Thresholds",
    `<div class="card table-card"><table><thead><tr>${th("Metric")}${th("Threshold")}${th("Observed", true)}${th("Result", true)}</tr></thead><tbody>${rows}</tbody></table></div>`,
    `${r.thresholds.length - failed} of ${r.thresholds.length} passed`,
    "thresholds",
  );
}

function chartCard(title: string, series: Series[], chart: string): string {
  return `<figure class="card chart-card"><figcaption><b>${x(title)}</b>${legend(series)}</figcaption>${chart}</figure>`;
}

/**
 * The clock of the "Over time" and SUT charts: seconds since the first point (the run's start
 * when there is none), over the points' span, widened to hold the SUT's seconds and the actions
 * when there are some; so that a SUT chart and an action line up with the latency above them.
 */
type TimeAxis = {
  /** Epoch ms of x = 0. */
  t0: number;
  xs: number[];
  domain: [number, number];
  /** Epoch ms of the run's start: what the SUT's seconds count from (null: it never started). */
  runStart: number | null;
  marks: ChartMark[];
};

/** An action's x: the second it started, or was asked when it never started. */
const actionX = (a: RunActionView, t0: number): number => Math.floor((Date.parse(a.startedAt ?? a.requestedAt) - t0) / 1000);

const OUTCOMES: Record<RunActionView["status"], { label: string; color: string }> = {
  requested: { label: "not started", color: "#6b7280" },
  started: { label: "running", color: "#0284c7" },
  completed: { label: "completed", color: "#15803d" },
  failed: { label: "failed", color: "#b91c1c" },
};

const actionLabel = (a: RunActionView): string => `${a.action} @${a.agentId}: ${OUTCOMES[a.status].label}`;

function timeAxis(r: ComparedRunReport): TimeAxis {
  const points = r.timeseries.points;
  const step = r.timeseries.stepSec;
  const runStart = r.run.startedAt ? Date.parse(r.run.startedAt) : null;
  const t0 = points.length > 0 ? Date.parse(points[0]!.time) : (runStart ?? 0);
  const xs = points.map((p) => (Date.parse(p.time) - t0) / 1000);
  let [lo, hi] = [0, Math.max(step, (xs[xs.length - 1] ?? 0) + step)];
  const marks = (r.actions ?? []).map((a) => ({ x: actionX(a, t0), label: actionLabel(a), color: OUTCOMES[a.status].color }));
  for (const m of marks) [lo, hi] = [Math.min(lo, m.x), Math.max(hi, m.x)];
  if (runStart !== null)
    for (const s of r.sut?.series ?? [])
      for (const [second] of s.points) {
        const v = sutX(second, runStart, t0);
        [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      }
  return { t0, xs, domain: [lo, hi], runStart, marks };
}

/** A SUT second (since the run's start) on the charts' clock. */
const sutX = (second: number, runStart: number, t0: number): number => (runStart + second * 1000 - t0) / 1000;

const CHART_SIZE = { width: 520, height: 210 };

function timeCharts(r: RunReport, axis: TimeAxis): string {
  const points = r.timeseries.points;
  const step = r.timeseries.stepSec;
  const withData = <T>(f: (p: (typeof points)[number]) => T) => points.map((p) => (p.requests > 0 ? f(p) : null));
  const common = { xs: axis.xs, xLabel: formatElapsed, xDomain: axis.domain, marks: axis.marks, ...CHART_SIZE };
  const rps: Series[] = [{ name: "requests/s", color: COLORS.rps, values: points.map((p) => p.rps), area: true }];
  const latency: Series[] = [
    { name: "p50", color: COLORS.p50, values: withData((p) => p.p50) },
    { name: "p95", color: COLORS.p95, values: withData((p) => p.p95) },
    { name: "p99", color: COLORS.p99, values: withData((p) => p.p99) },
  ];
  const errors: Series[] = [{ name: "error rate", color: COLORS.errors, values: withData((p) => p.errorRate * 100), area: true }];
  const users: Series[] = [{ name: "users", color: COLORS.users, values: points.map((p) => p.users), area: true }];
  const charts = [
    chartCard("Throughput", rps, lineChart({ ...common, id: "rps", title: "Requests per second", series: rps, yLabel: tick })),
    chartCard(
      "Latency",
      latency,
      lineChart({ ...common, id: "latency", title: "Latency percentiles (ms)", series: latency, yLabel: (v) => `${tick(v)} ms` }),
    ),
    chartCard("Errors", errors, lineChart({ ...common, id: "errors", title: "Error rate (%)", series: errors, yLabel: pct, yMinMax: 1 })),
    chartCard("Users", users, lineChart({ ...common, id: "users", title: "Active users", series: users, yLabel: tick })),
  ];
  const note = `${formatCount(points.length)} points, ${step} s each; time since the first`;
  return card("Over time", `<div class="grid2">${charts.join("")}</div>`, note, "charts");
}

const pct = (v: number) => `${tick(v)}%`;

const SUT_Y_LABELS: Record<SutUnit, (v: number) => string> = {
  percent: pct,
  bytes: formatBytes,
  perSec: (v) => `${formatBytes(v)}/s`,
  count: tick,
};

/** Colours of the SUT's lines, in turn. */
const SUT_PALETTE = ["#0284c7", "#d97706", "#7c3aed", "#15803d", "#db2777", "#0f766e", "#b91c1c", "#4b5563"];

/** One group's series on the charts' clock: a value per second any of them has, null where one lacks it (a gap, not a zero). */
function sutSeriesOnAxis(
  series: readonly SutSeries[],
  agents: number,
  axis: TimeAxis & { runStart: number },
): { xs: number[]; lines: Series[] } {
  const seconds = [...new Set(series.flatMap((s) => s.points.map(([sec]) => sec)))].sort((a, b) => a - b);
  const at = new Map(seconds.map((sec, i) => [sec, i]));
  const lines = series.map((s, i): Series => {
    const values: (number | null)[] = seconds.map(() => null);
    for (const [sec, v] of s.points) values[at.get(sec)!] = v;
    return { name: agents > 1 ? `${s.agentId} ${s.name}` : s.name, color: SUT_PALETTE[i % SUT_PALETTE.length]!, values };
  });
  return { xs: seconds.map((sec) => sutX(sec, axis.runStart, axis.t0)), lines };
}

/** The system under test, under the latency: a chart per group with data, on the same clock; nothing without SUT data. */
function sutSection(r: ComparedRunReport, axis: TimeAxis): string {
  const { runStart } = axis;
  if (!r.sut || runStart === null) return "";
  const groups = sutGroupsOf(r.sut.series);
  if (groups.length === 0) return "";
  const agents = r.sut.agents.length;
  const charts = groups.map(({ group, series }) => {
    const { xs, lines } = sutSeriesOnAxis(series, agents, { ...axis, runStart });
    const chart = lineChart({
      id: group.id,
      title: `System under test: ${group.title}`,
      xs,
      series: lines,
      xLabel: formatElapsed,
      yLabel: SUT_Y_LABELS[group.unit],
      ...(group.unit === "bytes" || group.unit === "perSec" ? { yStep: byteStep } : {}),
      xDomain: axis.domain,
      marks: axis.marks,
      yMinMax: 1,
      ...CHART_SIZE,
    });
    return chartCard(group.title, lines, chart);
  });
  const note = `${formatCount(agents)} agent${agents === 1 ? "" : "s"} (${r.sut.agents.join(", ")}), a point per second measured; on the clock of the charts above`;
  return card("System under test", `<div class="grid2">${charts.join("")}</div>`, x(note), "sut");
}

/** When an action's moment falls on the charts' clock: 0:12. */
const elapsedOf = (iso: string | null, t0: number): string => (iso ? formatElapsed((Date.parse(iso) - t0) / 1000) : "—");

/** The actions the run's timeline fired, with their outcomes; nothing when it fired none. */
function actionsSection(r: ComparedRunReport, axis: TimeAxis): string {
  const actions = r.actions ?? [];
  if (actions.length === 0) return "";
  const rows = actions
    .map((a) => {
      const outcome = OUTCOMES[a.status];
      const started = a.startedAt
        ? elapsedOf(a.startedAt, axis.t0)
        : `— <span class="muted">(asked at ${x(elapsedOf(a.requestedAt, axis.t0))})</span>`;
      const ended = a.endedAt
        ? `${x(elapsedOf(a.endedAt, axis.t0))}${a.durationMs === null ? "" : ` <span class="muted">(${x(formatMs(a.durationMs))})</span>`}`
        : "—";
      const result = a.reason ?? (a.exitCode === null ? "—" : `exit code ${a.exitCode}`);
      return `<tr><td class="mono">${x(a.action)}</td><td class="mono">${x(a.agentId)}</td><td><span class="pill" style="color:${outcome.color}">${x(outcome.label)}</span></td>${num(started)}${num(ended)}<td class="name">${x(result)}</td></tr>`;
    })
    .join("");
  return card(
    "Agent actions",
    `<div class="card table-card"><table><thead><tr>${th("Action")}${th("Agent")}${th("Outcome")}${th("Started", true)}${th("Ended", true)}${th("Exit code or reason")}</tr></thead><tbody>${rows}</tbody></table></div>`,
    "fired by the run's timeline; times on the clock of the charts above, where each is a dashed line",
    "actions",
  );
}

/** The percentile axis: 0, p50, p90, p99, p99.9... spread as "nines" (−log10 of what lies above), the maximum a little beyond. */
function ninesOf(p: number, last: number): number {
  if (p >= 100) return last + 0.5;
  return -Math.log10(1 - p / 100);
}

function distribution(r: RunReport): string {
  const { percentiles, requests } = r.latencyDistribution;
  const below100 = percentiles.filter((p) => p.percentile < 100);
  const last = below100.length > 0 ? ninesOf(below100[below100.length - 1]!.percentile, 0) : 4;
  const xs = percentiles.map((p) => ninesOf(p.percentile, last));
  const series: Series[] = [{ name: "latency", color: COLORS.curve, values: percentiles.map((p) => p.latencyMs), area: true }];
  const ticks = [
    { value: 0, label: "min" },
    { value: ninesOf(50, last), label: "p50" },
    { value: ninesOf(90, last), label: "p90" },
    { value: ninesOf(99, last), label: "p99" },
    { value: ninesOf(99.9, last), label: "p99.9" },
    { value: ninesOf(99.99, last), label: "p99.99" },
    { value: last + 0.5, label: "max" },
  ].filter((t) => t.value <= last + 0.5);
  const chart = lineChart({
    id: "distribution",
    title: "Latency by percentile (ms)",
    width: 700,
    height: 250,
    xs,
    series,
    xLabel: String,
    xTicks: ticks,
    xDomain: [0, last + 0.5],
    yLabel: (v) => `${tick(v)} ms`,
    markers: (i, v) => `${percentiles[i]!.percentile === 100 ? "max" : `p${percentiles[i]!.percentile}`}: ${formatMs(v)}`,
  });
  const shown = percentiles.filter((p) => [0, 50, 75, 90, 95, 99, 99.9, 99.99, 100].includes(p.percentile));
  const rows = shown
    .map(
      (p) =>
        `<tr><td>${p.percentile === 0 ? "min" : p.percentile === 100 ? "max" : `p${p.percentile}`}</td>${num(x(formatMs(p.latencyMs)))}</tr>`,
    )
    .join("");
  const table = `<div class="card table-card"><table><thead><tr>${th("Percentile")}${th("Latency", true)}</tr></thead><tbody>${rows}</tbody></table></div>`;
  return card(
    "Latency distribution",
    `<div class="dist">${chartCard("Latency by percentile", series, chart)}${table}</div>`,
    `${formatCount(requests)} requests, merged exactly from every worker's HDR histograms`,
    "distribution",
  );
}

function endpoints(r: RunReport): string {
  if (r.endpoints.length === 0) return card("Endpoints", `<div class="card empty-note">No requests were measured.</div>`, "", "endpoints");
  const maxP95 = Math.max(...r.endpoints.map((e) => e.latency.p95), 0.001);
  const head = `<tr>${th("Endpoint")}${th("Requests", true)}${th("Failed", true)}${th("Errors", true)}${th("req/s", true)}${th("p50", true)}${th("p90", true)}${th("p95", true)}${th("p99", true)}${th("Max", true)}${th("Mean", true)}<th class="barcell"></th></tr>`;
  const row = (name: string, method: string, e: RunReport["summary"] | RunReport["endpoints"][number], bar: boolean) =>
    `<tr>${method ? `<td class="name"><span class="pill none">${x(method)}</span> ${x(name)}</td>` : `<td>${x(name)}</td>`}${num(x(formatCount(e.requests)))}${num(x(formatCount(e.failures)))}<td class="num${e.failures > 0 ? " bad-text" : ""}">${x(formatPercent(e.errorRate))}</td>${num(x(formatRate(e.rps)))}${num(x(formatMs(e.latency.p50)))}${num(x(formatMs(e.latency.p90)))}${num(x(formatMs(e.latency.p95)))}${num(x(formatMs(e.latency.p99)))}${num(x(formatMs(e.latency.max)))}${num(x(formatMs(e.latency.mean)))}<td class="barcell">${bar ? `<div class="bar"><span style="width:${((e.latency.p95 / maxP95) * 100).toFixed(1)}%"></span></div>` : ""}</td></tr>`;
  const rows = r.endpoints.map((e) => row(e.name, e.method, e, true)).join("");
  const total = row("All requests", "", r.summary, false).replace(/^<tr>/, "<tr>");
  return card(
    "Endpoints",
    `<div class="card table-card"><table><thead>${head}</thead><tbody>${rows}</tbody><tfoot>${total}</tfoot></table></div>`,
    "latencies exact over the whole run",
    "endpoints",
  );
}

function checks(r: RunReport): string {
  const { passed, failed, requests } = r.checks;
  const total = passed + failed;
  if (total === 0 && requests.length === 0)
    return card("Checks", `<div class="card empty-note">This test declares no checks.</div>`, "", "checks");
  const rows = requests
    .map(
      (c) =>
        `<tr><td class="name"><span class="pill none">${x(c.method)}</span> ${x(c.name)}</td><td>${c.checks.map((k) => `<div class="mono">${x(k)}</div>`).join("")}</td>${num(x(formatCount(c.requests)))}<td class="num${c.failed > 0 ? " bad-text" : ""}">${x(formatCount(c.failed))}</td></tr>`,
    )
    .join("");
  const table =
    requests.length === 0
      ? ""
      : `<div class="card table-card" style="margin-top:12px"><table><thead><tr>${th("Request")}${th("Checks")}${th("Requests", true)}${th("Failed a check", true)}</tr></thead><tbody>${rows}</tbody></table></div>`;
  const summary = `<div class="card"><b class="${failed > 0 ? "bad-text" : ""}">${x(formatCount(passed))} passed, ${x(formatCount(failed))} failed</b> <span class="muted">(${x(total === 0 ? "none evaluated" : formatPassRate(passed / total))} passed)</span></div>`;
  return card("Checks", summary + table, "each check evaluated counts once", "checks");
}

function countsTable(title: string, counts: Record<string, number>, total: number, bad: (k: string) => boolean, empty: string): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0)
    return `<div class="card"><h3 style="margin:0 0 6px;font-size:14px">${x(title)}</h3><div class="empty-note">${x(empty)}</div></div>`;
  const max = Math.max(...entries.map(([, v]) => v));
  const rows = entries
    .map(
      ([k, v]) =>
        `<tr><td class="mono">${x(k)}</td>${num(x(formatCount(v)))}${num(x(formatPercent(total > 0 ? v / total : 0)))}<td style="width:40%"><div class="bar${bad(k) ? " bad" : ""}"><span style="width:${((v / max) * 100).toFixed(1)}%"></span></div></td></tr>`,
    )
    .join("");
  return `<div class="card table-card"><table><thead><tr>${th(title)}${th("Count", true)}${th("Share", true)}${th("")}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function responses(r: RunReport): string {
  const s = r.summary;
  const statusBad = (k: string) => !/^[123]/.test(k);
  return card(
    "Responses",
    `<div class="grid2">${countsTable("Status code", s.statusCodes, s.requests, statusBad, "No responses.")}${countsTable("Failure kind", s.failuresByKind, s.failures, () => true, "No failures.")}</div>`,
    s.interrupted > 0 ? `${formatCount(s.interrupted)} requests interrupted at the stop (in no other figure)` : "",
    "responses",
  );
}

function workers(r: RunReport): string {
  const w = r.workers
    .map(
      (k) =>
        `<tr><td class="mono">${x(k.workerId)}</td><td><span class="pill ${k.state === "lost" ? "failed" : k.state === "stopped" ? "passed" : "none"}">${x(k.state)}</span></td>${num(x(formatCount(k.lanes.length)))}${num(x(formatCount(k.vus)))}${num(x(formatRate(k.arrivalRate)))}<td>${x(formatInstant(k.assignedAt))}</td></tr>`,
    )
    .join("");
  const workersTable =
    r.workers.length === 0
      ? `<div class="card empty-note">No worker was assigned.</div>`
      : `<div class="card table-card"><table><thead><tr>${th("Worker")}${th("State")}${th("Lanes", true)}${th("VUs", true)}${th("Arrivals/s", true)}${th("Assigned")}</tr></thead><tbody>${w}</tbody></table></div>`;
  const g = r.gaps
    .map((k) => {
      const until = k.reassignedAt ? Date.parse(k.reassignedAt) : null;
      const held = until === null ? "never reassigned" : formatDuration((until - Date.parse(k.lastSeenAt)) / 1000);
      return `<tr><td class="mono">${x(k.workerId)}</td>${num(x(formatCount(k.lanes.length)))}<td>${x(formatInstant(k.lastSeenAt))}</td><td>${x(k.reassignedAt ? formatInstant(k.reassignedAt) : "—")}</td>${num(x(held))}<td class="mono">${x(k.reassignedTo.join(", ") || "—")}</td></tr>`;
    })
    .join("");
  const gapsTable =
    r.gaps.length === 0
      ? `<div class="card empty-note" style="margin-top:12px">No worker was lost: every lane ran throughout.</div>`
      : `<div class="card table-card" style="margin-top:12px"><table><thead><tr>${th("Lost worker")}${th("Lanes", true)}${th("Last seen")}${th("Reassigned")}${th("Gap", true)}${th("To")}</tr></thead><tbody>${g}</tbody></table></div>`;
  const run = r.run;
  const coverage = run.coverage === null ? "" : `coverage ${formatPercent(run.coverage)}`;
  const reason = run.reason ? `<div class="callout${run.status === "Failed" ? " bad" : ""}">${x(run.reason)}</div>` : "";
  return card(
    "Workers and gaps",
    workersTable + gapsTable + reason,
    [`${run.laneCount} lane${run.laneCount === 1 ? "" : "s"}`, coverage].filter(Boolean).join(" · "),
    "workers",
  );
}

/**
 * A warning under the figures when the generator itself saturated some seconds (issue 24): which
 * worker, how many seconds from when, and its worst figures. Nothing when no second was.
 */
function generatorWarning(r: RunReport): string {
  const saturated = r.generator?.workers.filter((w) => w.saturatedSeconds > 0) ?? [];
  if (saturated.length === 0) return "";
  const rows = saturated
    .map(
      (w) =>
        `<li><b class="mono">${x(w.workerId)}</b>: ${x(formatCount(w.saturatedSeconds))} of ${x(formatCount(w.seconds))} s from ${x(formatInstant(w.saturated[0] ?? null))} (event-loop delay p95 ${x(formatMs(w.loopDelayP95Ms))}, timer slip p95 ${x(w.timerSlipP95Ms === null ? "—" : formatMs(w.timerSlipP95Ms))}, busiest thread ${x(formatPercent(w.busy))})</li>`,
    )
    .join("");
  return `<div class="callout" id="generator-saturated"><b>The load generator saturated ${x(formatCount(r.generator!.saturatedSeconds))} worker-second(s)</b>: their load or latency is the generator's, not the target's.<ul>${rows}</ul></div>`;
}

/** Money to the precision a small run needs: 0.0042 USD, 12.50 USD. */
const formatMoney = (n: number, currency: string): string =>
  `${n >= 1 ? n.toFixed(2) : n === 0 ? "0" : Number(n.toPrecision(2)).toString()} ${currency}`;

/** What the run cost: the total, each part with the usage it prices, and per request and iteration (docs/cost.md). */
function cost(c: RunCost): string {
  const m = c.model;
  const u = c.usage;
  const rows = [
    ["Compute", `${formatCount(Math.round(u.vcpuSeconds))} vCPU-s × ${m.vcpuHour} ${m.currency}/vCPU-h`, c.breakdown.compute],
    ["Network", `${formatBytes(u.egressBytes)} sent and received × ${m.egressGb} ${m.currency}/GB`, c.breakdown.egress],
    ["Requests", `${formatCount(u.requests)} × ${m.perMillionRequests} ${m.currency}/million`, c.breakdown.requests],
  ] as const;
  const body = rows
    .map(([part, usage, v]) => `<tr><td>${x(part)}</td><td>${x(usage)}</td>${num(x(formatMoney(v, c.currency)))}</tr>`)
    .join("");
  const per = [
    c.perThousandRequests === null ? "" : `${formatMoney(c.perThousandRequests, c.currency)} per 1,000 requests`,
    c.perIteration === null ? "" : `${formatMoney(c.perIteration, c.currency)} per iteration`,
  ].filter(Boolean);
  const estimated = u.estimated
    ? `<div class="callout">Estimated: some workers were assigned before their vCPUs were recorded and count as 1 vCPU each.</div>`
    : "";
  const table = `<div class="card table-card"><table><thead><tr>${th("Part")}${th("Usage")}${th("Cost", true)}</tr></thead><tbody>${body}<tr><td><b>Total</b></td><td>${x(per.join(" · "))}</td>${num(`<b>${x(formatMoney(c.total, c.currency))}</b>`)}</tr></tbody></table></div>`;
  return card("Cost", table + estimated, x(`at ${m.currency} list prices set by the platform`), "cost");
}

const METRIC_LABELS: Record<ComparedMetric, string> = {
  p50: "p50",
  p90: "p90",
  p95: "p95",
  p99: "p99",
  p999: "p99.9",
  errorRate: "Error rate",
  rps: "Throughput",
};
const VERDICT_CLASS = { worse: "failed", better: "passed", same: "none" } as const;

const formatValue = (metric: ComparedMetric, v: number): string =>
  metric === "errorRate" ? formatPercent(v) : metric === "rps" ? `${formatRate(v)}/s` : formatMs(v);

/** A change as a share of the previous value (+104%, −3.2%), else in the figure's unit (from nothing). */
function formatChange(metric: ComparedMetric, m: MetricComparison): string {
  const sign = m.delta > 0 ? "+" : m.delta < 0 ? "−" : "±";
  if (m.relative === null) return `${sign}${formatValue(metric, Math.abs(m.delta))}`;
  const p = Math.abs(m.relative * 100);
  return `${sign}${p >= 10 ? Math.round(p) : p.toFixed(1)}%`;
}

/** The run against the one asked for with `compare=`: each endpoint's change per figure, then the whole run's figures. */
function comparison(c: RunComparisonView): string {
  const cell = (metric: ComparedMetric, m: MetricComparison) =>
    `<td class="num" title="${x(`${formatValue(metric, m.previous)} → ${formatValue(metric, m.current)}; a change beyond ${formatValue(metric, m.threshold)}`)}">${m.verdict === "same" ? `<span class="muted">${x(formatChange(metric, m))}</span>` : `<span class="pill ${VERDICT_CLASS[m.verdict]}">${x(formatChange(metric, m))} ${m.verdict}</span>`}</td>`;
  const only = { current: "only in this run", previous: `only in run ${c.comparedWith.runId}`, both: "no requests" } as const;
  const row = (label: string, s: RunComparisonView["overall"], where: keyof typeof only = "both") =>
    `<tr>${label}${s.metrics ? COMPARED_METRICS.map((m) => cell(m, s.metrics![m])).join("") : `<td class="muted" colspan="${COMPARED_METRICS.length}">${x(only[where])}</td>`}</tr>`;
  const head = `<tr>${th("Endpoint")}${COMPARED_METRICS.map((m) => th(METRIC_LABELS[m], true)).join("")}</tr>`;
  const rows = c.endpoints
    .map((e) => row(`<td class="name"><span class="pill none">${x(e.method)}</span> ${x(e.name)}</td>`, e, e.in))
    .join("");
  const total = row("<td>All requests</td>", c.overall);
  const changes = `<div class="card table-card"><table><thead>${head}</thead><tbody>${rows}</tbody><tfoot>${total}</tfoot></table></div>`;
  const o = c.overall.metrics;
  const detail = o
    ? `<div class="card table-card" style="margin-top:12px"><table><thead><tr>${th("All requests")}${th("Previous", true)}${th("This run", true)}${th("Change", true)}${th("Noise threshold", true)}${th("Verdict", true)}</tr></thead><tbody>${COMPARED_METRICS.map(
        (m) =>
          `<tr><td>${x(METRIC_LABELS[m])}</td>${num(x(formatValue(m, o[m].previous)))}${num(x(formatValue(m, o[m].current)))}${num(x(formatChange(m, o[m])))}${num(x(`± ${formatValue(m, o[m].threshold)}`))}<td class="num"><span class="pill ${VERDICT_CLASS[o[m].verdict]}">${o[m].verdict}</span></td></tr>`,
      ).join("")}</tbody></table></div>`
    : `<div class="card empty-note" style="margin-top:12px">One of the runs measured no requests: nothing to compare.</div>`;
  const { counts } = c;
  const verdict = `<div class="card" style="margin-bottom:12px"><span class="badge ${VERDICT_CLASS[c.verdict]}" data-comparison="${c.verdict}">${c.verdict}</span> <span class="muted">${x(`${counts.worse} worse, ${counts.better} better, ${counts.same} the same`)}</span>${c.sameTest ? "" : ` <span class="pill warn">another load test</span>`}</div>`;
  const what = c.comparedWith.via === "baseline" ? "the load test's baseline" : "run";
  return card(
    `Compared with run ${c.comparedWith.runId}`,
    verdict + changes + detail,
    x(
      `${what}${c.comparedWith.startedAt ? `, started ${formatInstant(c.comparedWith.startedAt)}` : ""}; a change counts beyond ${Math.round(c.method.relativeFloor * 100)}% and ${c.method.k} standard errors of the runs' own noise`,
    ),
    "comparison",
  );
}

/** JSON on one line: `{ "a": 1, "b": [2, 3] }`. */
const inlineJson = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(", ")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).filter(([, e]) => e !== undefined);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, e]) => `${JSON.stringify(k)}: ${inlineJson(e)}`).join(", ")} }`;
  }
  return JSON.stringify(v) ?? "null";
};

/** JSON indented by two, but what fits on a line of `width` stays on one: a definition reads as written. */
export function compactJson(v: unknown, indent = 0, width = 96): string {
  const flat = inlineJson(v);
  if (indent + flat.length <= width || !v || typeof v !== "object") return flat;
  const pad = " ".repeat(indent + 2);
  const close = " ".repeat(indent);
  if (Array.isArray(v)) return `[\n${v.map((e) => pad + compactJson(e, indent + 2, width)).join(",\n")}\n${close}]`;
  const entries = Object.entries(v).filter(([, e]) => e !== undefined);
  return `{\n${entries.map(([k, e]) => `${pad}${JSON.stringify(k)}: ${compactJson(e, indent + 2, width)}`).join(",\n")}\n${close}}`;
}

function definition(r: RunReport): string {
  if (!r.test)
    return card("Test definition", `<div class="card empty-note">The load test was deleted since this run.</div>`, "", "definition");
  const json = x(compactJson(r.test.definition)).replace(/\{\{\s*secrets\.[^}\s]+\s*\}\}/g, (m) => `<span class="secret">${m}</span>`);
  return card(
    "Test definition",
    `<pre class="definition">${json}</pre>`,
    `version ${r.test.version}, as it is now; secrets appear as their references, never their values`,
    "definition",
  );
}

/** The whole report as an HTML document; with the comparison asked for, when there is one. */
export function renderHtml(r: ComparedRunReport): string {
  const title = `${r.test?.name ?? "Run"} · ${r.run.id} · Loadline report`;
  const axis = timeAxis(r);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load from anywhere: a report opened from a mail or a CI artifact stays inert.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="${x(`${r.kind} v${r.version}`)}">`,
    `<title>${x(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head><body>",
    header(r),
    '<main class="wrap">',
    kpis(r),
    generatorWarning(r),
    thresholds(r),
    r.comparison ? comparison(r.comparison) : "",
    timeCharts(r, axis),
    sutSection(r, axis),
    actionsSection(r, axis),
    distribution(r),
    endpoints(r),
    checks(r),
    responses(r),
    workers(r),
    r.cost ? cost(r.cost) : "",
    definition(r),
    "</main>",
    `<footer class="wrap">Generated ${x(formatInstant(r.generatedAt))} by Loadline · report schema ${x(r.kind)} v${r.version} · status ${x(r.run.status)}${r.summary.from ? ` · data ${x(formatInstant(r.summary.from))} – ${x(formatInstant(r.summary.to))}` : ""}</footer>`,
    "</body></html>",
    "",
  ].join("\n");
}
