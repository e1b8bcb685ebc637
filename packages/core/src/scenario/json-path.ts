import { JSONPath } from "jsonpath-plus";

/**
 * A filter, `[?(...)]`: comparisons and logic over `@`'s members, strings, grouping parentheses
 * one deep. No call: jsonpath-plus's safe evaluator would call any method of a value, and
 * `@.name.match('a*a*a*a*b')` runs a user's regex on RegExp, which backtracks for minutes on
 * a 200-character value (user regexes are RE2, see regex.ts); `.repeat(1e9)` fills the heap.
 * A `(` right after a name, `]` or `)` is a call, so it is refused.
 */
const STRING = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const PLAIN = `[^()'"]`;
const GROUP = String.raw`(?<![\w$\])\]]\s*)\((?:${STRING}|${PLAIN})*\)`;
const FILTER = String.raw`\[\?\((?:${STRING}|${PLAIN}|${GROUP})*\)\]`;

/**
 * JSONPath as users write it for checks and extraction: `$.token`, `$.items[0].id`,
 * `$.items[*].id`, `$..id`, `$['a-b']`, `$.items[?(@.price > 10)].sku`. jsonpath-plus
 * evaluates them (its safe evaluator for filters), but it quietly accepts malformed paths
 * such as `$.items[`, so the syntax is checked here first, at create time.
 */
const SEGMENT = new RegExp(
  String.raw`^(?:\.\.?[A-Za-z_$][\w$-]*|\.\.?\*|\[(?:\d+|\*|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d*:-?\d*)\]|\.\.(?=\[)|${FILTER})`,
);

/** Why a path is malformed, or null when it is fine. */
export function jsonPathError(path: string): string | null {
  if (!path.startsWith("$")) return "a JSON path starts with $";
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m && rest.startsWith("[?(")) {
      const call = /[\w$]+\s*\(/.exec(rest.slice(3).replace(new RegExp(STRING, "g"), "''"));
      if (call) return `a filter compares values, it cannot call "${call[0]}" in JSON path`;
    }
    if (!m) return `unexpected "${rest.slice(0, 12)}" in JSON path`;
    rest = rest.slice(m[0].length);
  }
  return null;
}

/** The values a path selects in a parsed JSON document (empty when none). */
export function jsonPathValues(path: string, doc: unknown): unknown[] {
  if (doc === null || typeof doc !== "object") return [];
  return JSONPath({ path, json: doc as object, wrap: true, eval: "safe" }) as unknown[];
}
