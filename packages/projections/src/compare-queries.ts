import {
  type BucketSample,
  bucketStart,
  compareRuns,
  type EndpointSample,
  type RunComparisonView,
  type RunSample,
  type RunView,
  type SeriesSample,
} from "@loadline/core";
import { HttpError, ID_PATTERN } from "@loadline/service";
import type { PgReadModel } from "./read-model.ts";
import { type RollupRow, type SummaryRow, summaryBucket } from "./rollups.ts";

/** The noise is measured on 10 s buckets; a run longer than this many of them on minutes (fewer rows to read). */
const MAX_TEN_SECOND_BUCKETS = 720;

const seriesKey = (r: { method: string; name: string }) => `${r.method}\u0000${r.name}`;

/**
 * What a comparison needs of a run, from its rollups only (no raw window is read): the
 * whole-run rows (all requests and each endpoint, with their merged histograms) and the summary
 * rows of its 10 s buckets (1 min ones past two hours), all series.
 */
export async function runSample(readModel: PgReadModel, run: RunView): Promise<RunSample> {
  const span = await readModel.secondSpan(run.tenantId, run.id);
  if (!span) {
    const empty: SeriesSample = { histogram: null, requests: 0, failures: 0, seconds: 0, buckets: [] };
    return { overall: empty, endpoints: [], bucketSec: 10 };
  }
  const seconds = span.last - span.first + 1;
  const step = seconds / 10 <= MAX_TEN_SECOND_BUCKETS ? 10 : 60;
  const pieces = [{ step, first: bucketStart(span.first, step), last: bucketStart(span.last, step) }] as const;
  const [whole, bucketRows] = await Promise.all([
    readModel.rollups(run.tenantId, run.id, { series: "both" }),
    readModel.rollupSummaries(run.tenantId, run.id, { pieces, series: "both" }),
  ]);
  // A bucket's seconds are the run's (its all-requests row's): an endpoint's rate is over the run's time.
  const secondsOf = new Map(bucketRows.filter((r) => r.method === "").map((r) => [r.bucket, r.seconds]));
  const buckets = new Map<string, BucketSample[]>();
  for (const r of bucketRows) {
    const key = seriesKey(r);
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(bucketOf(r, secondsOf.get(r.bucket) ?? r.seconds));
  }
  const seriesOf = (r: RollupRow): SeriesSample => ({
    histogram: r.histogram,
    requests: r.requests,
    failures: r.failures,
    seconds,
    buckets: buckets.get(seriesKey(r)) ?? [],
  });
  const all = whole.find((r) => r.method === "");
  const endpoints: EndpointSample[] = whole.filter((r) => r.method !== "").map((r) => ({ name: r.name, method: r.method, ...seriesOf(r) }));
  return {
    overall: all ? seriesOf(all) : { histogram: null, requests: 0, failures: 0, seconds, buckets: [] },
    endpoints,
    bucketSec: step,
  };
}

function bucketOf(row: SummaryRow, seconds: number): BucketSample {
  const { latency } = summaryBucket(row).summary!;
  return { seconds, requests: row.requests, failures: row.failures, latency };
}

/**
 * The run `to` names for a comparison with `run`: `baseline` (its load test's baseline run) or a
 * run's id, of the same tenant. Each way it can fail is a 404 naming `field` (`to`, or the
 * report's `compare`).
 */
export async function comparedRun(
  readModel: PgReadModel,
  run: RunView,
  to: string,
  field: string,
): Promise<{ run: RunView; via: "baseline" | "run" }> {
  if (to === "baseline") {
    // The test's state is at fault, not the request: 409, as for a run already ended.
    const loadTest = await readModel.loadTest(run.tenantId, run.loadTestId);
    if (!loadTest) throw new HttpError(409, "conflict", `${field}: the run's load test was deleted: it has no baseline`, field);
    // `?? null`: a view projected before load tests had baselines carries none.
    const baselineRunId = loadTest.baselineRunId ?? null;
    if (baselineRunId === null)
      throw new HttpError(409, "conflict", `${field}: the load test has no baseline (POST /v1/load-tests/{id}/baseline sets one)`, field);
    const baseline = await readModel.run(run.tenantId, baselineRunId);
    if (!baseline) throw new HttpError(409, "conflict", `${field}: the load test's baseline run ${baselineRunId} is gone`, field);
    return { run: baseline, via: "baseline" };
  }
  // A parameter naming no run of the tenant is bad input (404 is for the path's resource).
  const other = ID_PATTERN.test(to) ? await readModel.run(run.tenantId, to) : null;
  if (!other) throw new HttpError(400, "invalid_request", `${field}: no run ${to} in this tenant`, field);
  return { run: other, via: "run" };
}

/** The comparison of `run` with `previous`, as `GET /v1/runs/{id}/compare` answers it. */
export async function runComparison(
  readModel: PgReadModel,
  run: RunView,
  previous: { run: RunView; via: "baseline" | "run" },
): Promise<RunComparisonView> {
  const [current, before] = await Promise.all([runSample(readModel, run), runSample(readModel, previous.run)]);
  return {
    runId: run.id,
    comparedWith: {
      runId: previous.run.id,
      loadTestId: previous.run.loadTestId,
      via: previous.via,
      startedAt: previous.run.startedAt,
    },
    sameTest: previous.run.loadTestId === run.loadTestId,
    ...compareRuns(current, before),
  };
}
