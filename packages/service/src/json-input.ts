/**
 * What every JSON body must be before any schema sees it: no deeper than MAX_JSON_DEPTH, and
 * every string (values and keys) free of NUL and unpaired surrogates. Postgres refuses both in
 * text and jsonb, so such a string, once accepted, would jam the projection that stores it;
 * deep nesting overflows recursive code further on (templates, PGlite).
 */

/** Arrays and objects inside one another, the body itself counting as one. */
export const MAX_JSON_DEPTH = 64;

export type JsonInputIssue = { field: string; message: string };

// String.prototype.isWellFormed is in Node 20 (V8 11.3) but not in the ES2023 lib.
type WellFormed = { isWellFormed(): boolean };

/** Why a string cannot be stored, or null when it can. */
export function badStringReason(s: string): string | null {
  if (s.includes("\0")) return "must not contain NUL (\\u0000)";
  if (!(s as unknown as WellFormed).isWellFormed()) return "must not contain an unpaired surrogate (\\ud800-\\udfff)";
  return null;
}

/** A key as (part of) a field name: a bad one is written with its escapes, so the answer stays readable. */
export const fieldName = (key: string | number): string =>
  typeof key === "number" || badStringReason(key) === null ? String(key) : JSON.stringify(key).slice(1, -1);

type Frame = { value: unknown; depth: number; key: string | number | null; parent: Frame | null };

function fieldOf(frame: Frame, last?: string | number): string {
  const parts: string[] = last === undefined ? [] : [fieldName(last)];
  for (let f: Frame | null = frame; f !== null && f.key !== null; f = f.parent) parts.push(fieldName(f.key));
  return parts.reverse().join(".") || "body";
}

/**
 * The first thing in a parsed JSON body that no schema should be given, or null. Walks with
 * a stack of its own, never by recursion, so no nesting can overflow it.
 */
export function jsonInputIssue(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonInputIssue | null {
  const stack: Frame[] = [{ value, depth: 0, key: null, parent: null }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const v = frame.value;
    if (typeof v === "string") {
      const reason = badStringReason(v);
      if (reason) return { field: fieldOf(frame), message: `${fieldOf(frame)}: a string ${reason}` };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) return { field: fieldOf(frame), message: `${fieldOf(frame)}: JSON nested deeper than ${maxDepth} levels` };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    // An object's keys are checked when it is reached; its values are pushed in reverse, so walked in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (typeof key === "string") {
        const reason = badStringReason(key);
        if (reason) return { field: fieldOf(frame, key), message: `${fieldOf(frame, key)}: a key ${reason}` };
      }
      stack.push({ value: child, depth, key, parent: frame });
    }
  }
  return null;
}
