// The HDR V2 wire format: encode, decode (both the uncompressed form we write and the older zlib one),
// and exact merges straight from the bytes. The percentile summaries live in summary.ts; they reuse
// this module's checked bytes and parsed counts (`v2Bytes`, `readRuns`, `runs`) rather than parse twice.
import { inflateSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { type Histogram, LATENCY_HIGHEST, loweredMin, newLatencyHistogram, raisedMax } from "./latency-histogram.ts";

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
export function v2Bytes(encoded: string): Buffer {
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
export function decodeV2(bytes: Buffer): hdr.JsHistogram {
  const h = new hdr.Int32Histogram(readLowest(bytes), Math.max(LATENCY_HIGHEST, readHighest(bytes)), readDigits(bytes));
  h.autoResize = true;
  addV2(h, bytes);
  return h;
}

export const readDigits = (bytes: Buffer): number => bytes.readInt32BE(12);
export const readLowest = (bytes: Buffer): number => readInt64(bytes, 16);
const readHighest = (bytes: Buffer): number => readInt64(bytes, 24);

/**
 * The non-zero counts of the last `readRuns`, by ascending counts index: one parse shared by `addV2` and
 * `summarizeEncoded`. Module scratch, reused (everything here is synchronous).
 */
// Exported for summary.ts, which reads it after `readRuns` and also fills it from a histogram (`histogramRuns`).
export const runs = {
  index: new Float64Array(1024),
  count: new Float64Array(1024),
  length: 0,
  /** Sum of the counts. */
  total: 0,
  /** Largest single count, when above 63. */
  maxCount: 0,
};

/** Parses the counts payload of checked V2 bytes into `runs`, before anything is added anywhere. */
export function readRuns(bytes: Buffer): void {
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
export function minRunIndex(): number {
  if (runs.length === 0) return -1;
  if (runs.index[0]! > 0) return runs.index[0]!;
  return runs.length > 1 ? runs.index[1]! : -1;
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
