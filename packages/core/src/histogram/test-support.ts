// Sample data and small accessors shared by codec.test.ts and summary.test.ts (not a test file itself).
import * as hdr from "hdr-histogram-js";
import { type Histogram, newLatencyHistogram } from "./latency-histogram.ts";

/** Skewed latencies in µs: mostly 5–50 ms (log-uniform), a tail to seconds, a few beyond 60 s (autoResize). */
export function latencies(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.005) return 60_000_001 + Math.floor(random() * 540_000_000);
    if (r < 0.05) return 50_000 + Math.floor(random() * 5_000_000);
    return Math.floor(5000 * 10 ** random());
  });
}

export function recorded(values: readonly number[], h: Histogram = newLatencyHistogram()): Histogram {
  for (const v of values) h.recordValue(v);
  return h;
}

export const js = (h: Histogram): hdr.JsHistogram => {
  if (!(h instanceof hdr.JsHistogram)) throw new Error("expected a JS histogram");
  return h;
};

export const bytesOf = (encoded: string): Buffer => Buffer.from(encoded, "base64");
