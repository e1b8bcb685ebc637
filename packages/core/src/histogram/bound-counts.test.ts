import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../random.ts";
import { boundCounts, boundCountsByValue } from "./bound-counts.ts";
import { encodeHistogram } from "./codec.ts";
import { summarize } from "./summary.ts";
import { js, latencies, recorded } from "./test-support.ts";

const BOUNDS_US = [1000, 5000, 10_000, 25_000, 100_000, 1_000_000, 10_000_000, 60_000_000];

describe("boundCounts", () => {
  it("counts what HDR counts at or below each bound, the total and the mean's sum", () => {
    const values = latencies(seededRandom(7), 5000);
    const h = js(recorded(values));
    const got = boundCounts(encodeHistogram(h), BOUNDS_US);
    const byValue = boundCountsByValue(h, BOUNDS_US);
    expect(got.atOrBelow).toEqual(byValue.atOrBelow);
    // 10 ms falls in the HDR bucket [10000, 10007] µs (3 significant digits): all of it counts.
    expect(got.atOrBelow[2]).toBe(values.filter((v) => v <= 10_007).length);
    expect(got.count).toBe(values.length);
    expect(got.sumUs).toBeCloseTo(byValue.sumUs, 0);
    expect(got.sumUs / got.count / 1000).toBeCloseTo(summarize(h).mean, 3);
  });

  it("is exact at bounds HDR resolves to the unit, and cumulative", () => {
    const got = boundCounts(encodeHistogram(recorded([999, 1000, 1001, 4000, 70_000_000])), [1000, 5000, 60_000_000]);
    expect(got.atOrBelow).toEqual([2, 4, 4]);
    expect(got.count).toBe(5);
  });

  it("counts nothing in an empty histogram", () => {
    expect(boundCounts(encodeHistogram(recorded([])), BOUNDS_US)).toEqual({ atOrBelow: BOUNDS_US.map(() => 0), count: 0, sumUs: 0 });
  });

  it("reads a histogram of another precision by the library's maths", () => {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 });
    for (const v of [500, 2000, 20_000]) h.recordValue(v);
    expect(boundCounts(hdr.encodeIntoCompressedBase64(h), [1000, 10_000]).atOrBelow).toEqual([1, 2]);
  });
});
