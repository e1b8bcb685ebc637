/**
 * `{{name}}` templates in URLs, headers and bodies. A template is compiled once into parts;
 * rendering is a join, cheap enough for every request.
 */
export type Template = { readonly parts: readonly (string | { readonly variable: string })[]; readonly variables: readonly string[] };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** Built-in variables every step may use (`__worker`: the id of the worker sending the request). */
export const BUILTIN_VARIABLES = ["__vu", "__iteration", "__scenario", "__timestamp", "__uuid", "__worker"] as const;

export function compileTemplate(text: string): Template {
  const parts: Template["parts"][number][] = [];
  const variables: string[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ variable: m[1]! });
    variables.push(m[1]!);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return { parts, variables };
}

export const templateVariables = (text: string): readonly string[] => compileTemplate(text).variables;

export function renderTemplate(t: Template, vars: Readonly<Record<string, string>>): string {
  if (t.parts.length === 1 && typeof t.parts[0] === "string") return t.parts[0];
  let out = "";
  for (const p of t.parts) out += typeof p === "string" ? p : (vars[p.variable] ?? "");
  return out;
}

/** Every string inside a JSON value, with its path, so templates in JSON bodies can be found and rendered. */
export function* jsonStrings(value: unknown, path: (string | number)[] = []): Generator<{ path: (string | number)[]; text: string }> {
  if (typeof value === "string") yield { path, text: value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* jsonStrings(v, [...path, i]);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* jsonStrings(v, [...path, k]);
}
