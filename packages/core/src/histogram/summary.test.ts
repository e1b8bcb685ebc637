// Latency summaries: every way to summarize (histogram, encoded, merged) equals the lib's own figures, to the bit.
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../random.ts";
import { decodeHistogram, encodeHistogram, mergeHistograms } from "./codec.ts";
import { type Histogram, newLatencyHistogram } from "./latency-histogram.ts";
import { type LatencySummary, summarize, summarizeEncoded, summarizeMerged } from "./summary.ts";
import { bytesOf, js, latencies, recorded } from "./test-support.ts";

describe("summaries", () => {
  /** The straightforward computation: the lib's getters, as summarize did before its one-pass rewrite. */
  function libSummary(h: Histogram): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
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

  /** Result or thrown message, so "throws the same" compares too. */
  const outcome = (f: () => LatencySummary): LatencySummary | string => {
    try {
      return f();
    } catch (e) {
      return `throws: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  /** Every way to summarize `h` agrees with the lib, to the last bit (toEqual compares numbers with Object.is). */
  function expectIdentical(h: Histogram): void {
    expect(summarize(h)).toEqual(libSummary(h));
    const encoded = encodeHistogram(h);
    const decoded = libSummary(decodeHistogram(encoded));
    expect(summarizeEncoded(encoded)).toEqual(decoded);
    expect(summarize(decodeHistogram(encoded))).toEqual(decoded);
    expect(summarizeMerged([encoded])).toEqual(decoded);
    const legacy = hdr.encodeIntoCompressedBase64(h);
    expect(summarizeEncoded(legacy)).toEqual(libSummary(decodeHistogram(legacy)));
    // ...and what the lib's own decoder makes of it (not only ours), save its Number.MAX_VALUE "no min" for zeros only.
    if (h.minNonZeroValue !== Number.MAX_SAFE_INTEGER) {
      expect(summarizeEncoded(legacy)).toEqual(libSummary(hdr.decodeFromCompressedBase64(legacy, 32, false)));
    }
  }

  const shapes: Record<string, (random: () => number) => number> = {
    typical: (r) => 10_000 + Math.floor(r() * 50_000),
    spread: (r) => Math.floor(10 ** (r() * 8.8)), // 1 µs .. ~10 min, beyond 60 s too
    skewed: (r) => latencies(r, 1)[0]!,
    tight: (r) => 42_000 + Math.floor(r() * 40), // a handful of adjacent buckets
    slow: (r) => 60_000_000 + Math.floor(r() * 3_600_000_000), // all beyond 60 s
    withZeros: (r) => (r() < 0.2 ? 0 : Math.floor(r() * 5000)),
  };

  it("equals the lib's figures for many random histograms, direct, encoded and compressed", () => {
    const random = seededRandom(11);
    let checked = 0;
    for (const [name, value] of Object.entries(shapes)) {
      for (const n of [1, 2, 3, 7, 50, 999, 2000]) {
        const h = newLatencyHistogram();
        for (let i = 0; i < n; i++) h.recordValue(value(random));
        // Some buckets with big counts (multi-byte words, large totals).
        if (n % 2 === 1) h.recordValueWithCount(value(random), 1 + Math.floor(random() * 2 ** 30));
        expect(h.totalCount, name).toBeGreaterThan(0);
        expectIdentical(h);
        checked++;
      }
    }
    expect(checked).toBe(42);
  });

  it("gets getValueAtPercentile's ranks right for every small total and around round ones", () => {
    // The rank rounding (ceil minus one ulp) matters exactly when p% of the total is near an integer.
    const random = seededRandom(12);
    const totals = [...Array.from({ length: 60 }, (_, i) => i + 1), 99, 100, 101, 999, 1000, 1001, 1999, 2000, 2001, 10_000, 100_000];
    for (const total of totals) {
      const h = newLatencyHistogram();
      let left = total;
      while (left > 0) {
        const c = Math.min(left, 1 + Math.floor(random() * Math.max(1, total / 20)));
        h.recordValueWithCount(20_000 + Math.floor(random() * 200) * 37, c);
        left -= c;
      }
      expect(h.totalCount).toBe(total);
      expectIdentical(h);
    }
  });

  it("handles empty, single-value, zeros-only and extreme histograms", () => {
    const empty = newLatencyHistogram();
    expect(summarize(empty)).toEqual(libSummary(empty));
    expect(summarizeEncoded(encodeHistogram(empty))).toEqual(libSummary(empty));
    expect(summarizeEncoded(hdr.encodeIntoCompressedBase64(empty))).toEqual(libSummary(empty));
    expect(summarizeMerged([])).toEqual(libSummary(empty));

    for (const values of [[1], [0], [0, 0, 0], [59_999_999], [60_000_000], [3_600_000_000], [2 ** 40], [1, 2 ** 40]]) {
      expectIdentical(recorded(values));
    }
    // Near the top of the lib's range (values ~2^52 µs): indexes far beyond the template's counts array.
    const huge = recorded([2 ** 52, 5]);
    expect(js(huge).countsArrayLength).toBeGreaterThan(js(newLatencyHistogram()).countsArrayLength * 2);
    expectIdentical(huge);
  });

  it("equals the lib for histograms built other ways: recycled, subtracted, added, fixed range", () => {
    const random = seededRandom(13);
    const recycled = recorded([900_000_000, 5]);
    recycled.reset();
    expectIdentical(recorded(latencies(random, 300), recycled));

    const a = recorded(latencies(random, 400));
    const b = recorded(latencies(random, 100));
    js(a).add(js(b));
    expectIdentical(a);
    js(a).subtract(js(b));
    expectIdentical(a);
    js(b).subtract(js(b)); // empty, with the lib's other "no min" sentinel (Number.MAX_VALUE)
    expect(summarize(b)).toEqual(libSummary(b));

    const fixed = hdr.build({ highestTrackableValue: 60_000_000 });
    expectIdentical(
      recorded(
        latencies(random, 300).filter((v) => v < 60_000_000),
        fixed,
      ),
    );
  });

  it("equals the lib for other precisions and lowestDiscernibleValues (its own index maths)", () => {
    const random = seededRandom(14);
    const configs: hdr.BuildRequest[] = [
      { numberOfSignificantValueDigits: 2 },
      { numberOfSignificantValueDigits: 5 },
      { lowestDiscernibleValue: 1000 }, // recorded zeros weigh 256 in its mean: the lib's medianEquivalentValue(0)
    ];
    for (const config of configs) {
      const h = hdr.build({ highestTrackableValue: 60_000_000, autoResize: true, ...config });
      recorded([0, 0, 3, ...latencies(random, 700)], h);
      expectIdentical(h);
    }
  });

  it("behaves as the lib where the lib is odd: counts that do not add up, counts past 32 bits", () => {
    const random = seededRandom(15);
    // totalCount below the counts' sum: the lib's mean stops where the counts reach it.
    const over = recorded(latencies(random, 500));
    js(over).setTotalCount(over.totalCount - 7);
    expect(summarize(over)).toEqual(libSummary(over));
    // totalCount above it: the lib's mean throws, so summarize does.
    const under = recorded(latencies(random, 500));
    js(under).setTotalCount(under.totalCount + 7);
    expect(outcome(() => summarize(under))).toEqual(outcome(() => libSummary(under)));
    expect(outcome(() => summarize(under))).toMatch(/^throws/);

    // A bucket count of 2^33 encodes, but a decoded (32-bit) histogram wraps it: summarizeEncoded does as decode does.
    const wide = hdr.build({ bitBucketSize: 64, highestTrackableValue: 60_000_000, autoResize: true });
    wide.recordValueWithCount(5000, 2 ** 33 + 5);
    wide.recordValue(7000);
    const encoded = encodeHistogram(wide);
    expect(outcome(() => summarizeEncoded(encoded))).toEqual(outcome(() => summarize(decodeHistogram(encoded))));
    expect(summarize(wide)).toEqual(libSummary(wide)); // the 64-bit histogram itself is fine
  });

  it("rejects what decodeHistogram rejects, with the same errors", () => {
    expect(() => summarizeEncoded("")).toThrow(/not an encoded histogram/);
    const truncated = bytesOf(encodeHistogram(recorded([1, 2, 3])));
    expect(() => summarizeEncoded(truncated.subarray(0, truncated.length - 1).toString("base64"))).toThrow(/payload length/);

    // A count after a zero run past any range (values beyond 2^53): decode cannot resize that far.
    const header = bytesOf(encodeHistogram(newLatencyHistogram())).subarray(0, 40);
    const zigzag = (v: number): number[] => {
      let word = v >= 0 ? v * 2 : -v * 2 - 1;
      const bytes: number[] = [];
      while (word >= 128) {
        bytes.push((word % 128) | 0x80);
        word = Math.floor(word / 128);
      }
      return [...bytes, word];
    };
    for (const zeros of [45_056, 2 ** 40]) {
      const payload = Buffer.from([...zigzag(-zeros), ...zigzag(1)]);
      const bad = Buffer.concat([header, payload]);
      bad.writeInt32BE(payload.length, 4);
      const encoded = bad.toString("base64");
      expect(() => decodeHistogram(encoded)).toThrow(/out of any range/);
      expect(() => summarizeEncoded(encoded)).toThrow(/out of any range/);
    }
    // Just inside the range still works.
    const payload = Buffer.from([...zigzag(-45_055), ...zigzag(1)]);
    const edge = Buffer.concat([header, payload]);
    edge.writeInt32BE(payload.length, 4);
    expect(summarizeEncoded(edge.toString("base64"))).toEqual(libSummary(decodeHistogram(edge.toString("base64"))));
  });

  it("summarizeMerged equals summarize(mergeHistograms()) for none, one and many inputs, of both formats", () => {
    const random = seededRandom(16);
    const windows = Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? [] : latencies(random, Math.floor(random() * 300))));
    const encoded = windows.map((w, i) => (i % 3 === 0 ? hdr.encodeIntoCompressedBase64(recorded(w)) : encodeHistogram(recorded(w))));
    for (const inputs of [[], encoded.slice(0, 1), encoded.slice(1, 2), encoded.slice(9, 10), encoded.slice(0, 2), encoded]) {
      const merged = mergeHistograms(inputs);
      expect(summarizeMerged(inputs)).toEqual(summarize(merged));
      expect(summarizeMerged(inputs)).toEqual(libSummary(merged));
    }
  });

  it("leaves shared state alone: interleaved calls give the same answers", () => {
    const random = seededRandom(17);
    const inputs = Array.from({ length: 6 }, () => encodeHistogram(recorded(latencies(random, 400))));
    const first = inputs.map((e) => summarizeEncoded(e));
    const merged = mergeHistograms(inputs);
    const mergedSummary = summarize(merged);
    expect(inputs.map((e) => summarizeEncoded(e))).toEqual(first);
    expect(summarize(merged)).toEqual(mergedSummary);
    expect(first).toEqual(inputs.map((e) => libSummary(decodeHistogram(e))));
  });
});
