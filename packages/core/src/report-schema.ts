import { z } from "zod";
import { generatorViewSchema } from "./generator-health.ts";
import { RUN_STATUSES, stopReasonSchema } from "./schemas/run.ts";
import { thresholdResultSchema, VERDICTS } from "./thresholds/threshold-types.ts";

/**
 * A run's report as `GET /v1/runs/{id}/report?format=json` answers it: one document with
 * everything the other formats (HTML, CSV, JUnit, PDF) show. Documented field by field in
 * docs/reports.md. The schema is versioned: a field may be added within a version, never
 * removed, renamed or given another meaning; that takes a new `version`.
 *
 * Units: latencies in milliseconds; rates (`errorRate`) as a share 0..1; `rps` in requests per
 * second; bytes as bytes; times as ISO-8601 UTC strings.
 */
export const RUN_REPORT_VERSION = 1;
export const RUN_REPORT_KIND = "loadline.run-report";

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const share = z.number().min(0).max(1);
const instant = z.string().datetime({ offset: true });
const counts = z.record(z.string(), count);

/** Exact percentiles merged from the HDR histograms of every worker and second; ms. */
export const latencySummarySchema = z.object({
  count,
  min: ms,
  max: ms,
  mean: ms,
  p50: ms,
  p90: ms,
  p95: ms,
  p99: ms,
  p999: ms,
});

/** What every figure of requests carries, the whole run's and each endpoint's. */
const requestFigures = {
  requests: count,
  failures: count,
  errorRate: share,
  rps: z.number().nonnegative(),
  bytesIn: count,
  bytesOut: count,
  /** Requests aborted in flight at the stop: in no other figure. */
  interrupted: count,
  latency: latencySummarySchema,
  /** From the actual send to the response (open workloads measure `latency` from the intended start); null when not recorded. */
  serviceTime: latencySummarySchema.nullable(),
  /** Failed requests by kind: connect, timeout, reset, blocked, tls, 4xx, 5xx, grpc, check. */
  failuresByKind: counts,
  statusCodes: counts,
};

export const reportEndpointSchema = z.object({
  name: z.string(),
  method: z.string(),
  /** The HTTP protocol its responses came over (`http/1.1`, `h2`); absent when not said. */
  protocol: z.string().optional(),
  /** Its steps' tags; absent: none. */
  tags: z.record(z.string(), z.string()).optional(),
  /** Messages received and sent under the name (ws, sse and grpc steps); absent: none. */
  messagesIn: count.optional(),
  messagesOut: count.optional(),
  ...requestFigures,
});

/** One bucket of the timeseries (`timeseries.stepSec` long), merged over workers and request names. */
export const reportPointSchema = z.object({
  time: instant,
  requests: count,
  failures: count,
  rps: z.number().nonnegative(),
  errorRate: share,
  p50: ms,
  p90: ms,
  p95: ms,
  p99: ms,
  p999: ms,
  min: ms,
  max: ms,
  mean: ms,
  users: count,
  interrupted: count,
  interruptedIterations: count,
});

export const runReportSchema = z.object({
  kind: z.literal(RUN_REPORT_KIND),
  version: z.literal(RUN_REPORT_VERSION),
  generatedAt: instant,
  run: z.object({
    id: z.string(),
    tenantId: z.string(),
    loadTestId: z.string(),
    status: z.enum(RUN_STATUSES),
    /** From the thresholds: `none` when the run has none; `pending` while a run with thresholds is not judged yet. */
    verdict: z.enum([...VERDICTS, "pending"]),
    /** Why it failed or was cancelled; for a degraded run, which lanes were not run. */
    reason: z.string().nullable(),
    /** Why it stopped: `requested`, `duration`, or `threshold` (an abortOnFail threshold failed); null until it stops, or when not recorded. */
    stopReason: stopReasonSchema.nullable(),
    /** A completed run of which some planned load was not run; null when not known. */
    degraded: z.boolean().nullable(),
    /** Share of the planned lane-time a live worker held, 0..1; null when not known. */
    coverage: share.nullable(),
    targetUsers: count,
    spawnRate: z.number().nonnegative(),
    /** Planned duration, seconds. */
    durationSec: count,
    laneCount: count,
    createdAt: instant,
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
  }),
  /** The load test as it is now (its `version`): null when it was deleted. */
  test: z
    .object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      tags: z.array(z.string()),
      targetUrl: z.string(),
      version: count,
      updatedAt: instant,
      /** The definition as written: secrets appear as their `{{secrets.NAME}}` references, never values. Long data sets are cut. */
      definition: z.record(z.string(), z.unknown()),
    })
    .nullable(),
  /** Each threshold's outcome, in the order declared. */
  thresholds: z.array(thresholdResultSchema),
  /** The whole run, every request name merged. */
  summary: z.object({
    /** First and last second with data; null when nothing was measured. */
    from: instant.nullable(),
    to: instant.nullable(),
    seconds: count,
    ...requestFigures,
    iterations: count,
    droppedIterations: count,
    interruptedIterations: count,
  }),
  /**
   * Checks: the run's totals (each check evaluated counts once), and per request that declares
   * checks, those checks as written and its requests failed by a check (`failuresByKind.check`).
   */
  checks: z.object({
    passed: count,
    failed: count,
    requests: z.array(z.object({ name: z.string(), method: z.string(), checks: z.array(z.string()), requests: count, failed: count })),
  }),
  endpoints: z.array(reportEndpointSchema),
  timeseries: z.object({ stepSec: z.number().int().positive(), points: z.array(reportPointSchema) }),
  /** The percentile → latency curve of the whole run (percentile 0 is the minimum, 100 the maximum). */
  latencyDistribution: z.object({
    requests: count,
    percentiles: z.array(z.object({ percentile: z.number().min(0).max(100), latencyMs: ms })),
  }),
  workers: z.array(
    z.object({
      workerId: z.string(),
      lanes: z.array(count),
      vus: count,
      arrivalRate: z.number().nonnegative(),
      state: z.enum(["assigned", "ready", "stopped", "lost"]),
      assignedAt: instant,
    }),
  ),
  /** Workers lost mid-run: their lanes ran on nobody from `lastSeenAt` until `reassignedAt`. */
  gaps: z.array(
    z.object({
      workerId: z.string(),
      lanes: z.array(count),
      lastSeenAt: instant,
      lostAt: instant,
      reassignedAt: instant.nullable(),
      reassignedTo: z.array(z.string()),
    }),
  ),
  /** The generator's own health over the run, per worker (issue 24); absent when no window carried it. */
  generator: generatorViewSchema.optional(),
});
export type RunReport = z.infer<typeof runReportSchema>;
export type ReportEndpoint = z.infer<typeof reportEndpointSchema>;
export type ReportPoint = z.infer<typeof reportPointSchema>;

/** The formats a report is rendered in. */
export const REPORT_FORMATS = ["html", "json", "csv", "junit", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
