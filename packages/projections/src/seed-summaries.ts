import {
  type DistributionView,
  type MetricsPoint,
  pointHasData,
  type RunView,
  type SeedMetricsPoint,
  type SeedSummary,
  seedPointOf,
  seedSummaryOf,
} from "@loadline/core";
import type { MetricsQueries, MetricsSelection } from "./metrics-queries.ts";
import type { PgReadModel } from "./read-model.ts";

/**
 * Seed 001's parts of the metrics answers (issue 20, docs/seed-contract.md), beside Loadline's:
 * the maths is core's (seed-contract.ts); this only reads what it needs.
 */

/** A timeseries' seed parts: the points that had load, under the seed's names (it stored no empty buckets), and their summary. */
export function seedTimeseries(points: readonly MetricsPoint[]): { dataPoints: SeedMetricsPoint[]; summary: SeedSummary } {
  return { dataPoints: points.filter(pointHasData).map(seedPointOf), summary: seedSummaryOf(points) };
}

/** The scatter's points under the seed's names: each second's requests and its p50 and p99. */
export const seedScatterPoints = (points: DistributionView["points"]) =>
  points.map((p) => ({ timestamp: p.time, totalRequests: p.requests, p50ResponseMs: p.p50, p99ResponseMs: p.p99 }));

/**
 * The aggregate's seed figures (avgRPS, maxRPS, minRPS, avgP50...): the summary of the selection's
 * series at the step `auto` picks, the same as `timeseries?step=auto` gives for it. The range is
 * cut to the run's data first, so an aggregate asked over a wider range than a series may cover
 * (a year, say) still answers.
 */
export async function seedAggregateFigures(
  readModel: PgReadModel,
  metrics: MetricsQueries,
  run: RunView,
  sel: MetricsSelection,
): Promise<SeedSummary> {
  const span = await readModel.secondSpan(run.tenantId, run.id);
  if (!span) return seedSummaryOf([]);
  const from = Math.max(sel.from ?? span.first, span.first);
  const to = Math.min(sel.to ?? span.last, span.last);
  if (to < from) return seedSummaryOf([]);
  const { points } = await metrics.timeseries(run, { ...sel, from, to }, "auto");
  return seedSummaryOf(points);
}
