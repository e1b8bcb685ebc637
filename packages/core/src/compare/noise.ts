// The noise estimates a comparison judges a change against (docs/compare.md, "The method").
import type { Histogram } from "../histogram/latency-histogram.ts";

/**
 * The standard error of a run-level figure from the spread of that figure across the run's own
 * time buckets (the method of batch means): the weighted standard deviation of the bucket values
 * over √k, with k the buckets' effective number (Σw)²/Σw², so a nearly empty bucket counts for
 * little. Drift and autocorrelation up to a bucket's length show in it; sampling error alone
 * would miss them. 0 when fewer than two buckets weigh anything: no spread to measure.
 */
export function batchStandardError(values: readonly number[], weights: readonly number[]): number {
  let sw = 0;
  let sw2 = 0;
  let swv = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    n++;
    sw += w;
    sw2 += w * w;
    swv += w * values[i]!;
  }
  if (n < 2) return 0;
  const k = (sw * sw) / sw2;
  if (k <= 1) return 0;
  const mean = swv / sw;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i]!;
    if (w > 0) ss += w * (values[i]! - mean) ** 2;
  }
  // The weighted variance, unbiased for k effective buckets; the mean of k of them varies k times less.
  const variance = (ss / sw) * (k / (k - 1));
  return Math.sqrt(variance / k);
}

/** The value (ms) at a fraction 0..1 of a latency histogram (µs): the minimum at 0, the maximum at 1. */
function valueAt(h: Histogram, fraction: number): number {
  const us = fraction <= 0 ? h.minNonZeroValue : fraction >= 1 ? h.maxValue : h.getValueAtPercentile(fraction * 100);
  return us / 1000;
}

/**
 * The sampling error (ms) of the percentile at `fraction` of independent samples: the rank of the
 * q-quantile among n samples varies by √(n·q·(1−q)), so the standard error is half the distance
 * between the values at q ± √(q(1−q)/n), read off the merged histogram (an order-statistic
 * interval: no assumption about the distribution's shape).
 */
export function percentileStandardError(h: Histogram, fraction: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  const half = Math.sqrt((fraction * (1 - fraction)) / n);
  return (valueAt(h, fraction + half) - valueAt(h, fraction - half)) / 2;
}

/**
 * The two-proportion z-test's standard error of a difference in error rates, under the hypothesis
 * that both runs fail at the same rate (the pooled rate): √(p(1−p)(1/n₁ + 1/n₂)).
 */
export function pooledProportionStandardError(failures1: number, requests1: number, failures2: number, requests2: number): number {
  if (requests1 === 0 || requests2 === 0) return 0;
  const p = (failures1 + failures2) / (requests1 + requests2);
  return Math.sqrt(p * (1 - p) * (1 / requests1 + 1 / requests2));
}
