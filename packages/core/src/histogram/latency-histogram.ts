// The latency histogram itself: its config (µs, 3 significant digits, autoResize) and that config's
// index → value maths, memoized. Its own module because both the wire codec (tracking values after adding
// counts by index) and the summaries (percentiles, mean) need the same maths, and neither owns the other.
import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

const LATENCY_LOWEST = 1;
export const LATENCY_HIGHEST = 60_000_000;
const LATENCY_DIGITS = 3;

/** Latency is recorded in microseconds, 3 significant digits, resizing as needed. */
export function newLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: LATENCY_LOWEST,
    highestTrackableValue: LATENCY_HIGHEST,
    numberOfSignificantValueDigits: LATENCY_DIGITS,
  });
}

/** A latency histogram used only for its index/value maths (pure arithmetic, any index), never recorded into. */
let latencyTemplate: hdr.JsHistogram | undefined;
export function template(): hdr.JsHistogram {
  if (!latencyTemplate) {
    const h = newLatencyHistogram();
    if (!(h instanceof hdr.JsHistogram)) throw new Error("newLatencyHistogram must build a JS histogram");
    latencyTemplate = h;
  }
  return latencyTemplate;
}

/** True when `h` maps indexes to values as the template does (the maths depend on these two only). */
export function hasLatencyMaths(h: hdr.JsHistogram): boolean {
  const t = template();
  return h.lowestDiscernibleValue === t.lowestDiscernibleValue && h.numberOfSignificantValueDigits === t.numberOfSignificantValueDigits;
}

/**
 * Per counts index of the latency config, the lib's values, computed on first use (NaN = not yet):
 * the lib's index maths cost ~0.5 µs a call (Math.pow), which made them the hot spot of a summary.
 * highest: highestEquivalentValue(valueFromIndex(i)), what getValueAtPercentile returns and maxValue holds;
 * median: medianEquivalentValue of it, what `mean` adds per count.
 */
const latencyTables = { highest: new Float64Array(0), median: new Float64Array(0) };

/** The tables, long enough for `index` (which must be within any range, see `beyondAnyRange` in summary.ts). */
export function latencyTablesUpTo(index: number): typeof latencyTables {
  const length = latencyTables.highest.length;
  if (index >= length) {
    const size = Math.max(index + 1, 2 * length, 4096);
    for (const key of ["highest", "median"] as const) {
      const grown = new Float64Array(size).fill(NaN);
      grown.set(latencyTables[key]);
      latencyTables[key] = grown;
    }
  }
  return latencyTables;
}

/** Computes index `i`'s table entries with the lib; returns its median. */
export function fillLatencyIndex(i: number): number {
  const t = template();
  const { highest, median } = latencyTablesUpTo(i);
  highest[i] = t.highestEquivalentValue(t.valueFromIndex(i));
  return (median[i] = t.medianEquivalentValue(highest[i]!));
}

/** highestEquivalentValue(valueFromIndex(index)) in `h`'s config, from the tables when they apply. */
export function bucketHighest(h: hdr.JsHistogram, index: number): number {
  if (!hasLatencyMaths(h)) return h.highestEquivalentValue(h.valueFromIndex(index));
  const highest = latencyTablesUpTo(index).highest[index]!;
  if (!Number.isNaN(highest)) return highest;
  fillLatencyIndex(index);
  return latencyTables.highest[index]!;
}

/** maxValue after the lib records something in bucket `index`: its highest value, plus the unit mask as it adds. */
export function raisedMax(h: hdr.JsHistogram, current: number, index: number): number {
  const top = bucketHighest(h, index) + h.unitMagnitudeMask;
  return Math.max(top, current);
}

/** minNonZeroValue after the lib records something in bucket `index` (> 0), with its rounding. */
export function loweredMin(h: hdr.JsHistogram, current: number, index: number): number {
  const bottom = h.valueFromIndex(index);
  if (bottom <= h.unitMagnitudeMask || bottom >= current) return current;
  const rounded = h.lowestDiscernibleValueRounded;
  return Math.floor(bottom / rounded) * rounded;
}
