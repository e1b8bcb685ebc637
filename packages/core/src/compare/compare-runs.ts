// Comparing two runs: per endpoint and overall, the change of each headline figure and whether it
// is beyond the runs' own noise. The method and its limits: docs/compare.md.
import { decodeHistogram } from "../histogram/codec.ts";
import type { Histogram } from "../histogram/latency-histogram.ts";
import { type LatencySummary, summarizeEncoded } from "../histogram/summary.ts";
import { batchStandardError, percentileStandardError, pooledProportionStandardError } from "./noise.ts";

export const COMPARED_PERCENTILES = ["p50", "p90", "p95", "p99", "p999"] as const;
export type ComparedPercentile = (typeof COMPARED_PERCENTILES)[number];
/** The figures compared, in the order they are shown. */
export const COMPARED_METRICS = [...COMPARED_PERCENTILES, "errorRate", "rps"] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

const FRACTION: Record<ComparedPercentile, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 };

/** One time bucket of a series (10 s, say): what the noise is measured on. */
export type BucketSample = {
  /** Seconds of the bucket with data (of the whole run, not only of this series). */
  seconds: number;
  requests: number;
  failures: number;
  /** The bucket's exact percentiles, ms. */
  latency: Pick<LatencySummary, ComparedPercentile>;
};

/** A series of a run (all its requests, or one endpoint's): the whole run's figures and its buckets'. */
export type SeriesSample = {
  /** The merged latency histogram of the whole run, encoded as the read side stores it; null when it has none. */
  histogram: string | null;
  requests: number;
  failures: number;
  /** The seconds the run's rate divides by (first to last second with data). */
  seconds: number;
  buckets: readonly BucketSample[];
};
export type EndpointSample = SeriesSample & { name: string; method: string };
/** What the read side gives of a run for a comparison. */
export type RunSample = { overall: SeriesSample; endpoints: readonly EndpointSample[]; bucketSec: number };

export type ChangeVerdict = "better" | "same" | "worse";

/** One figure of both runs: its values, the change, and whether the change is beyond the noise. */
export type MetricComparison = {
  current: number;
  previous: number;
  /** current − previous. */
  delta: number;
  /** delta / previous; null when previous is 0. */
  relative: number | null;
  /** The smallest |delta| called a change: max(relativeFloor × |previous|, k × the combined standard error). */
  threshold: number;
  /** delta over the combined standard error; null when that is 0. */
  z: number | null;
  verdict: ChangeVerdict;
};

export type SeriesComparison = {
  requests: { current: number; previous: number };
  /** Each figure compared; null when one of the runs has no request in the series. */
  metrics: Record<ComparedMetric, MetricComparison> | null;
};
export type EndpointComparison = SeriesComparison & {
  name: string;
  method: string;
  /** Which runs have requests of this endpoint. */
  in: "both" | "current" | "previous";
};

export type CompareOptions = {
  /** A change smaller than this share of the previous value is `same` however sure (default 0.05). */
  relativeFloor: number;
  /** How many combined standard errors a change must exceed (default 3). */
  k: number;
};
export const COMPARE_DEFAULTS: Readonly<CompareOptions> = { relativeFloor: 0.05, k: 3 };

export type RunsComparison = {
  /** `worse` when any figure of any series is worse, else `better` when any is better, else `same`. */
  verdict: ChangeVerdict;
  counts: Record<ChangeVerdict, number>;
  overall: SeriesComparison;
  endpoints: EndpointComparison[];
  method: CompareOptions & { bucketSec: { current: number; previous: number } };
};

/** What `GET /v1/runs/{id}/compare` answers: the comparison, with which runs it is of. */
export type RunComparisonView = RunsComparison & {
  runId: string;
  comparedWith: {
    runId: string;
    loadTestId: string;
    /** `baseline`: the load test's baseline run, as asked with `to=baseline`; `run`: a run named by its id. */
    via: "baseline" | "run";
    startedAt: string | null;
  };
  /** False when the runs are of different load tests: allowed, but read it with care. */
  sameTest: boolean;
};

const LOWER_IS_BETTER: Record<ComparedMetric, boolean> = {
  p50: true,
  p90: true,
  p95: true,
  p99: true,
  p999: true,
  errorRate: true,
  rps: false,
};

/** Rounded for the answer (the verdict is taken before): no 0.30000000000000004 in JSON. */
const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** A series' figures and their standard errors, read once. */
type Measured = {
  requests: number;
  failures: number;
  values: Record<ComparedMetric, number>;
  /** Standard errors of the figures a run alone knows (not the error rate's: that one is pooled over both runs). */
  se: Record<Exclude<ComparedMetric, "errorRate">, number>;
};

function measure(s: SeriesSample): Measured {
  const latency = s.histogram ? summarizeEncoded(s.histogram) : null;
  // Decoded only for its order statistics, and only once per series.
  let histogram: Histogram | undefined;
  const decoded = () => (histogram ??= decodeHistogram(s.histogram!));
  const withRequests = s.buckets.filter((b) => b.requests > 0);
  const weights = withRequests.map((b) => b.requests);
  const latencySe = (p: ComparedPercentile) =>
    latency && latency.count > 0
      ? Math.max(
          percentileStandardError(decoded(), FRACTION[p]),
          batchStandardError(
            withRequests.map((b) => b.latency[p]),
            weights,
          ),
        )
      : 0;
  const timed = s.buckets.filter((b) => b.seconds > 0);
  const rps = ratio(s.requests, s.seconds);
  return {
    requests: s.requests,
    failures: s.failures,
    values: {
      p50: latency?.p50 ?? 0,
      p90: latency?.p90 ?? 0,
      p95: latency?.p95 ?? 0,
      p99: latency?.p99 ?? 0,
      p999: latency?.p999 ?? 0,
      errorRate: ratio(s.failures, s.requests),
      rps,
    },
    se: {
      p50: latencySe("p50"),
      p90: latencySe("p90"),
      p95: latencySe("p95"),
      p99: latencySe("p99"),
      p999: latencySe("p999"),
      // Poisson arrivals at the least; the buckets' spread of rates when it is larger (ramps, stalls).
      rps: Math.max(
        s.seconds > 0 ? Math.sqrt(s.requests) / s.seconds : 0,
        batchStandardError(
          timed.map((b) => b.requests / b.seconds),
          timed.map((b) => b.seconds),
        ),
      ),
    },
  };
}

function judge(metric: ComparedMetric, current: number, previous: number, se: number, o: CompareOptions): MetricComparison {
  const delta = current - previous;
  const threshold = Math.max(o.relativeFloor * Math.abs(previous), o.k * se);
  const changed = Math.abs(delta) > threshold && delta !== 0;
  const up: ChangeVerdict = LOWER_IS_BETTER[metric] ? "worse" : "better";
  const down: ChangeVerdict = LOWER_IS_BETTER[metric] ? "better" : "worse";
  const digits = metric === "errorRate" ? 6 : 3;
  return {
    current: round(current, digits),
    previous: round(previous, digits),
    delta: round(delta, digits),
    relative: previous === 0 ? null : round(delta / previous, 4),
    threshold: round(threshold, digits),
    z: se === 0 ? null : round(delta / se, 2),
    verdict: changed ? (delta > 0 ? up : down) : "same",
  };
}

function compareSeries(current: SeriesSample | undefined, previous: SeriesSample | undefined, o: CompareOptions): SeriesComparison {
  const requests = { current: current?.requests ?? 0, previous: previous?.requests ?? 0 };
  if (!current || !previous || current.requests === 0 || previous.requests === 0) return { requests, metrics: null };
  const c = measure(current);
  const p = measure(previous);
  const combined = (m: keyof Measured["se"]) => Math.hypot(c.se[m], p.se[m]);
  const metrics = {} as Record<ComparedMetric, MetricComparison>;
  for (const m of COMPARED_METRICS) {
    const se = m === "errorRate" ? pooledProportionStandardError(c.failures, c.requests, p.failures, p.requests) : combined(m);
    metrics[m] = judge(m, c.values[m], p.values[m], se, o);
  }
  return { requests, metrics };
}

const endpointKey = (e: { method: string; name: string }) => `${e.method} ${e.name}`;

/**
 * Compares a run with an earlier one (or any other): per endpoint (name and method) and overall,
 * p50/p90/p95/p99/p99.9, error rate and throughput, each `better`, `same` or `worse`. A change
 * counts only beyond max(relativeFloor × previous, k × the combined standard error), the standard
 * error being the larger of the figure's sampling error and its spread across the run's own
 * buckets (for the error rate: the two-proportion z-test's). See docs/compare.md.
 */
export function compareRuns(current: RunSample, previous: RunSample, options: Partial<CompareOptions> = {}): RunsComparison {
  const o: CompareOptions = { ...COMPARE_DEFAULTS, ...options };
  const before = new Map(previous.endpoints.map((e) => [endpointKey(e), e]));
  const now = new Map(current.endpoints.map((e) => [endpointKey(e), e]));
  const keys = [...new Set([...now.keys(), ...before.keys()])];
  const endpoints: EndpointComparison[] = keys
    .map((k) => {
      const c = now.get(k);
      const p = before.get(k);
      const hasC = (c?.requests ?? 0) > 0;
      const hasP = (p?.requests ?? 0) > 0;
      const { name, method } = (c ?? p)!;
      return { name, method, in: hasC && hasP ? "both" : hasC ? "current" : "previous", ...compareSeries(c, p, o) } as const;
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method));
  const overall = compareSeries(current.overall, previous.overall, o);
  const counts: Record<ChangeVerdict, number> = { better: 0, same: 0, worse: 0 };
  for (const s of [overall, ...endpoints]) for (const m of Object.values(s.metrics ?? {})) counts[m.verdict]++;
  return {
    verdict: counts.worse > 0 ? "worse" : counts.better > 0 ? "better" : "same",
    counts,
    overall,
    endpoints,
    method: { ...o, bucketSec: { current: current.bucketSec, previous: previous.bucketSec } },
  };
}
