/**
 * What Postgres cannot store, found before it is tried: a string holding U+0000 (text and jsonb
 * refuse it, and PGlite is left broken by such a text parameter), a lone surrogate (not
 * Unicode: jsonb refuses its escape, and PGlite breaks on it as text), and nesting so deep that
 * PGlite overruns its stack on it ("memory access out of bounds", after which every query
 * fails; about 1,200 levels of jsonb objects). An event holding any of them is a dead letter.
 */

/**
 * Deepest an event may nest, its envelope included. The API refuses bodies nested deeper than
 * 64 levels and an event wraps a body in a few more (envelope, data, spec...): 128 leaves room
 * for every event the API can cause and stays far below what PGlite's stack takes.
 */
export const MAX_EVENT_DEPTH = 128;

/** ES2024 string methods (Node 20 has them; the compiler's lib is ES2023). */
type WellFormed = string & { isWellFormed(): boolean; toWellFormed(): string };

/** What is wrong with a string, for the reason of its dead letter; null when Postgres can store it. */
function badString(s: string): string | null {
  if (s.includes("\u0000")) return "holds U+0000 (NUL)";
  if (!(s as WellFormed).isWellFormed()) return "holds a lone surrogate (not Unicode)";
  return null;
}

/** Where in the value, and what: `data.spec.name holds U+0000 (NUL)`. */
type Finding = { path: (string | number)[]; problem: string };

/** A child's finding, placed under its parent's key. */
function under(key: string | number, found: Finding): Finding {
  found.path.unshift(key);
  return found;
}

/** Recursion is bounded by maxDepth: it stops one level below it. Strings are read only when `strings`. */
function find(value: unknown, level: number, maxDepth: number, strings: boolean): Finding | null {
  if (typeof value === "string") {
    const problem = strings ? badString(value) : null;
    return problem ? { path: [], problem } : null;
  }
  if (typeof value !== "object" || value === null) return null;
  if (level > maxDepth) return { path: [], problem: `nests deeper than ${maxDepth} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (!strings && (typeof child !== "object" || child === null)) continue; // the hot path: no call per number
      const found = find(child, level + 1, maxDepth, strings);
      if (found) return under(i, found);
    }
    return null;
  }
  for (const key in value) {
    const child: unknown = (value as Record<string, unknown>)[key];
    if (!strings && (typeof child !== "object" || child === null)) continue;
    const keyProblem = strings ? badString(key) : null;
    if (keyProblem) return { path: [], problem: `has a key that ${keyProblem}` };
    const found = find(child, level + 1, maxDepth, strings);
    if (found) return under(key, found);
  }
  return null;
}

/**
 * JSON text whose parsed strings may hold NUL or a lone surrogate: both can come only from a
 * `\u` escape (JSON refuses a raw control character, and UTF-8 decoding never yields a
 * surrogate), and most messages have none, so their strings need not be read.
 */
export function mayHoldUnstorableStrings(json: Uint8Array): boolean {
  return Buffer.from(json.buffer, json.byteOffset, json.byteLength).indexOf("\\u") >= 0;
}

/**
 * Why Postgres could not store the parsed JSON value; null when it can. `strings: false` checks
 * only the nesting (see mayHoldUnstorableStrings): a window's walk then costs a few µs, not ten.
 */
export function unstorable(value: unknown, { strings = true, maxDepth = MAX_EVENT_DEPTH } = {}): string | null {
  const found = find(value, 1, maxDepth, strings);
  if (!found) return null;
  // A path 2,000 levels deep says no more than its first steps do.
  const steps = found.path.slice(0, 8).map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`));
  const where = steps.join("") + (found.path.length > steps.length ? "…" : "");
  return `cannot be stored: ${where || "the message"} ${found.problem}`;
}

/** Text a text column takes: NUL and lone surrogates become U+FFFD (what a dead letter keeps of a message that holds them). */
export function storableText(s: string): string {
  return (s as WellFormed).toWellFormed().replaceAll("\u0000", "\uFFFD");
}
