/**
 * `{{name}}` templates in URLs, headers and bodies. A template is compiled once into parts;
 * rendering is a join, cheap enough for every request.
 */
export type Template = { readonly parts: readonly (string | { readonly variable: string })[]; readonly variables: readonly string[] };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** Built-in variables every step may use (`__worker`: the id of the worker sending the request). */
export const BUILTIN_VARIABLES = ["__vu", "__iteration", "__scenario", "__timestamp", "__uuid", "__worker"] as const;

/**
 * Secrets in templates: `{{secrets.API_TOKEN}}` (spaces inside the braces allowed, as for any
 * variable) renders the value of the tenant's secret API_TOKEN. It is a template expression
 * wherever templates are rendered: a step's url (its origin too) and query values, header
 * values and bodies (raw, form values, every string of a JSON body), and the simple form's
 * request paths, headers and bodies. It is not rendered in targetUrl, scenario variables or
 * data rows (those are sent as written: input rules refuse a reference there). Nothing writes
 * a `secrets.` variable: not extract, not scenario variables, not data columns.
 */
export const SECRETS_PREFIX = "secrets.";

/** A secret's name (core's SECRET_NAME_PATTERN, repeated here so templates need not load the access schemas). */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Whether a template variable is in the secrets' namespace (`secrets.<anything>`). */
export const isSecretVariable = (variable: string): boolean => variable.startsWith(SECRETS_PREFIX);

/** The secret a template variable refers to ("secrets.API_TOKEN" → "API_TOKEN"); null when it is not a valid reference. */
export function secretOf(variable: string): string | null {
  if (!isSecretVariable(variable)) return null;
  const name = variable.slice(SECRETS_PREFIX.length);
  return SECRET_NAME.test(name) ? name : null;
}

/**
 * The values a run's setup extracted (`setup: { steps }` of a test, setup.ts), read by every
 * scenario and the teardown as `{{setup.NAME}}`: constants of the run, as secrets are. Nothing
 * but the setup's own extractions writes them.
 */
export const SETUP_PREFIX = "setup.";

/** Whether a template variable is in the setup's namespace (`setup.<name>`). */
export const isSetupVariable = (variable: string): boolean => variable.startsWith(SETUP_PREFIX);

/** Why a `secrets.` variable is no valid reference, or null when it is one (or no secret at all). */
export function secretReferenceError(variable: string): string | null {
  if (!isSecretVariable(variable) || secretOf(variable) !== null) return null;
  return `{{${variable}}} is no secret: secret names are letters, digits and _, not starting with a digit, at most 64`;
}

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
