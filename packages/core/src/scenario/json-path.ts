import { JSONPath } from "jsonpath-plus";

/**
 * JSONPath as users write it for checks and extraction: `$.token`, `$.items[0].id`,
 * `$.items[*].id`, `$..id`, `$['a-b']`, `$.items[?(@.price > 10)].sku`. jsonpath-plus
 * evaluates them (its safe evaluator for filters), but it quietly accepts malformed paths
 * such as `$.items[`, so the syntax is checked here first, at create time.
 */
const SEGMENT =
  /^(?:\.\.?[A-Za-z_$][\w$-]*|\.\.?\*|\[(?:\d+|\*|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d*:-?\d*)\]|\.\.(?=\[)|\[\?\((?:[^()]|\([^()]*\))*\)\])/;

/** Why a path is malformed, or null when it is fine. */
export function jsonPathError(path: string): string | null {
  if (!path.startsWith("$")) return "a JSON path starts with $";
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
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
