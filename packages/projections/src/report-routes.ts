import { DEFAULT_PRICE_MODEL, type PriceModel, REPORT_FORMATS, type ReportFormat, type RunView } from "@loadline/core";
import { HttpError, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { AgentQueries } from "./agent-queries.ts";
import { runActionViewOf, sutSeriesOf } from "./agent-views.ts";
import { comparedRun, runComparison } from "./compare-queries.ts";
import type { Db } from "./database.ts";
import { MetricsQueries } from "./metrics-queries.ts";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";
import { CSV_TABLES, type CsvTable, renderCsv } from "./report/csv.ts";
import { renderHtml } from "./report/html.ts";
import { renderJson } from "./report/json.ts";
import { renderJunit } from "./report/junit.ts";
import { type ComparedRunReport, gatherRunReport, type ReportSources, type ReportSut } from "./report/report-data.ts";
import { chartedNamesOf } from "./report/sut.ts";
import { costOfRun } from "./run-cost.ts";

export type ReportRoutesDeps = {
  readModel: PgReadModel;
  log: Logger;
  /** Prints a report's HTML as PDF (headless Chromium, in the app that composes the API); absent: PDF is a 501. */
  printPdf?: ((html: string) => Promise<Uint8Array>) | undefined;
  /** What the report's cost section is priced at (LL_PRICE_*); DEFAULT_PRICE_MODEL when not given. */
  price?: PriceModel | undefined;
  /** Where the SUT's seconds and the agent actions are read (the agent projection's tables); absent: the report has no SUT section. */
  db?: Db | undefined;
};

export const reportQuery = z.object({
  format: z.enum(REPORT_FORMATS, { message: `must be one of ${REPORT_FORMATS.join(", ")}` }).default("html"),
  /** csv: both tables (`all`), or one. */
  table: z.enum(CSV_TABLES as [CsvTable, ...CsvTable[]], { message: `must be one of ${CSV_TABLES.join(", ")}` }).default("all"),
  /** html, pdf: a section comparing the run with its load test's baseline (`baseline`) or another run (docs/compare.md). */
  compare: z.string().min(1, "must be baseline or a run's id").optional(),
});

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  html: "text/html; charset=utf-8",
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  junit: "application/xml; charset=utf-8",
  pdf: "application/pdf",
};
export const REPORT_EXTENSIONS: Record<ReportFormat, string> = { html: "html", json: "json", csv: "csv", junit: "xml", pdf: "pdf" };

/** A report in a text format; PDF is printed from the HTML by whoever can. */
export function renderReport(report: ComparedRunReport, format: Exclude<ReportFormat, "pdf">, table: CsvTable = "all"): string {
  switch (format) {
    case "html":
      return renderHtml(report);
    case "json":
      return renderJson(report);
    case "csv":
      return renderCsv(report, table);
    case "junit":
      return renderJunit(report);
  }
}

const instant = (iso: string | null): Date | null => (iso ? new Date(iso) : null);

/** The run's SUT series the report charts, as GET /v1/runs/{id}/sut answers them: none after the run's end. */
async function sutOfRun(queries: AgentQueries, run: RunView): Promise<ReportSut> {
  const [startedAt, finishedAt] = [instant(run.startedAt), instant(run.finishedAt)];
  // The projection knows a run's end up to a second late (SutRunCache): seconds after it are not the run's.
  const last = startedAt && finishedAt ? Math.floor((finishedAt.getTime() - startedAt.getTime()) / 1000) : Number.POSITIVE_INFINITY;
  const rows = (await queries.sutSeconds(run.tenantId, run.id, undefined)).filter((r) => r.second <= last);
  const { agents, series } = sutSeriesOf(rows, chartedNamesOf(rows));
  // Named series are answered for every agent, empty where one has none: those draw nothing.
  return { agents, series: series.filter((s) => s.points.length > 0) };
}

/** The SUT and actions sources of the HTML (and PDF) report; none for the other formats, nor without a database. */
function sutSources(db: Db | undefined, format: ReportFormat): Pick<ReportSources, "sut" | "actions"> {
  if (!db || (format !== "html" && format !== "pdf")) return {};
  const queries = new AgentQueries(db);
  return {
    sut: (run) => sutOfRun(queries, run),
    actions: async (run) => {
      const startedAt = instant(run.startedAt);
      return (await queries.actionsOfRun(run.tenantId, run.id)).map((row) => runActionViewOf(row, startedAt));
    },
  };
}

/**
 * `GET /v1/runs/{id}/report?format=html|json|csv|junit|pdf`: the run's report, read once from the
 * read model's views (report/report-data.ts) and rendered in the format asked, as an attachment
 * named after the run (`loadline-<runId>.<ext>`).
 */
export function reportRoutes(deps: ReportRoutesDeps): Hono {
  const { readModel } = deps;
  const metrics = new MetricsQueries(readModel);
  const app = new Hono();
  installErrorHandler(app, deps.log);
  app.use("/v1/runs/:id/report", minSeqWait(readModel));

  app.get("/v1/runs/:id/report", async (c) => {
    const id = idParam(c, "run");
    const { format, table, compare } = query(c, reportQuery);
    if (compare !== undefined && format !== "html" && format !== "pdf")
      throw new HttpError(400, "invalid_request", "compare: only the html and pdf reports show a comparison", "compare");
    if (format === "pdf" && !deps.printPdf)
      throw new HttpError(501, "not_implemented", "format: pdf is not available here (no headless Chromium to print it)", "format");
    const run = await readModel.run(tenantOf(c), id);
    if (!run) throw new HttpError(404, "not_found", "run not found", "id");
    const comparison =
      compare === undefined ? undefined : await runComparison(readModel, run, await comparedRun(readModel, run, compare, "compare"));
    const report: ComparedRunReport = await gatherRunReport(
      {
        loadTest: (tenantId, id) => readModel.loadTest(tenantId, id),
        aggregate: (r) => metrics.aggregate(r, {}),
        timeseries: (r) => metrics.timeseries(r, {}, "auto"),
        distribution: (r) => metrics.distribution(r, {}),
        ...sutSources(deps.db, format),
      },
      run,
    );
    if (comparison) report.comparison = comparison;
    // The summary holds the whole run's measured totals: the cost prices those. The page's only: the
    // versioned JSON report's schema has no cost (GET /v1/runs/{id} carries it).
    if (format === "html" || format === "pdf") report.cost = costOfRun(run, report.summary, deps.price ?? DEFAULT_PRICE_MODEL, Date.now());
    c.header("Content-Type", REPORT_CONTENT_TYPES[format]);
    c.header("Content-Disposition", `attachment; filename="loadline-${run.id}.${REPORT_EXTENSIONS[format]}"`);
    c.header("Cache-Control", "no-store");
    c.header("X-Content-Type-Options", "nosniff");
    // The page is inert wherever it is opened: no script, nothing fetched.
    if (format === "html") c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
    if (format === "pdf") {
      const pdf = await deps.printPdf!(renderHtml(report));
      return c.body(pdf as Uint8Array<ArrayBuffer>);
    }
    return c.body(renderReport(report, format, table));
  });

  return app;
}
