import { inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

const LATENCY_LOWEST = 1;
const LATENCY_HIGHEST = 60_000_000;
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

/*
 * Wire format: HDR V2 (what HdrHistogram's Java/JS `encode` writes), big-endian:
 *   int32 cookie, int32 payload length, int32 normalizingIndexOffset, int32 significant digits,
 *   int64 lowestDiscernibleValue, int64 highestTrackableValue, int64 conversion ratio,
 *   then one ZigZag LEB128-64b9B word per counts index from 0 to countsArrayIndex(max);
 *   a negative word -n stands for n zero counts.
 * We write it uncompressed: zlib costs more CPU than the few bytes it saves on ~50-sample histograms.
 * The compressed variant (cookie 0x1c849304, then int32 length and a zlib stream of the above)
 * is still read, since older stored events use it.
 */
const V2_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE = V2_COOKIE_BASE | 0x10; // 0x10: word size nibble, as the lib writes it
const HEADER_BYTES = 40;
const MAX_WORD_BYTES = 9;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_56 = 2 ** 56;
/** Bits of the IEEE double 1.0: the V2 conversion ratio field holds a double (Java reads it so); JS ignores it. */
const DOUBLE_ONE_HI = 0x3ff00000;

const cookieBase = (cookie: number): number => cookie & ~0xf0;

// Scratch buffers, reused across calls (everything here is synchronous).
let out = Buffer.allocUnsafe(8192);
let scratch = Buffer.allocUnsafe(8192);

/**
 * Base64 of the uncompressed V2 encoding. Deterministic: two histograms with the same counts (and config)
 * give the same string, whatever their recording order, merge grouping or resize history.
 */
export function encodeHistogram(h: Histogram): string {
  // Only JS histograms expose their counts; newLatencyHistogram never builds anything else.
  if (!(h instanceof hdr.JsHistogram)) return hdr.encodeIntoCompressedBase64(h);
  const limit = Math.min(h.countsArrayIndex(h.maxValue) + 1, h.countsArrayLength);
  const need = HEADER_BYTES + limit * MAX_WORD_BYTES;
  if (out.length < need) out = Buffer.allocUnsafe(Math.max(need, out.length * 2));
  const buf = out;

  // highestTrackableValue from the content, not from h's resize history, so equal counts encode equally.
  const highest = Math.max(LATENCY_HIGHEST, 2 * h.lowestDiscernibleValue, h.highestEquivalentValue(h.maxValue));
  buf.writeInt32BE(V2_COOKIE, 0);
  buf.writeInt32BE(0, 8); // normalizingIndexOffset: 0 = not shifted (the JS lib writes 1 but ignores it on read)
  buf.writeInt32BE(h.numberOfSignificantValueDigits, 12);
  writeInt64(buf, 16, h.lowestDiscernibleValue);
  writeInt64(buf, 24, highest);
  buf.writeInt32BE(DOUBLE_ONE_HI, 32);
  buf.writeInt32BE(0, 36);

  // Counts between index 0 (value 0) and minNonZeroValue's index are zero, as maxValue bounds them above
  // (the lib's encoder trusts maxValue the same way): skipping them saves most of the scan.
  const firstNonZero = h.minNonZeroValue <= h.maxValue ? Math.min(h.countsArrayIndex(h.minNonZeroValue), limit) : limit;
  let pos = HEADER_BYTES;
  let i = 0;
  while (i < limit) {
    const count = h.getCountAtIndex(i++);
    if (count > 0) {
      pos = writeZigZag(buf, pos, count);
    } else if (count === 0) {
      // Same as the lib: a lone zero is the word 0, a run of n > 1 zeros is the word -n.
      let zeros = 1;
      if (i < firstNonZero) {
        zeros += firstNonZero - i;
        i = firstNonZero;
      }
      while (i < limit && h.getCountAtIndex(i) === 0) {
        zeros++;
        i++;
      }
      pos = writeZigZag(buf, pos, zeros > 1 ? -zeros : 0);
    } else {
      throw new RangeError(`cannot encode a negative count (${count}) at index ${i - 1}`);
    }
  }
  buf.writeInt32BE(pos - HEADER_BYTES, 4);
  return buf.toString("base64", 0, pos);
}

/**
 * Decodes `encodeHistogram` output and the older compressed V2 strings (`hdr.encodeIntoCompressedBase64`).
 * The result is a latency histogram (32-bit counts, autoResize, highestTrackableValue >= 60 s); an input recorded
 * with another lowestDiscernibleValue or precision keeps those, so no resolution is invented.
 * minNonZeroValue and maxValue come back as the lowest / highest equivalent values of the extreme buckets.
 */
export function decodeHistogram(encoded: string): Histogram {
  return decodeV2(v2Bytes(encoded));
}

/**
 * Adds an encoded histogram (either format) into `into`, exactly: afterwards `into` holds the sum of the
 * counts, and its totalCount / minNonZeroValue / maxValue are up to date (no finishing step needed).
 * When the input's lowestDiscernibleValue and precision equal `into`'s, the counts are added by index
 * straight from the bytes, with no intermediate histogram; otherwise it is decoded and added by value.
 * An `into` without autoResize throws on a value beyond its range, before adding any of the input.
 */
export function addEncoded(into: Histogram, encoded: string): void {
  const bytes = v2Bytes(encoded);
  const sameIndexes =
    into instanceof hdr.JsHistogram &&
    readLowest(bytes) === into.lowestDiscernibleValue &&
    readDigits(bytes) === into.numberOfSignificantValueDigits;
  if (sameIndexes) addV2(into, bytes);
  else into.add(decodeV2(bytes));
}

/** An exact merge: the result is the histogram of all the samples, not an average of percentiles. */
export function mergeHistograms(encoded: Iterable<string>): Histogram {
  const merged = newLatencyHistogram();
  for (const e of encoded) addEncoded(merged, e);
  return merged;
}

/** The uncompressed V2 bytes of either format, header checked. Valid until the next call (may be `scratch`). */
function v2Bytes(encoded: string): Buffer {
  const need = Math.ceil((encoded.length * 3) / 4);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  const n = scratch.write(encoded, 0, "base64");
  if (n < 8) throw new Error("not an encoded histogram: too short");
  let bytes: Buffer;
  const base = cookieBase(scratch.readInt32BE(0));
  if (base === V2_COOKIE_BASE) {
    bytes = scratch.subarray(0, n);
  } else if (base === V2_COMPRESSED_COOKIE_BASE) {
    const length = scratch.readInt32BE(4);
    if (length < 0 || 8 + length > n) throw new Error("not an encoded histogram: truncated compressed payload");
    bytes = inflateSync(scratch.subarray(8, 8 + length));
    if (bytes.length < 4 || cookieBase(bytes.readInt32BE(0)) !== V2_COOKIE_BASE) {
      throw new Error("not an encoded histogram: bad cookie inside the compressed payload");
    }
  } else {
    throw new Error("not an encoded histogram: only HDR V2 encodings are supported");
  }
  if (bytes.length < HEADER_BYTES) throw new Error("not an encoded histogram: truncated header");
  const length = bytes.readInt32BE(4);
  if (length < 0 || HEADER_BYTES + length > bytes.length) throw new Error("not an encoded histogram: bad payload length");
  return bytes;
}

/** A 32-bit, autoResize histogram with the config in the header, and its counts. */
function decodeV2(bytes: Buffer): hdr.JsHistogram {
  const h = new hdr.Int32Histogram(readLowest(bytes), Math.max(LATENCY_HIGHEST, readHighest(bytes)), readDigits(bytes));
  h.autoResize = true;
  addV2(h, bytes);
  return h;
}

const readDigits = (bytes: Buffer): number => bytes.readInt32BE(12);
const readLowest = (bytes: Buffer): number => readInt64(bytes, 16);
const readHighest = (bytes: Buffer): number => readInt64(bytes, 24);

/**
 * The non-zero counts of the last `readRuns`, by ascending counts index: one parse shared by `addV2` and
 * `summarizeEncoded`. Module scratch, reused (everything here is synchronous).
 */
const runs = {
  index: new Float64Array(1024),
  count: new Float64Array(1024),
  length: 0,
  /** Sum of the counts. */
  total: 0,
  /** Largest single count, when above 63. */
  maxCount: 0,
};

/** Parses the counts payload of checked V2 bytes into `runs`, before anything is added anywhere. */
function readRuns(bytes: Buffer): void {
  const end = HEADER_BYTES + bytes.readInt32BE(4);
  // Each non-zero count takes at least one byte, so the payload length bounds the number of runs.
  if (runs.index.length < end - HEADER_BYTES) {
    const size = Math.max(end - HEADER_BYTES, runs.index.length * 2);
    runs.index = new Float64Array(size);
    runs.count = new Float64Array(size);
  }
  const { index: indexes, count: counts } = runs;
  let n = 0;
  let total = 0;
  let maxCount = 0;
  let pos = HEADER_BYTES;
  let index = 0;
  while (pos < end) {
    // ZigZag LEB128-64b9B: 7 bits per byte, low first; a 9th byte would carry 8 bits.
    let b = bytes[pos++]!;
    if (b < 0x80) {
      // One-byte word: most of a payload, an unpredictable mix of counts (even b), single zeros (b = 0) and
      // short zero runs (odd b = -(b+1)/2 zeros). Branch-free, as mispredictions cost more than the decoding:
      // the slot is always written, and kept (n advances) only for a count.
      const odd = b & 1;
      const count = (b >>> 1) & (odd - 1);
      indexes[n] = index;
      counts[n] = count;
      n += (count + 63) >>> 6;
      total += count;
      index += 1 + ((b - 1) >>> 1) * odd;
      continue;
    }
    let word = b & 0x7f;
    let scale = 128;
    do {
      if (pos >= end) throw new Error("not an encoded histogram: truncated count");
      b = bytes[pos++]!;
      if (scale === TWO_POW_56) {
        word += b * scale;
        break;
      }
      word += (b & 0x7f) * scale;
      scale *= 128;
    } while (b >= 0x80);
    if (word % 2 === 1) {
      index += (word + 1) / 2; // a zero run
    } else if (word === 0) {
      index++;
    } else {
      const count = word / 2;
      if (count > maxCount) maxCount = count; // only multi-byte words hold counts above 63
      indexes[n] = index++;
      counts[n++] = count;
      total += count;
    }
  }
  runs.length = n;
  runs.total = total;
  runs.maxCount = maxCount;
}

/** The first run's index above 0 (index 0 holds the value 0, which minNonZeroValue ignores), or -1. */
function minRunIndex(): number {
  if (runs.length === 0) return -1;
  if (runs.index[0]! > 0) return runs.index[0]!;
  return runs.length > 1 ? runs.index[1]! : -1;
}

/**
 * True when the lib's autoResize cannot reach `index` (values beyond 2^53 µs): `decodeV2` throws there.
 * Pure arithmetic on `h`'s config: no counts array is involved.
 */
function beyondAnyRange(h: hdr.JsHistogram, index: number): boolean {
  return index >= h.countsArrayLength && index >= h.determineArrayLengthNeeded(h.valueFromIndex(index));
}

/** maxValue after the lib records something in bucket `index`: its highest value, plus the unit mask as it adds. */
function raisedMax(h: hdr.JsHistogram, current: number, index: number): number {
  const top = bucketHighest(h, index) + h.unitMagnitudeMask;
  return top > current ? top : current;
}

/** minNonZeroValue after the lib records something in bucket `index` (> 0), with its rounding. */
function loweredMin(h: hdr.JsHistogram, current: number, index: number): number {
  const bottom = h.valueFromIndex(index);
  if (bottom <= h.unitMagnitudeMask || bottom >= current) return current;
  const rounded = h.lowestDiscernibleValueRounded;
  return Math.floor(bottom / rounded) * rounded;
}

/**
 * Adds the counts of checked V2 bytes into `into` by counts index, keeping its tracking values right.
 * The caller has checked that lowestDiscernibleValue and precision match, so the indexes mean the same values.
 */
function addV2(into: hdr.JsHistogram, bytes: Buffer): void {
  readRuns(bytes);
  const n = runs.length;
  if (n === 0) return;
  const maxIndex = runs.index[n - 1]!;
  if (maxIndex >= into.countsArrayLength) {
    if (!into.autoResize) throw new RangeError(`value ${into.valueFromIndex(maxIndex)} is outside of the histogram's range`);
    // As autoResize does on record: grow to cover the top index, and say so in highestTrackableValue.
    into.resize(into.valueFromIndex(maxIndex));
    into.highestTrackableValue = into.highestEquivalentValue(into.valueFromIndex(into.countsArrayLength - 1));
    if (maxIndex >= into.countsArrayLength) throw new Error("not an encoded histogram: counts index out of any range");
  }
  const { index, count } = runs;
  for (let k = 0; k < n; k++) into.addToCountAtIndex(index[k]!, count[k]!);

  // O(1) per input instead of a scan of the whole counts array; same values as the lib's decode + add.
  into.setTotalCount(into.totalCount + runs.total);
  into.maxValue = raisedMax(into, into.maxValue, maxIndex);
  const minIndex = minRunIndex();
  if (minIndex > 0) into.minNonZeroValue = loweredMin(into, into.minNonZeroValue, minIndex);
}

function writeZigZag(buf: Buffer, pos: number, value: number): number {
  let word = value >= 0 ? value * 2 : -value * 2 - 1;
  // Safe integers stay below 2^56, so the 9-byte form (full 8 bits in the last byte) never arises.
  while (word >= 128) {
    buf[pos++] = (word % 128) | 0x80;
    word = Math.floor(word / 128);
  }
  buf[pos++] = word;
  return pos;
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  buf.writeInt32BE(Math.floor(value / TWO_POW_32), pos);
  buf.writeUInt32BE(value % TWO_POW_32, pos + 4);
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
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
const EMPTY_SUMMARY: Readonly<LatencySummary> = { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };

/**
 * Count, min/max, mean and p50/p90/p95/p99/p99.9 in milliseconds, exactly (===) as the lib's `mean` and
 * `getValueAtPercentile` give them (then rounded to the µs), in one pass over the recorded range only
 * (those getters each scan the whole counts array, with a few Math.pow per index for `mean`).
 */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { ...EMPTY_SUMMARY };
  // Not a JS histogram, or counts that do not add up to totalCount (nothing this module builds): the lib decides.
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
const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** getValueAtPercentile's rank: the first index whose cumulative count reaches it holds the percentile. */
function countAtPercentile(fraction: number, total: number): number {
  const fp = fraction * total;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}

/** A latency histogram used only for its index/value maths (pure arithmetic, any index), never recorded into. */
let latencyTemplate: hdr.JsHistogram | undefined;
function template(): hdr.JsHistogram {
  if (!latencyTemplate) {
    const h = newLatencyHistogram();
    if (!(h instanceof hdr.JsHistogram)) throw new Error("newLatencyHistogram must build a JS histogram");
    latencyTemplate = h;
  }
  return latencyTemplate;
}

/** True when `h` maps indexes to values as the template does (the maths depend on these two only). */
function hasLatencyMaths(h: hdr.JsHistogram): boolean {
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

/** The tables, long enough for `index` (which must be within any range, see `beyondAnyRange`). */
function latencyTablesUpTo(index: number): typeof latencyTables {
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
function fillLatencyIndex(i: number): number {
  const t = template();
  const { highest, median } = latencyTablesUpTo(i);
  highest[i] = t.highestEquivalentValue(t.valueFromIndex(i));
  return (median[i] = t.medianEquivalentValue(highest[i]!));
}

/** highestEquivalentValue(valueFromIndex(index)) in `h`'s config, from the tables when they apply. */
function bucketHighest(h: hdr.JsHistogram, index: number): number {
  if (!hasLatencyMaths(h)) return h.highestEquivalentValue(h.valueFromIndex(index));
  const highest = latencyTablesUpTo(index).highest[index]!;
  if (!Number.isNaN(highest)) return highest;
  fillLatencyIndex(index);
  return latencyTables.highest[index]!;
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
    for (let k = 0; k < n; k++) sum += maths.medianEquivalentValue(maths.highestEquivalentValue(maths.valueFromIndex(index[k]!))) * count[k]!;
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
