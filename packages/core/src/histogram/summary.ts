// Latency summaries (count, min/max, mean, percentiles in ms), computed in one pass over the non-zero
// counts, from a histogram or straight from its encoding. Kept apart from the wire format (codec.ts),
// which it only reads through: the summaries' concern is matching the lib's figures exactly.
import * as hdr from "hdr-histogram-js";
import { decodeV2, mergeHistograms, minRunIndex, readDigits, readLowest, readRuns, runs, v2Bytes } from "./codec.ts";
import {
  bucketHighest,
  fillLatencyIndex,
  type Histogram,
  hasLatencyMaths,
  latencyTablesUpTo,
  loweredMin,
  raisedMax,
  template,
} from "./latency-histogram.ts";

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
const EMPTY_SUMMARY: Readonly<LatencySummary> = { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };

/**
 * Count, min/max, mean and p50/p90/p95/p99/p99.9 in milliseconds, exactly (===) as the lib's `mean` and
 * `getValueAtPercentile` give them (then rounded to the µs), in one pass over the recorded range only
 * (those getters each scan the whole counts array, with a few Math.pow per index for `mean`).
 */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { ...EMPTY_SUMMARY };
  // Not a JS histogram, or counts that do not add up to totalCount (nothing these modules build): the lib decides.
  if (!(h instanceof hdr.JsHistogram) || !histogramRuns(h)) return librarySummary(h);
  return runsSummary(h, h.totalCount, h.minNonZeroValue, h.maxValue);
}

/**
 * `summarize(decodeHistogram(encoded))`, without building the histogram (no 70+ KB counts array to zero):
 * the figures come straight from the parsed non-zero counts, with the template's index maths.
 */
export function summarizeEncoded(encoded: string): LatencySummary {
  const bytes = v2Bytes(encoded);
  const t = template();
  if (readLowest(bytes) !== t.lowestDiscernibleValue || readDigits(bytes) !== t.numberOfSignificantValueDigits) {
    return summarize(decodeV2(bytes)); // other index maths: rare enough to take the long way
  }
  readRuns(bytes);
  const n = runs.length;
  if (n === 0) return { ...EMPTY_SUMMARY };
  const maxIndex = runs.index[n - 1]!;
  // decodeV2 throws beyond any range, and its 32-bit buckets would wrap a count >= 2^32: let it do exactly that.
  if (runs.maxCount > MAX_BUCKET_COUNT || beyondAnyRange(t, maxIndex)) return summarize(decodeV2(bytes));
  // The extremes as decodeV2 sets them on a fresh histogram.
  const minIndex = minRunIndex();
  const min = minIndex > 0 ? loweredMin(t, Number.MAX_SAFE_INTEGER, minIndex) : Number.MAX_SAFE_INTEGER;
  return runsSummary(t, runs.total, min, raisedMax(t, 0, maxIndex));
}

/** The summary of the exact merge of some encoded histograms; a single one skips building a histogram at all. */
export function summarizeMerged(encoded: readonly string[]): LatencySummary {
  return encoded.length === 1 ? summarizeEncoded(encoded[0]!) : summarize(mergeHistograms(encoded));
}

/** Largest count a decoded (Uint32) bucket holds. */
const MAX_BUCKET_COUNT = 0xffffffff;

const PERCENTILES = [50, 90, 95, 99, 99.9] as const;
// As getValueAtPercentile divides first: (percentile / 100) * totalCount.
const FRACTIONS = PERCENTILES.map((p) => p / 100);

/** The lib's ulp (ulp.js, not exported), which getValueAtPercentile uses to round the wanted count up. */
const ulp = (x: number): number => 2 ** (Math.floor(Math.log2(x)) - 52);

/** getValueAtPercentile's rank: the first index whose cumulative count reaches it holds the percentile. */
function countAtPercentile(fraction: number, total: number): number {
  const fp = fraction * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

/**
 * True when the lib's autoResize cannot reach `index` (values beyond 2^53 µs): `decodeV2` throws there.
 * Pure arithmetic on `h`'s config: no counts array is involved.
 */
function beyondAnyRange(h: hdr.JsHistogram, index: number): boolean {
  return index >= h.countsArrayLength && index >= h.determineArrayLengthNeeded(h.valueFromIndex(index));
}

/**
 * Loads `h`'s non-zero counts into `runs`: index 0 (recorded zeros), then the indexes from minNonZeroValue's
 * to maxValue's (the lib keeps those two bounding every count), up to where they reach totalCount, which is
 * where the lib's `mean` stops. False when they never reach it.
 */
function histogramRuns(h: hdr.JsHistogram): boolean {
  const total = h.totalCount;
  const last = Math.min(h.countsArrayIndex(h.maxValue), h.countsArrayLength - 1);
  const first = h.minNonZeroValue <= h.maxValue ? Math.max(h.countsArrayIndex(h.minNonZeroValue), 1) : last + 1;
  const room = Math.max(last - first + 2, 1);
  if (runs.index.length < room) {
    const size = Math.max(room, runs.index.length * 2);
    runs.index = new Float64Array(size);
    runs.count = new Float64Array(size);
  }
  const { index, count } = runs;
  let n = 0;
  let cumulative = h.getCountAtIndex(0);
  if (cumulative !== 0) {
    index[n] = 0;
    count[n++] = cumulative;
  }
  for (let i = first; i <= last && cumulative < total; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) {
      index[n] = i;
      count[n++] = c;
      cumulative += c;
    }
  }
  runs.length = n;
  runs.total = cumulative;
  return cumulative >= total;
}

/**
 * The summary of the counts in `runs` (which reach `total`, the totalCount), with `maths` for the
 * index → value maths, and min / max in µs as the histogram tracks them.
 * Same arithmetic in the same order as the lib, hence === results.
 */
function runsSummary(maths: hdr.JsHistogram, total: number, min: number, max: number): LatencySummary {
  const values = runsPercentiles(maths, total);
  return {
    count: total,
    min: ms(min === Number.MAX_SAFE_INTEGER ? 0 : min),
    max: ms(max),
    mean: ms(runsValueSum(maths) / total),
    p50: ms(values[0]!),
    p90: ms(values[1]!),
    p95: ms(values[2]!),
    p99: ms(values[3]!),
    p999: ms(values[4]!),
  };
}

/** The lib's `mean` numerator: each bucket's median value times its count, added in index order. */
function runsValueSum(maths: hdr.JsHistogram): number {
  const n = runs.length;
  const { index, count } = runs;
  let sum = 0;
  if (n > 0 && hasLatencyMaths(maths)) {
    const medians = latencyTablesUpTo(index[n - 1]!).median;
    for (let k = 0; k < n; k++) {
      let median = medians[index[k]!]!;
      if (Number.isNaN(median)) median = fillLatencyIndex(index[k]!);
      sum += median * count[k]!;
    }
  } else {
    for (let k = 0; k < n; k++)
      sum += maths.medianEquivalentValue(maths.highestEquivalentValue(maths.valueFromIndex(index[k]!))) * count[k]!;
  }
  return sum;
}

const percentileRanks = new Float64Array(PERCENTILES.length);
const percentileValues = new Float64Array(PERCENTILES.length);

/** PERCENTILES' values in µs, as getValueAtPercentile gives them: the first bucket whose cumulative count reaches the rank. */
function runsPercentiles(maths: hdr.JsHistogram, total: number): Float64Array {
  const ranks = percentileRanks;
  const values = percentileValues.fill(0); // what the lib returns for a rank never reached
  let nextRank = Infinity; // the lowest rank not reached yet: one compare per bucket
  for (let q = 0; q < ranks.length; q++) nextRank = Math.min(nextRank, (ranks[q] = countAtPercentile(FRACTIONS[q]!, total)));
  const n = runs.length;
  const { index, count } = runs;
  let cumulative = 0;
  for (let k = 0; k < n && nextRank !== Infinity; k++) {
    cumulative += count[k]!;
    if (cumulative < nextRank) continue;
    // Every rank reached here gets this bucket (ranks rise with the percentile; nothing relies on it).
    nextRank = Infinity;
    for (let q = 0; q < ranks.length; q++) {
      if (cumulative >= ranks[q]!) {
        values[q] = bucketHighest(maths, index[k]!);
        ranks[q] = Infinity;
      } else {
        nextRank = Math.min(nextRank, ranks[q]!);
      }
    }
  }
  return values;
}

/** The straightforward summary through the lib's getters (a fallback for histograms the fast path cannot read). */
function librarySummary(h: Histogram): LatencySummary {
  return {
    count: h.totalCount,
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
