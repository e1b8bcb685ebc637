/**
 * How many run series a process exposes and pushes, at most: the bounds of their cardinality.
 * A run has at most 36 series per request name (16 of them latency buckets) and 6 of its own; with
 * the defaults that is at most 20 runs x (21 names x 36 + 6) = 15,240 series.
 */
export type SeriesLimits = {
  /** Runs with series at once; past it, the run whose newest second is oldest is dropped. */
  maxRuns: number;
  /** Request names (method and name) of a run with series of their own; later ones are summed as `_other`. */
  maxRequestsPerRun: number;
  /** A run's series go this long after its newest second (a finished run's last figures stay this long). */
  retentionSec: number;
};

export const DEFAULT_SERIES_LIMITS: SeriesLimits = { maxRuns: 20, maxRequestsPerRun: 20, retentionSec: 300 };

/** The request label of every name past `maxRequestsPerRun`. */
export const OTHER_REQUESTS = "_other";
