import type { RunReport } from "@loadline/core";

/** Which table a CSV report holds: both (the timeseries, a blank line, the endpoints), or one. */
export type CsvTable = "all" | "timeseries" | "endpoints";
export const CSV_TABLES: readonly CsvTable[] = ["all", "timeseries", "endpoints"];

/**
 * A cell as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break. A text cell
 * a spreadsheet would take for a formula (=, +, -, @, tab, CR first) is led by a quote mark.
 */
function cell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
const row = (cells: readonly (string | number | null)[]): string => cells.map(cell).join(",");

const counts = (c: Readonly<Record<string, number>>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k}:${v}`)
    .join(" ");

export const TIMESERIES_HEADER = [
  "time",
  "elapsed_s",
  "requests",
  "failures",
  "rps",
  "error_rate",
  "p50_ms",
  "p90_ms",
  "p95_ms",
  "p99_ms",
  "p999_ms",
  "min_ms",
  "max_ms",
  "mean_ms",
  "users",
  "interrupted",
  "interrupted_iterations",
] as const;

export const ENDPOINTS_HEADER = [
  "name",
  "method",
  "requests",
  "failures",
  "error_rate",
  "rps",
  "p50_ms",
  "p90_ms",
  "p95_ms",
  "p99_ms",
  "p999_ms",
  "min_ms",
  "max_ms",
  "mean_ms",
  "bytes_in",
  "bytes_out",
  "interrupted",
  "status_codes",
  "failures_by_kind",
] as const;

/** The run's timeseries, a row per bucket (`timeseries.stepSec`); latencies in ms, error_rate 0..1. */
export function timeseriesCsv(report: RunReport): string[] {
  const points = report.timeseries.points;
  const start = points.length > 0 ? Date.parse(points[0]!.time) : 0;
  const lines = [row(TIMESERIES_HEADER)];
  for (const p of points) {
    lines.push(
      row([
        p.time,
        (Date.parse(p.time) - start) / 1000,
        p.requests,
        p.failures,
        p.rps,
        p.errorRate,
        p.p50,
        p.p90,
        p.p95,
        p.p99,
        p.p999,
        p.min,
        p.max,
        p.mean,
        p.users,
        p.interrupted,
        p.interruptedIterations,
      ]),
    );
  }
  return lines;
}

type Figures = RunReport["summary"];
const endpointRow = (
  name: string,
  method: string,
  e: Omit<Figures, "from" | "to" | "seconds" | "iterations" | "droppedIterations" | "interruptedIterations">,
) =>
  row([
    name,
    method,
    e.requests,
    e.failures,
    e.errorRate,
    e.rps,
    e.latency.p50,
    e.latency.p90,
    e.latency.p95,
    e.latency.p99,
    e.latency.p999,
    e.latency.min,
    e.latency.max,
    e.latency.mean,
    e.bytesIn,
    e.bytesOut,
    e.interrupted,
    counts(e.statusCodes),
    counts(e.failuresByKind),
  ]);

/** Each endpoint's totals, then every request merged as `(all requests)` with an empty method. */
export function endpointsCsv(report: RunReport): string[] {
  return [
    row(ENDPOINTS_HEADER),
    ...report.endpoints.map((e) => endpointRow(e.name, e.method, e)),
    endpointRow("(all requests)", "", report.summary),
  ];
}

/** The report as CSV: CRLF line ends (RFC 4180); with `all`, the two tables apart by an empty line. */
export function renderCsv(report: RunReport, table: CsvTable = "all"): string {
  const lines =
    table === "timeseries"
      ? timeseriesCsv(report)
      : table === "endpoints"
        ? endpointsCsv(report)
        : [...timeseriesCsv(report), "", ...endpointsCsv(report)];
  return `${lines.join("\r\n")}\r\n`;
}
