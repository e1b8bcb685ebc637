import { createHash } from "node:crypto";

/**
 * One answer as it was sent: its JSON text and its strong ETag; `at`, for an answer that holds only
 * while the projections stay where they were, the positions it was computed at (PositionKeyedCache).
 */
export type CachedAnswer = { body: string; etag: string; at?: string };

/**
 * A small LRU of answers, bounded by count and by bytes (the bodies' lengths; a 1-hour
 * timeseries at 1 s is some hundreds of KiB, so the count alone would not bound memory).
 * Map keeps insertion order: a hit is moved to the end, the oldest goes first.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 1_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, answer: CachedAnswer): void {
    // Larger than a tenth of the budget: it would push out many others for one.
    if (answer.body.length > this.maxBytes / 10) return;
    this.delete(key);
    this.entries.set(key, answer);
    this.bytes += answer.body.length;
    for (const [k] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.body.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A strong validator of a body: the same bytes give the same tag, in every process. */
export const strongEtag = (body: string): string => `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

/** Whether an If-None-Match header names `etag` (a list, or `*`); weak tags compare weakly, as RFC 9110 wants for GET. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}
