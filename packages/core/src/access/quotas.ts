import { z } from "zod";
import { executorDurationSec, executorMaxVUs } from "../scenario/executors.ts";
import { peakRate, planExecutors } from "../scenario/lanes.ts";
import type { RunPlan } from "../scenario/normalize.ts";

/** What one tenant may ask of the platform. The platform admin sets them per tenant; these are the defaults. */
export const quotasSchema = z
  .object({
    maxVUs: z.number().int().positive().max(10_000_000),
    maxArrivalRate: z.number().positive().max(100_000_000),
    maxDurationSec: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 3600),
    maxConcurrentRuns: z.number().int().positive().max(10_000),
    /** Runs beyond maxConcurrentRuns wait in its queue, up to this many; beyond it a run is refused. */
    maxQueuedRuns: z.number().int().nonnegative().max(100_000),
    /** How long a queued run waits for room before it fails, saying so. */
    maxQueueWaitSec: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600),
    maxLoadTests: z.number().int().positive().max(1_000_000),
  })
  .strict();
export type Quotas = z.infer<typeof quotasSchema>;

/** Sensible for a shared platform: a few thousand users for a few hours, a handful of runs at once. */
export const DEFAULT_QUOTAS: Quotas = {
  maxVUs: 5_000,
  maxArrivalRate: 50_000,
  maxDurationSec: 4 * 3600,
  maxConcurrentRuns: 5,
  maxQueuedRuns: 50,
  maxQueueWaitSec: 3600,
  maxLoadTests: 1_000,
};

/** What a run asks for at its peak, against the quotas: the first limit it passes, or null. */
export type RunDemand = { vus: number; arrivalRate: number; durationSec: number };

export type QuotaViolation = { limit: keyof Quotas; field: string; message: string };

/** The first limit a run's size passes, or null: a run too big for its tenant never fits, so it is refused, not queued. */
export function runQuotaViolation(demand: RunDemand, quotas: Quotas): QuotaViolation | null {
  if (demand.vus > quotas.maxVUs)
    return { limit: "maxVUs", field: "targetUsers", message: `the run needs ${demand.vus} VUs; the tenant may use ${quotas.maxVUs}` };
  if (demand.arrivalRate > quotas.maxArrivalRate)
    return {
      limit: "maxArrivalRate",
      field: "workload",
      message: `the run starts ${demand.arrivalRate} iterations/s at its peak; the tenant may start ${quotas.maxArrivalRate}`,
    };
  if (demand.durationSec > quotas.maxDurationSec)
    return {
      limit: "maxDurationSec",
      field: "durationSec",
      message: `the run lasts ${demand.durationSec} s; the tenant may run ${quotas.maxDurationSec} s`,
    };
  return null;
}

/** A tenant's runs that count against its concurrency: those with load to run (queued ones wait apart). */
export type TenantRuns = { live: number; queued: number };

/** Whether a run of a right size starts now, waits in the tenant's queue (why), or is refused (the queue is full). */
export type RunAdmission = { start: true } | { start: false; queue: string } | { start: false; refused: QuotaViolation };

/**
 * A run starts when its tenant has room and nobody waits before it (first in, first out), else
 * it queues, unless the queue is full.
 */
export function runAdmission(runs: TenantRuns, quotas: Quotas): RunAdmission {
  if (runs.live < quotas.maxConcurrentRuns && runs.queued === 0) return { start: true };
  if (runs.queued >= quotas.maxQueuedRuns)
    return {
      start: false,
      refused: {
        limit: "maxQueuedRuns",
        field: "runs",
        message: `the tenant has ${runs.live} runs live and ${runs.queued} queued; it may queue ${quotas.maxQueuedRuns}`,
      },
    };
  return {
    start: false,
    queue:
      runs.queued > 0
        ? `${runs.queued} runs of the tenant are queued before it`
        : `the tenant already has ${runs.live} runs live; it may have ${quotas.maxConcurrentRuns} (maxConcurrentRuns)`,
  };
}

/** What a run asks for at its peak: the sum of its executors' VUs and arrival rates, and its longest duration. */
export function runDemand(plan: RunPlan, durationSec: number): RunDemand {
  const executors = planExecutors(plan);
  return {
    vus: executors.reduce((n, e) => n + executorMaxVUs(e), 0),
    arrivalRate: executors.reduce((n, e) => n + peakRate(e), 0),
    durationSec: Math.max(durationSec, ...executors.map(executorDurationSec)),
  };
}

/** A tenant's quotas: the platform's defaults, with what the platform admin set for it over them. */
export const quotasOf = (defaults: Quotas, set: Partial<Quotas> | undefined): Quotas => ({ ...defaults, ...set });
