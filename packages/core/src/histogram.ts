import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

/** Latency is recorded in microseconds, 3 significant digits, resizing as needed. */
export function newLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

export const decodeHistogram = (encoded: string): Histogram => hdr.decodeFromCompressedBase64(encoded, 32, false);

/** An exact merge: the result is the histogram of all the samples, not an average of percentiles. */
export function mergeHistograms(encoded: Iterable<string>): Histogram {
  const merged = newLatencyHistogram();
  for (const e of encoded) merged.add(decodeHistogram(e));
  return merged;
}

export type LatencySummary = {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
};

const ms = (us: number): number => Math.round(us) / 1000;

/** Percentiles in milliseconds, from `getValueAtPercentile` (the JS `summary` rounds to 3 digits). */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { count, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  return {
    count,
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
  };
}
