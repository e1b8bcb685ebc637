// The HDR V2 wire format: round trips, byte-level agreement with the library, exact merges, determinism.
import { inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
// Types only: declares `JsHistogram.decode`, which the package's index loads at runtime.
import type {} from "hdr-histogram-js/dist/JsHistogram.encoding.js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../random.ts";
import { addEncoded, decodeHistogram, encodeHistogram, mergeHistograms } from "./codec.ts";
import { type Histogram, newLatencyHistogram } from "./latency-histogram.ts";
import { summarize } from "./summary.ts";
import { bytesOf, js, latencies, recorded } from "./test-support.ts";

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

describe("encodeHistogram / decodeHistogram", () => {
  it("round-trips counts, totals and percentiles", () => {
    const h = recorded([0, 0, 1, 7, ...latencies(seededRandom(1), 5000)]);
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
    const h = recorded(latencies(seededRandom(2), 300));
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
    const h = recorded(latencies(seededRandom(3), 2000));
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
  const random = seededRandom(4);
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
    const random = seededRandom(5);
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
  const samples = latencies(seededRandom(6), 3000);

  it("gives the same string for the same samples, whatever the order, grouping or history", () => {
    const reference = encodeHistogram(recorded(samples));
    expect(encodeHistogram(recorded([...samples].reverse()))).toBe(reference);
    expect(encodeHistogram(recorded([...samples].sort((a, b) => a - b)))).toBe(reference);

    const shuffled = [...samples];
    const random = seededRandom(7);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const chunks = (size: number) =>
      Array.from({ length: Math.ceil(shuffled.length / size) }, (_, i) => shuffled.slice(i * size, (i + 1) * size));
    const flat = mergeHistograms(chunks(100).map((c) => encodeHistogram(recorded(c))));
    const nested = mergeHistograms(
      chunks(700).map((c) =>
        encodeHistogram(mergeHistograms([encodeHistogram(recorded(c.slice(0, 350))), encodeHistogram(recorded(c.slice(350)))])),
      ),
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

describe("mergeHistograms over many seeds (property)", () => {
  /** The sample a percentile stands for: the ceil(p·n)-th smallest, as HDR counts ranks. */
  const exactPercentile = (sorted: readonly number[], p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
  const PERCENTILES = [
    ["p50", 50],
    ["p90", 90],
    ["p95", 95],
    ["p99", 99],
    ["p999", 99.9],
  ] as const;

  it("any grouping and order of any workers' windows merges to the one histogram of all samples, and its percentiles are the samples' within HDR's precision", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(1000 + seed);
      const windows = Array.from({ length: 1 + Math.floor(random() * 30) }, () => latencies(random, Math.floor(random() * 300)));
      const all = windows.flat();
      if (all.length === 0) continue;
      const direct = encodeHistogram(recorded(all));
      const encoded = windows.map((w) => encodeHistogram(recorded(w)));

      // Flat, in a shuffled order.
      const shuffled = [...encoded].sort(() => random() - 0.5);
      expect(encodeHistogram(mergeHistograms(shuffled)), `seed ${seed}, flat`).toBe(direct);
      // As a tree: threads into workers, workers into the run (each level encoded, as on the wire).
      const groups: string[][] = [];
      for (const e of shuffled) {
        if (groups.length === 0 || random() < 0.3) groups.push([]);
        groups.at(-1)!.push(e);
      }
      const tree = mergeHistograms(groups.map((g) => encodeHistogram(mergeHistograms(g))));
      expect(encodeHistogram(tree), `seed ${seed}, tree`).toBe(direct);

      // Each percentile is at least its sample and above it by less than HDR's 3 significant digits
      // (and the half µs the summary rounds to).
      const sorted = [...all].sort((a, b) => a - b);
      const summary = summarize(tree);
      expect(summary.count).toBe(all.length);
      for (const [key, p] of PERCENTILES) {
        const exact = exactPercentile(sorted, p);
        const reportedUs = summary[key] * 1000;
        expect(reportedUs, `seed ${seed} ${key}`).toBeGreaterThanOrEqual(exact - 0.5);
        expect(reportedUs, `seed ${seed} ${key}`).toBeLessThanOrEqual(exact * 1.001 + 0.5);
      }
    }
  });
});
