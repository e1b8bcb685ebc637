// Cumulative counts of a latency histogram at fixed bounds: what a classic Prometheus histogram
// (`_bucket{le}`) needs, read straight from the encoded bytes (no histogram is built).
import type * as hdr from "hdr-histogram-js";
import { decodeV2, readDigits, readLowest, readRuns, runs, v2Bytes } from "./codec.ts";
import { fillLatencyIndex, latencyTablesUpTo, template } from "./latency-histogram.ts";

/** An encoded histogram's values counted at each bound, their total and their sum. */
export type BoundCounts = {
  /** Per bound (ascending, µs): how many values are at or below it. */
  atOrBelow: number[];
  /** Every value counted (the `+Inf` bucket). */
  count: number;
  /** The values' sum in µs, each taken at its HDR bucket's middle (what the histogram's mean uses). */
  sumUs: number;
};

/**
 * The values of `encoded` at or below each of `boundsUs` (ascending). A value counts as at or below
 * a bound when its HDR bucket starts at or below it (HDR's own `getCountBetweenValues(0, bound)`):
 * exact up to the histogram's precision (3 significant digits), never an interpolation.
 */
export function boundCounts(encoded: string, boundsUs: readonly number[]): BoundCounts {
  const bytes = v2Bytes(encoded);
  const latency = template();
  if (readLowest(bytes) !== latency.lowestDiscernibleValue || readDigits(bytes) !== latency.numberOfSignificantValueDigits)
    return boundCountsByValue(decodeV2(bytes), boundsUs);
  readRuns(bytes);
  const atOrBelow = new Array<number>(boundsUs.length).fill(0);
  const boundIndexes = boundsUs.map((b) => latency.countsArrayIndex(b));
  let sumUs = 0;
  let b = 0;
  let below = 0;
  for (let k = 0; k < runs.length; k++) {
    const index = runs.index[k]!;
    const count = runs.count[k]!;
    // Runs ascend by index: every bound before this run's bucket has seen all it will.
    while (b < boundIndexes.length && boundIndexes[b]! < index) atOrBelow[b++] = below;
    below += count;
    const median = latencyTablesUpTo(index).median[index]!;
    sumUs += count * (Number.isNaN(median) ? fillLatencyIndex(index) : median);
  }
  while (b < boundIndexes.length) atOrBelow[b++] = below;
  return { atOrBelow, count: below, sumUs };
}

/** The same for a histogram of another precision (none is written today), by the library's index maths. */
export function boundCountsByValue(h: hdr.JsHistogram, boundsUs: readonly number[]): BoundCounts {
  const boundIndexes = boundsUs.map((b) => h.countsArrayIndex(b));
  const atOrBelow = new Array<number>(boundsUs.length).fill(0);
  let count = 0;
  let sumUs = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const n = h.getCountAtIndex(i);
    if (n === 0) continue;
    count += n;
    sumUs += n * h.medianEquivalentValue(h.valueFromIndex(i));
    for (let b = 0; b < boundIndexes.length; b++) if (i <= boundIndexes[b]!) atOrBelow[b]! += n;
  }
  return { atOrBelow, count, sumUs };
}
