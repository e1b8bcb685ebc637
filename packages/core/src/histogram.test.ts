import { inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
// Types only: declares `JsHistogram.decode`, which the package's index loads at runtime.
import type {} from "hdr-histogram-js/dist/JsHistogram.encoding.js";
import { describe, expect, it } from "vitest";
import {
  addEncoded,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  newLatencyHistogram,
  summarize,
  summarizeEncoded,
  summarizeMerged,
  type Histogram,
  type LatencySummary,
} from "./histogram.ts";

/** Deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Skewed latencies in µs: mostly 5–50 ms (log-uniform), a tail to seconds, a few beyond 60 s (autoResize). */
function latencies(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.005) return 60_000_001 + Math.floor(random() * 540_000_000);
    if (r < 0.05) return 50_000 + Math.floor(random() * 5_000_000);
    return Math.floor(5000 * 10 ** random());
  });
}

function recorded(values: readonly number[], h: Histogram = newLatencyHistogram()): Histogram {
  for (const v of values) h.recordValue(v);
  return h;
}

const js = (h: Histogram): hdr.JsHistogram => {
  if (!(h instanceof hdr.JsHistogram)) throw new Error("expected a JS histogram");
  return h;
};

/** Counts by index up to the larger of both maxima: the exact content of a histogram. */
function counts(h: Histogram): number[] {
  const j = js(h);
  return Array.from({ length: j.countsArrayIndex(j.maxValue) + 1 }, (_, i) => j.getCountAtIndex(i));
}

/** The totals the lib would compute from the counts (its "none" sentinel for min normalized to a fresh one's). */
function recomputedTotals(h: Histogram): { total: number; min: number; max: number } {
  const j = js(h);
  const probe = new hdr.Int32Histogram(j.lowestDiscernibleValue, j.highestTrackableValue, j.numberOfSignificantValueDigits);
  for (let i = 0; i < j.countsArrayLength; i++) probe.setCountAtIndex(i, j.getCountAtIndex(i));
  probe.establishInternalTackingValues();
  const min = probe.minNonZeroValue === Number.MAX_VALUE ? Number.MAX_SAFE_INTEGER : probe.minNonZeroValue;
  return { total: probe.totalCount, min, max: probe.maxValue };
}
const totals = (h: Histogram) => ({ total: h.totalCount, min: h.minNonZeroValue, max: h.maxValue });

/** What the previous implementation did: compressed V2 through the library, decode and `add`. */
const libMerge = (encoded: readonly string[]): Histogram => {
  const m = newLatencyHistogram();
  for (const e of encoded) m.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return m;
};

const bytesOf = (encoded: string): Buffer => Buffer.from(encoded, "base64");

describe("encodeHistogram / decodeHistogram", () => {
  it("round-trips counts, totals and percentiles", () => {
    const h = recorded([0, 0, 1, 7, ...latencies(rng(1), 5000)]);
    const back = decodeHistogram(encodeHistogram(h));
    expect(counts(back)).toEqual(counts(h));
    expect(back.totalCount).toBe(h.totalCount);
    for (const p of [0, 1, 50, 90, 95, 99, 99.9, 100]) expect(back.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
    expect(back.mean).toBe(h.mean);
    // A decoded histogram's extremes are its extreme buckets' bounds (the format does not carry exact values).
    expect(back.minNonZeroValue).toBe(js(h).lowestEquivalentValue(h.minNonZeroValue));
    expect(back.maxValue).toBe(js(h).highestEquivalentValue(h.maxValue));
    expect(totals(back)).toEqual(recomputedTotals(back));
    // Same config as newLatencyHistogram, so it keeps recording past 60 s.
    const j = js(back);
    expect([j.lowestDiscernibleValue, j.numberOfSignificantValueDigits, j.autoResize]).toEqual([1, 3, true]);
    back.recordValue(900_000_000);
    expect(back.maxValue).toBeGreaterThanOrEqual(900_000_000);
  });

  it("writes uncompressed HDR V2 that the library reads, with the library's counts payload", () => {
    const h = recorded(latencies(rng(2), 300));
    const ours = bytesOf(encodeHistogram(h));
    expect(ours.readInt32BE(0)).toBe(0x1c849313);
    expect(ours.readInt32BE(4)).toBe(ours.length - 40);

    const lib = hdr.JsHistogram.decode(new Uint8Array(ours));
    expect(counts(lib)).toEqual(counts(h));
    expect(lib.totalCount).toBe(h.totalCount);
    expect(lib.getValueAtPercentile(99)).toBe(h.getValueAtPercentile(99));

    // The library's own (compressed) encoding of the same histogram holds the very same payload bytes.
    const compressed = bytesOf(hdr.encodeIntoCompressedBase64(h));
    const libV2 = inflateSync(compressed.subarray(8, 8 + compressed.readInt32BE(4)));
    expect(ours.subarray(40)).toEqual(libV2.subarray(40));
    expect(ours.readInt32BE(12)).toBe(3); // significant digits
    expect(ours.readUInt32BE(20)).toBe(1); // lowestDiscernibleValue (low word)
  });

  it("encodes and decodes an empty histogram", () => {
    const encoded = encodeHistogram(newLatencyHistogram());
    const back = decodeHistogram(encoded);
    expect(back.totalCount).toBe(0);
    expect(back.maxValue).toBe(0);
    expect(back.minNonZeroValue).toBe(Number.MAX_SAFE_INTEGER);
    expect(summarize(back)).toEqual(summarize(newLatencyHistogram()));
    expect(hdr.JsHistogram.decode(new Uint8Array(bytesOf(encoded))).totalCount).toBe(0);
    expect(encodeHistogram(back)).toBe(encoded);
  });

  it("carries counts that need multi-byte words, up to the 32-bit bucket limit", () => {
    const h = newLatencyHistogram();
    h.recordValueWithCount(1000, 2 ** 30 + 5);
    h.recordValueWithCount(20_000, 3);
    h.recordValueWithCount(0, 70);
    const back = decodeHistogram(encodeHistogram(h));
    expect(counts(back)).toEqual(counts(h));
    expect(back.totalCount).toBe(2 ** 30 + 78);
    const twice = mergeHistograms([encodeHistogram(h), encodeHistogram(h)]);
    expect(js(twice).getCountAtIndex(js(twice).countsArrayIndex(1000))).toBe(2 ** 31 + 10);
    expect(twice.totalCount).toBe(2 * (2 ** 30 + 78));
  });

  it("decodes the older compressed strings", () => {
    const h = recorded(latencies(rng(3), 2000));
    const legacy = hdr.encodeIntoCompressedBase64(h);
    const back = decodeHistogram(legacy);
    expect(counts(back)).toEqual(counts(h));
    expect(summarize(back)).toEqual(summarize(hdr.decodeFromCompressedBase64(legacy, 32, false)));
    expect(encodeHistogram(back)).toBe(encodeHistogram(h));
  });

  it("rejects what is not an HDR V2 histogram", () => {
    expect(() => decodeHistogram("")).toThrow(/not an encoded histogram/);
    expect(() => decodeHistogram(Buffer.from("definitely not a histogram").toString("base64"))).toThrow(/V2/);
    const truncated = bytesOf(encodeHistogram(recorded([1, 2, 3])));
    expect(() => decodeHistogram(truncated.subarray(0, truncated.length - 1).toString("base64"))).toThrow(/payload length/);
  });
});

describe("mergeHistograms", () => {
  // 12 workers × 5 seconds × 2 request names, some windows empty, some beyond 60 s.
  const random = rng(4);
  const windows = Array.from({ length: 120 }, (_, i) => (i % 17 === 0 ? [] : latencies(random, Math.floor(random() * 400))));
  const all = windows.flat();
  const direct = recorded(all);
  const encoded = windows.map((w) => encodeHistogram(recorded(w)));

  it("equals one histogram fed every sample", () => {
    expect(all.some((v) => v > 60_000_000)).toBe(true);
    const merged = mergeHistograms(encoded);
    expect(counts(merged)).toEqual(counts(direct));
    expect(encodeHistogram(merged)).toBe(encodeHistogram(direct));
    expect(totals(merged)).toEqual(recomputedTotals(merged));

    // count, mean and every percentile exactly; min/max are the bounds of the extreme buckets
    // (the direct histogram knows the exact extremes, an encoded one only their buckets).
    const s = summarize(merged);
    const d = summarize(direct);
    expect({ ...s, min: 0, max: 0 }).toEqual({ ...d, min: 0, max: 0 });
    expect(merged.minNonZeroValue).toBe(js(direct).lowestEquivalentValue(direct.minNonZeroValue));
    expect(merged.maxValue).toBe(js(direct).highestEquivalentValue(direct.maxValue));
    // ...so it equals the direct histogram read back from storage in full.
    expect(s).toEqual(summarize(decodeHistogram(encodeHistogram(direct))));
  });

  it("agrees with the library's decode + add, for compressed and mixed inputs", () => {
    const legacy = windows.map((w) => hdr.encodeIntoCompressedBase64(recorded(w)));
    const expected = libMerge(legacy);
    const fromLegacy = mergeHistograms(legacy);
    expect(summarize(fromLegacy)).toEqual(summarize(expected));
    expect(totals(fromLegacy)).toEqual(totals(expected));
    const mixed = mergeHistograms(encoded.map((e, i) => (i % 2 === 0 ? e : legacy[i]!)));
    expect(encodeHistogram(mixed)).toBe(encodeHistogram(expected));
    expect(summarize(mixed)).toEqual(summarize(expected));
  });

  it("merges nothing, and only empty histograms, into an empty one", () => {
    for (const inputs of [[], [encodeHistogram(newLatencyHistogram()), hdr.encodeIntoCompressedBase64(newLatencyHistogram())]]) {
      const m = mergeHistograms(inputs);
      expect(totals(m)).toEqual({ total: 0, min: Number.MAX_SAFE_INTEGER, max: 0 });
      expect(encodeHistogram(m)).toBe(encodeHistogram(newLatencyHistogram()));
    }
  });

  it("adds into a histogram that already holds samples, keeping its totals right", () => {
    const h = recorded([3, 40_000, 70_000_000]);
    addEncoded(h, encodeHistogram(recorded([2, 10_000])));
    addEncoded(h, encodeHistogram(recorded([120_000_000])));
    expect(h.totalCount).toBe(6);
    expect(h.minNonZeroValue).toBe(2);
    expect(h.maxValue).toBe(js(h).highestEquivalentValue(120_000_000));
    expect(h.getValueAtPercentile(50)).toBe(js(h).highestEquivalentValue(10_000));

    // A fixed-range histogram refuses what it cannot hold, as the lib's `add` does.
    const fixed = hdr.build({ highestTrackableValue: 60_000_000, autoResize: false });
    expect(() => addEncoded(fixed, encodeHistogram(recorded([120_000_000])))).toThrow(/outside/);
  });

  it("falls back to decode + add for another precision or lowestDiscernibleValue", () => {
    const random = rng(5);
    const foreign = [
      hdr.build({ numberOfSignificantValueDigits: 2, highestTrackableValue: 60_000_000, autoResize: true }),
      hdr.build({ lowestDiscernibleValue: 1000, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true }),
    ].map((h) => recorded(latencies(random, 500), h));
    const ours = recorded(latencies(random, 500));
    const inputs = [
      encodeHistogram(ours),
      hdr.encodeIntoCompressedBase64(foreign[0]!),
      encodeHistogram(foreign[1]!),
      encodeHistogram(foreign[0]!),
    ];
    const merged = mergeHistograms(inputs);
    const expected = newLatencyHistogram();
    for (const h of [ours, foreign[0]!, foreign[1]!, foreign[0]!]) expected.add(decodeHistogram(encodeHistogram(h)));
    expect(merged.totalCount).toBe(2000);
    expect(summarize(merged)).toEqual(summarize(expected));
    expect(encodeHistogram(merged)).toBe(encodeHistogram(expected));

    // Decoding keeps the foreign config rather than inventing resolution.
    const back = js(decodeHistogram(inputs[1]!));
    expect(back.numberOfSignificantValueDigits).toBe(2);
    expect(back.autoResize).toBe(true);
    expect(counts(back)).toEqual(counts(foreign[0]!));
    expect(js(decodeHistogram(inputs[2]!)).lowestDiscernibleValue).toBe(1000);
  });
});

describe("determinism", () => {
  const samples = latencies(rng(6), 3000);

  it("gives the same string for the same samples, whatever the order, grouping or history", () => {
    const reference = encodeHistogram(recorded(samples));
    expect(encodeHistogram(recorded([...samples].reverse()))).toBe(reference);
    expect(encodeHistogram(recorded([...samples].sort((a, b) => a - b)))).toBe(reference);

    const shuffled = [...samples];
    const random = rng(7);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const chunks = (size: number) => Array.from({ length: Math.ceil(shuffled.length / size) }, (_, i) => shuffled.slice(i * size, (i + 1) * size));
    const flat = mergeHistograms(chunks(100).map((c) => encodeHistogram(recorded(c))));
    const nested = mergeHistograms(
      chunks(700).map((c) => encodeHistogram(mergeHistograms([encodeHistogram(recorded(c.slice(0, 350))), encodeHistogram(recorded(c.slice(350)))]))),
    );
    expect(encodeHistogram(flat)).toBe(reference);
    expect(encodeHistogram(nested)).toBe(reference);
    expect(encodeHistogram(decodeHistogram(reference))).toBe(reference);

    // A recycled histogram, grown past 60 s and then reset, encodes like a fresh one.
    const recycled = recorded([900_000_000]);
    recycled.reset();
    const small = samples.filter((v) => v < 60_000_000);
    expect(encodeHistogram(recorded(small, recycled))).toBe(encodeHistogram(recorded(small)));
  });
});

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
    const random = rng(11);
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
    const random = rng(12);
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
    const random = rng(13);
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
    expectIdentical(recorded(latencies(random, 300).filter((v) => v < 60_000_000), fixed));
  });

  it("equals the lib for other precisions and lowestDiscernibleValues (its own index maths)", () => {
    const random = rng(14);
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
    const random = rng(15);
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
    const random = rng(16);
    const windows = Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? [] : latencies(random, Math.floor(random() * 300))));
    const encoded = windows.map((w, i) => (i % 3 === 0 ? hdr.encodeIntoCompressedBase64(recorded(w)) : encodeHistogram(recorded(w))));
    for (const inputs of [[], encoded.slice(0, 1), encoded.slice(1, 2), encoded.slice(9, 10), encoded.slice(0, 2), encoded]) {
      const merged = mergeHistograms(inputs);
      expect(summarizeMerged(inputs)).toEqual(summarize(merged));
      expect(summarizeMerged(inputs)).toEqual(libSummary(merged));
    }
  });

  it("leaves shared state alone: interleaved calls give the same answers", () => {
    const random = rng(17);
    const inputs = Array.from({ length: 6 }, () => encodeHistogram(recorded(latencies(random, 400))));
    const first = inputs.map((e) => summarizeEncoded(e));
    const merged = mergeHistograms(inputs);
    const mergedSummary = summarize(merged);
    expect(inputs.map((e) => summarizeEncoded(e))).toEqual(first);
    expect(summarize(merged)).toEqual(mergedSummary);
    expect(first).toEqual(inputs.map((e) => libSummary(decodeHistogram(e))));
  });
});
