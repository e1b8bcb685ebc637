import { type AggregateView, isTerminal, type PriceModel, type RunCost, type RunView, runCost, vcpuSecondsOf } from "@loadline/core";
import { MetricsQueries } from "./metrics-queries.ts";
import type { PgReadModel } from "./read-model.ts";

/** What the metrics measured of a run: the figures its cost prices (AggregateView's, summed over every worker and second). */
export type MeasuredTotals = { requests: number; bytesIn: number; bytesOut: number; iterations: number };

/**
 * Until when a run's workers are counted: the end of its load, or now while it runs (its cost
 * so far). A run that ended without a recorded end (cancelled while queued) ended at its last event.
 */
function heldUntil(run: RunView, now: number): string {
  if (run.finishedAt) return run.finishedAt;
  if (isTerminal(run.status)) return run.updatedAt ?? run.createdAt;
  return new Date(now).toISOString();
}

/**
 * A run's cost under `price`: its requests, bytes and iterations as measured, and its workers'
 * vCPU-seconds from their assignments (workers recorded without vCPUs count 1, and the usage
 * says it is estimated). Pure: the totals come from the aggregate (or measuredTotals).
 */
export function costOfRun(run: RunView, totals: MeasuredTotals, price: PriceModel, now: number): RunCost {
  const held = vcpuSecondsOf(run.workers, run.gaps, heldUntil(run, now));
  const usage = {
    vcpuSeconds: held.vcpuSeconds,
    egressBytes: totals.bytesIn + totals.bytesOut,
    requests: totals.requests,
    iterations: totals.iterations,
    estimated: held.estimated,
  };
  return runCost(usage, price);
}

/** A run's measured totals from its whole-run rollup row (one row, no histogram): cheap enough for every GET of a run. */
export async function measuredTotals(readModel: PgReadModel, run: RunView): Promise<MeasuredTotals> {
  const rows = await readModel.rollupSummaries(run.tenantId, run.id, { series: "all" });
  const totals: MeasuredTotals = { requests: 0, bytesIn: 0, bytesOut: 0, iterations: 0 };
  for (const r of rows) {
    totals.requests += r.requests;
    totals.bytesIn += r.bytesIn;
    totals.bytesOut += r.bytesOut;
    totals.iterations += r.iterations;
  }
  return totals;
}

/** The whole run's aggregate, as GET /v1/runs/{id}/metrics/aggregate answers it without a selection. */
export const runAggregate = (readModel: PgReadModel, run: RunView): Promise<AggregateView> =>
  new MetricsQueries(readModel).aggregate(run, {});
