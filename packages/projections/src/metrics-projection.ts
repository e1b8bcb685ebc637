import { pointOf, subjects, type MetricWindow } from "@loadline/core";
import { and, eq, max, sql } from "drizzle-orm";
import type { Tx } from "./database.ts";
import type { Projection, ProjectedEvent } from "./projector.ts";
import { metricWindows, runs } from "./schema.ts";

export const METRICS_PROJECTION = "metrics";

type TenantWindow = MetricWindow & { tenantId: string };

/** The metric windows of every worker, stored as they came, and each run's latest second as its `last_metrics`. */
export function metricsProjection(): Projection {
  return {
    name: METRICS_PROJECTION,
    source: (ns) => ({ stream: ns.streams.metrics, filterSubject: subjects.allMetrics(ns) }),
    async apply(tx: Tx, batch: readonly ProjectedEvent[]) {
      const windows: TenantWindow[] = batch.flatMap(({ event }) => (event.type === "metrics.window" ? [{ ...event.data, tenantId: event.tenantId }] : []));
      if (windows.length === 0) return;
      await insertWindows(tx, windows);
      const touched = new Map(windows.map((w) => [`${w.tenantId}\u0000${w.runId}`, w]));
      for (const w of touched.values()) await refreshLastMetrics(tx, w.tenantId, w.runId);
    },
  };
}

/**
 * The hot path: the whole batch in one statement with one parameter (a JSON array), rather
 * than building SQL row by row. A window already stored (a redelivery) is left as it is.
 */
async function insertWindows(tx: Tx, windows: readonly TenantWindow[]): Promise<void> {
  const payload = JSON.stringify(
    windows.map((w) => ({
      tenant_id: w.tenantId,
      run_id: w.runId,
      worker_id: w.workerId,
      second: w.second,
      active_users: w.activeUsers,
      requests: w.requests,
      iterations: w.iterations ?? 0,
      dropped_iterations: w.droppedIterations ?? 0,
      checks_passed: w.checksPassed ?? 0,
      checks_failed: w.checksFailed ?? 0,
    })),
  );
  await tx.execute(sql`
    insert into ${metricWindows} (tenant_id, run_id, worker_id, second, active_users, requests, iterations, dropped_iterations, checks_passed, checks_failed)
    select tenant_id, run_id, worker_id, second, active_users, requests, iterations, dropped_iterations, checks_passed, checks_failed
    from jsonb_to_recordset(${payload}::jsonb)
      as w(tenant_id text, run_id text, worker_id text, second bigint, active_users integer, requests jsonb,
           iterations integer, dropped_iterations integer, checks_passed integer, checks_failed integer)
    on conflict do nothing`);
}

/** The run's latest second that has windows, merged across its workers. A window arriving late for an older second changes nothing. */
async function refreshLastMetrics(tx: Tx, tenantId: string, runId: string): Promise<void> {
  const ofRun = and(eq(metricWindows.tenantId, tenantId), eq(metricWindows.runId, runId));
  const latest = tx.select({ second: max(metricWindows.second) }).from(metricWindows).where(ofRun);
  const rows = await tx
    .select({ second: metricWindows.second, workerId: metricWindows.workerId, activeUsers: metricWindows.activeUsers, requests: metricWindows.requests })
    .from(metricWindows)
    .where(and(ofRun, eq(metricWindows.second, sql`(${latest})`)));
  const second = rows[0]?.second;
  if (second === undefined) return;
  // A run the events projection has not written yet is updated by the next batch of windows.
  await tx.update(runs).set({ lastMetrics: pointOf(second, rows) }).where(and(eq(runs.tenantId, tenantId), eq(runs.id, runId)));
}
