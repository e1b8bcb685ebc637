// What a Grafana dashboard asks Prometheus: its PromQL, the metric names in it and the template
// variables it uses. Pure, for the dashboards' test (observability.test.ts).

/** A dashboard's JSON, as far as these checks read it. */
export type Dashboard = {
  panels?: { title?: string; targets?: { expr?: string }[]; panels?: Dashboard["panels"] }[];
  templating?: { list?: { name: string; type: string; query?: string | { query?: string } }[] };
};

/** Every PromQL expression: the panels' targets (rows' panels too) and the query variables' queries. */
export function queriesOf(d: Dashboard): string[] {
  const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])));
  const variables = (d.templating?.list ?? [])
    .filter((v) => v.type === "query")
    .map((v) => (typeof v.query === "string" ? v.query : (v.query?.query ?? "")));
  return [...targets, ...variables];
}

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/**
 * The metric names an expression selects: identifiers that are neither functions (followed by a
 * parenthesis), keywords, grouping labels, label matchers, strings, ranges nor numbers. Grafana's
 * `label_values(metric{...}, label)` names its metric first; `label_values(label)` none.
 */
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)/g, " ")
    .replace(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?[^,]*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)/g, " $1 ")
    .replace(/\$\{?\w+\}?/g, " ");
  const names = [...stripped.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !KEYWORDS.has(n.toLowerCase())))];
}

/** The template variables an expression uses ($name, ${name}, [[name]]), Grafana's own ($__…) aside. */
export function variablesOf(text: string): string[] {
  const names = [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
  return [...new Set(names.filter((n) => !n.startsWith("__")))];
}

/**
 * The series names a /metrics answer exports: those with samples, and every family it declares
 * (`# TYPE`), a family of labelled series having none yet included, a histogram's under its suffixes.
 */
export function exposedNames(metricsText: string): Set<string> {
  const names = new Set([...metricsText.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{| )/gm)].map((m) => m[1]!));
  for (const [, name, type] of metricsText.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
    names.add(name!);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name! + suffix);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name! + suffix);
  }
  return names;
}
