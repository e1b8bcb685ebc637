import { REPORT_FORMATS, runReportSchema } from "@loadline/core";
import { compareQuerySchema, metricsQuerySchema, reportQuerySchema, timeseriesQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { json } from "../responses.ts";
import { aggregateSchema, anObject, distributionSchema, endpointSchema } from "../view-schemas.ts";

const tags = ["Metrics"];
const cached = { ETag: "Strong: If-None-Match answers 304 while it holds." };

export const metricsRoutes: RouteCatalog = {
  "GET /v1/runs/:id/metrics/timeseries": {
    summary: "Get the timeseries of a run",
    tags,
    query: timeseriesQuerySchema,
    responses: {
      200: json(
        "A point per step: rps, errorRate, p50...p999, min, max, mean, users (seed 001's dataPoints and summary beside).",
        z.looseObject({ runId: z.string(), step: z.string(), points: z.array(anObject) }),
        cached,
      ),
    },
  },
  "GET /v1/runs/:id/metrics/aggregate": {
    summary: "Get the aggregate of a run",
    description: "Totals and exact percentiles merged from every worker's HDR histograms; seed 001's avgRPS... beside; the run's cost.",
    tags,
    query: metricsQuerySchema,
    responses: { 200: json("The aggregate.", aggregateSchema, cached) },
  },
  "GET /v1/runs/:id/metrics/endpoints": {
    summary: "Get the endpoints of a run",
    tags,
    query: metricsQuerySchema,
    responses: {
      200: json("The aggregate per request name.", z.object({ runId: z.string(), endpoints: z.array(endpointSchema) }), cached),
    },
  },
  "GET /v1/runs/:id/metrics/distribution": {
    summary: "Get the latency distribution of a run",
    tags,
    query: metricsQuerySchema,
    responses: { 200: json("The percentile curve, and each second's p50 and p99.", distributionSchema, cached) },
  },
  "GET /v1/runs/:id/metrics/scatter": {
    summary: "Get the scatter of a run",
    description: "The distribution, by seed 001's name, its points under the seed's names too.",
    tags,
    query: metricsQuerySchema,
    responses: { 200: json("The distribution with `dataPoints`.", distributionSchema, cached) },
  },
  "GET /v1/runs/:id/report": {
    summary: "Get the report of a run",
    description: `As an attachment, in the format asked (${REPORT_FORMATS.join(", ")}); html and pdf may compare the run with another.`,
    tags: ["Reports"],
    query: reportQuerySchema,
    responses: {
      200: {
        description: "The report.",
        content: {
          "text/html": z.string(),
          "application/json": runReportSchema.meta({ id: "RunReport", description: "The versioned JSON report (docs/reports.md)." }),
          "text/csv": z.string(),
          "application/xml": z.string(),
          "application/pdf": null,
        },
      },
      501: { description: "format=pdf where no headless Chromium can print it." },
    },
  },
  "GET /v1/runs/:id/compare": {
    summary: "Compare a run",
    description: "Against its test's baseline or another run: per endpoint and overall, each figure better, same or worse beyond noise.",
    tags: ["Reports"],
    query: compareQuerySchema,
    responses: { 200: json("The comparison.", anObject) },
  },
};
