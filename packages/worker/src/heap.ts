import { setFlagsFromString } from "node:v8";

/** Old space may grow by this much past what the last full GC left before the next one. */
export const HEAP_GROWING_PERCENT = 10;

/**
 * A load generator holds one request in flight per VU for as long as the target takes, so
 * those objects outlive the young generation, and when their answers come in they all turn
 * to garbage at once. V8 lets the old space grow to about twice what survived the last full
 * GC before collecting it again: with 10,000 VUs on a 5 s target that overshoot alone was
 * about 50 MB of RSS. Capping the growth at 10% bounds the footprint for a few more full GCs,
 * which cost nothing measurable at 30k requests/s (the heap hardly grows then). Process-wide, so
 * it covers the engine threads too. A V8 flag: an engine without it ignores it.
 */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  try {
    setFlagsFromString(`--heap-growing-percent=${percent}`);
  } catch {
    // Not this engine's flag: the default growth applies.
  }
}
