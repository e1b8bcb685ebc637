import type { RunReport } from "@loadline/core";

/** The report as JSON (`runReportSchema`, docs/reports.md): keys in the schema's order, two-space indent. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
