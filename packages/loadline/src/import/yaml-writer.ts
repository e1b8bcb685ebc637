import { Document, isMap, isPair, isScalar, isSeq, visit } from "yaml";
import type { ImportResult } from "./draft.ts";

/** Keys whose values read best on one line each: `checks: [{ type: status, in: [200] }]`. */
const FLOW_KEYS = new Set(["checks", "extract", "executor"]);
/** A body or headers this short reads best on one line too. */
const SHORT = 100;

/** The header comment: what was imported, what became of it, what was left out, which secrets to set. */
export function headerComment({ notes }: ImportResult): string {
  const lines = [`Imported by \`loadline import\` from ${notes.source}.`];
  if (notes.imported.length > 0) lines.push("", "Imported:", ...notes.imported.map((l) => `  - ${l}`));
  if (notes.leftOut.length > 0) lines.push("", "Left out:", ...notes.leftOut.map((l) => `  - ${l}`));
  if (notes.secrets.length > 0)
    lines.push(
      "",
      'Secrets it refers to (set each before a run: PUT /v1/secrets/NAME {"value": ...}):',
      ...notes.secrets.map((s) => `  - ${s}`),
    );
  lines.push(
    "",
    "Each scenario runs once with one virtual user (per-vu-iterations): change its executor to load.",
    "Run it with: loadline run <this file>",
  );
  return lines.map((l) => (l === "" ? "#" : `# ${l}`)).join("\n");
}

/**
 * The test as a readable YAML file: its header comment, then the test in block style, with
 * think steps, checks, extractions and executors on one line each.
 */
export function toYaml(result: ImportResult): string {
  // No anchors: a file people read and edit has each scenario's executor written out.
  const doc = new Document(result.test, { aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !(isSeq(pair.value) || isMap(pair.value))) return;
      const key = String(pair.key.value);
      const short = (key === "body" || key === "json") && JSON.stringify(pair.value.toJSON()).length <= SHORT;
      if (FLOW_KEYS.has(key) || short) pair.value.flow = true;
    },
    Map(_, map) {
      const type = map.get("type");
      if (type === "think") map.flow = true;
    },
    // A recorded `${...}` is data, not a run parameter: written `$${...}`, it stays as recorded.
    Scalar(key, node) {
      if (key === "value" && typeof node.value === "string" && node.value.includes("${"))
        node.value = node.value.replaceAll("${", () => "$${");
    },
  });
  return `${headerComment(result)}\n\n${doc.toString({ lineWidth: 0, flowCollectionPadding: true })}`;
}
