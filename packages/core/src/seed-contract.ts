import { DomainError } from "./errors.ts";
import type { LoadTestSpec } from "./schemas/load-test.ts";
import type { Metadata } from "./schemas/scope.ts";
import type { MetricsPoint } from "./views.ts";

/**
 * Seed 001's Load Manager contract (issue 20, docs/seed-contract.md): its names accepted as input
 * and answered beside Loadline's, never instead of them. Pure: the routes call these.
 */

/** What a load test that exists answers as its `status`: the seed's only one (a test has no lifecycle of its own). */
export const LOAD_TEST_STATUS = "Created";

/** A metrics point under the seed's names (its metrics_timeseries fields). Latencies in ms; counts of the point's bucket. */
export type SeedMetricsPoint = {
  timestamp: string;
  totalRPS: number;
  totalRequests: number;
  totalFailures: number;
  errorRate: number;
  currentUsers: number;
  p50ResponseMs: number;
  p95ResponseMs: number;
  p99ResponseMs: number;
  minResponseMs: number;
  maxResponseMs: number;
  avgResponseMs: number;
};

/** A run's lastMetrics: Loadline's point with the seed's names beside. */
export type LastMetrics = MetricsPoint & SeedMetricsPoint;

/** The seed's summary figures of a series (its timeseries `summary`, and the aggregate's). Latencies in ms. */
export type SeedSummary = {
  /** Mean of the points' rates: over points of equal length, the range's requests per second of data. */
  avgRPS: number;
  maxRPS: number;
  minRPS: number;
  /** The points' percentiles averaged, each weighted by its requests (the exact figure over the range is the aggregate's `latency`). */
  avgP50: number;
  avgP95: number;
  avgP99: number;
  totalRequests: number;
  totalFailures: number;
};

export const seedPointOf = (p: MetricsPoint): SeedMetricsPoint => ({
  timestamp: p.time,
  totalRPS: p.rps,
  totalRequests: p.requests,
  totalFailures: p.failures,
  errorRate: p.errorRate,
  currentUsers: p.users,
  p50ResponseMs: p.p50,
  p95ResponseMs: p.p95,
  p99ResponseMs: p.p99,
  minResponseMs: p.min,
  maxResponseMs: p.max,
  avgResponseMs: p.mean,
});

export const lastMetricsOf = (p: MetricsPoint): LastMetrics => ({ ...p, ...seedPointOf(p) });

/** A point of a bucket that had load: a series fills the buckets without data with zero points, which the seed never stored. */
export const pointHasData = (p: MetricsPoint): boolean => p.requests > 0 || p.users > 0 || p.interrupted > 0;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The seed's summary of a series: over its points that had load (all zero when none had). */
export function seedSummaryOf(points: readonly MetricsPoint[]): SeedSummary {
  const loaded = points.filter(pointHasData);
  let requests = 0;
  let failures = 0;
  let rpsSum = 0;
  let maxRPS = 0;
  let minRPS = Number.POSITIVE_INFINITY;
  const weighted = { p50: 0, p95: 0, p99: 0 };
  for (const p of loaded) {
    requests += p.requests;
    failures += p.failures;
    rpsSum += p.rps;
    maxRPS = Math.max(maxRPS, p.rps);
    minRPS = Math.min(minRPS, p.rps);
    weighted.p50 += p.p50 * p.requests;
    weighted.p95 += p.p95 * p.requests;
    weighted.p99 += p.p99 * p.requests;
  }
  const byRequests = (sum: number) => (requests > 0 ? round(sum / requests) : 0);
  return {
    avgRPS: loaded.length > 0 ? round(rpsSum / loaded.length) : 0,
    maxRPS: round(maxRPS),
    minRPS: loaded.length > 0 ? round(minRPS) : 0,
    avgP50: byRequests(weighted.p50),
    avgP95: byRequests(weighted.p95),
    avgP99: byRequests(weighted.p99),
    totalRequests: requests,
    totalFailures: failures,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Why a Locust cluster is refused: a 400 naming it, not an "unrecognized key". Loadline runs a
 * locustfile on its own workers (docs/locust.md), so there is no cluster to name.
 */
export const LOCUST_CLUSTER_REFUSED =
  "Loadline runs a locustfile on its own workers, not on a Locust cluster: leave it out, and choose workers with a run's placement (workers, workerSelector)";

/**
 * A write's body with the seed's bookkeeping taken out: who created or updated something is the
 * credential's actor (a client cannot write it), so `createdBy` and `updatedBy` are accepted and
 * ignored; `tenantId` is the credential's too, so it is accepted when it names the caller's tenant
 * and refused (403 naming it) when it names another.
 */
export function seedWriteInput(input: unknown, tenantId: string): unknown {
  if (!isObject(input)) return input;
  const { createdBy: _createdBy, updatedBy: _updatedBy, ...rest } = input;
  if (!Object.hasOwn(rest, "tenantId")) return rest;
  const { tenantId: named, ...body } = rest;
  if (named !== tenantId)
    throw new DomainError("forbidden", `tenantId: the credential's tenant is ${tenantId}; it may write no other`, "tenantId");
  return body;
}

/**
 * A load test's body as the seed writes it, made Loadline's: a locustfile without an engine is
 * the seed's way of saying `engine: "locust"`; a Locust cluster refused; the bookkeeping taken
 * out (seedWriteInput).
 */
export function loadTestInputOfSeed(input: unknown, tenantId: string): unknown {
  if (isObject(input) && Object.hasOwn(input, "locustClusterId"))
    throw new DomainError("invalid", `locustClusterId: ${LOCUST_CLUSTER_REFUSED}`, "locustClusterId");
  const body = seedWriteInput(input, tenantId);
  if (isObject(body) && body.locustfile !== undefined && !Object.hasOwn(body, "engine")) return { ...body, engine: "locust" };
  return body;
}

/** A run's duration from Loadline's `durationSec` or the seed's `durationSeconds`; both must agree when both are given. */
export function durationOfSeed(d: { durationSec?: number | undefined; durationSeconds?: number | undefined }): number | undefined {
  if (d.durationSec !== undefined && d.durationSeconds !== undefined && d.durationSec !== d.durationSeconds)
    throw new DomainError("invalid", "durationSeconds is durationSec by the seed's name: give one, or the same value", "durationSeconds");
  return d.durationSec ?? d.durationSeconds;
}

/** A run's own labels: as run.start gave them, its environment its test's when not given. */
export type RunScope = { name?: string; envId?: string; metadata?: Metadata };

export function runScopeOf(start: RunScope, spec: Pick<LoadTestSpec, "envId">): RunScope {
  const envId = start.envId ?? spec.envId;
  return {
    ...(start.name !== undefined ? { name: start.name } : {}),
    ...(envId !== undefined ? { envId } : {}),
    ...(start.metadata !== undefined ? { metadata: start.metadata } : {}),
  };
}
