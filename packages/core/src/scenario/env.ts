import { z } from "zod";

/**
 * Environment placeholders in a load test's strings (issue 23): `${NAME}`, `${NAME:-default}`
 * (the default when NAME is unset or empty) and `{{env.NAME}}`, filled from a run's `env` when
 * the run is compiled (compileRun), so that one stored test runs against each environment.
 * `$${` is a literal `${`. Other `{{...}}` templates (`{{var}}`, `{{secrets.NAME}}`) are the
 * worker's, per request: nothing inside them is substituted. Env values are recorded in the
 * run in clear: credentials go in secrets (`{{secrets.NAME}}`), never in env.
 */

/** A variable's name: what a run's env may hold, and what a placeholder may name. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
export const MAX_ENV_ENTRIES = 100;
export const MAX_ENV_VALUE_BYTES = 4096;

/** A run's env: its variables by name, bounded (they are recorded in run.created). */
export const runEnvSchema = z
  .record(
    z.string().regex(ENV_NAME, "env names are A-Z, 0-9 and _, not starting with a digit, at most 64"),
    z
      .string()
      .refine((v) => new TextEncoder().encode(v).length <= MAX_ENV_VALUE_BYTES, `an env value is at most ${MAX_ENV_VALUE_BYTES} bytes`)
      .refine((v) => !v.includes("\0"), "an env value must not hold NUL"),
  )
  .refine((env) => Object.keys(env).length <= MAX_ENV_ENTRIES, `at most ${MAX_ENV_ENTRIES} env entries`)
  .describe(
    `values of the test's env placeholders by name: at most ${MAX_ENV_ENTRIES}, each at most ${MAX_ENV_VALUE_BYTES} bytes (UTF-8), no NUL; ` +
      "recorded in the run in clear, so never secrets (a test names those as {{secrets.NAME}})",
  );
export type RunEnv = Readonly<Record<string, string>>;

/** Whether a template variable is an env placeholder (`{{env.NAME}}`): filled by compileRun, not by the worker. */
export const isEnvVariable = (variable: string): boolean => variable.startsWith("env.");

/** A piece of a string: text as it is, or a placeholder. */
type EnvPart = string | { readonly name: string; readonly fallback?: string | undefined; readonly written: string };

/** `{{env.NAME}}` | any other `{{...}}` (kept whole) | `$${` (escape) | `${...}` | an unclosed `${`. */
const TOKEN = /\{\{\s*env\.([^{}\s]*)\s*\}\}|\{\{[^}]*\}\}|\$\$\{|\$\{([^}]*)\}|\$\{/g;
const DOLLAR_INNER = /^([^:]*)(?::-([\s\S]*))?$/;

/** Why a placeholder's name is no env name, or null. */
const nameError = (name: string, written: string): string | null =>
  ENV_NAME.test(name)
    ? null
    : `${written} is no environment variable: names are A-Z, 0-9 and _, not starting with a digit (write $\${ for a literal \${)`;

/** The parts of a string, or why it is malformed. */
function envParts(text: string): { parts: EnvPart[] } | { error: string } {
  const parts: EnvPart[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const [written] = m;
    let part: EnvPart;
    if (m[1] !== undefined) {
      const error = nameError(m[1], written);
      if (error) return { error };
      part = { name: m[1], written };
    } else if (written.startsWith("{{")) part = written;
    else if (written === "$${") part = "${";
    else if (m[2] === undefined) return { error: `\${ is not closed by } (write $\${ for a literal \${)` };
    else {
      const [, name = "", fallback] = DOLLAR_INNER.exec(m[2]) ?? [];
      const error = nameError(name, written);
      if (error) return { error };
      part = { name, fallback, written };
    }
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(part);
    last = m.index + written.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return { parts };
}

/** Whether a string holds a placeholder or an escape (`$${`): quick, before parsing. */
const mayHoldEnv = (text: string): boolean => text.includes("${") || text.includes("{{");

/** Whether a string holds an env placeholder (well-formed or not): a field whose check waits for the run's values. */
export function hasEnvPlaceholder(text: string): boolean {
  if (!mayHoldEnv(text)) return false;
  const parsed = envParts(text);
  return "error" in parsed || parsed.parts.some((p) => typeof p !== "string");
}

/** Why a string's placeholders are malformed, or null. */
export function envPlaceholderError(text: string): string | null {
  if (!mayHoldEnv(text)) return null;
  const parsed = envParts(text);
  return "error" in parsed ? parsed.error : null;
}

export type EnvPath = readonly (string | number)[];

/** Every string of a JSON-like value (object values, not keys), with its path. */
function* strings(value: unknown, path: (string | number)[]): Generator<{ path: (string | number)[]; text: string }> {
  if (typeof value === "string") yield { path, text: value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

/** The names a value's strings refer to, sorted, each once, with whether every use of it has a default. */
export function envReferences(value: unknown): { name: string; required: boolean }[] {
  const names = new Map<string, boolean>();
  for (const { text } of strings(value, [])) {
    if (!mayHoldEnv(text)) continue;
    const parsed = envParts(text);
    if ("error" in parsed) continue;
    for (const p of parsed.parts) if (typeof p !== "string") names.set(p.name, (names.get(p.name) ?? false) || p.fallback === undefined);
  }
  return [...names].sort(([a], [b]) => a.localeCompare(b)).map(([name, required]) => ({ name, required }));
}

/** A placeholder that could not be filled, or a malformed one: the field's path and why. */
export class EnvSubstitutionError extends Error {
  override name = "EnvSubstitutionError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function substituteString(text: string, env: RunEnv, path: string): string {
  if (!mayHoldEnv(text)) return text;
  const parsed = envParts(text);
  if ("error" in parsed) throw new EnvSubstitutionError(path, parsed.error);
  let out = "";
  for (const p of parsed.parts) {
    if (typeof p === "string") out += p;
    else {
      const value = Object.hasOwn(env, p.name) ? env[p.name] : undefined;
      if (p.fallback !== undefined) out += value === undefined || value === "" ? p.fallback : value;
      else if (value === undefined) throw new EnvSubstitutionError(path, `${p.written} is not set`);
      else out += value;
    }
  }
  return out;
}

/**
 * The value with every placeholder of its strings filled from env (keys are left as written).
 * Pure; throws EnvSubstitutionError naming the first field (`scenarios.0.steps.2.headers.Authorization`)
 * whose variable is not set (and has no default) or whose placeholder is malformed.
 */
export function substituteEnv<T>(value: T, env: RunEnv, path: EnvPath = []): T {
  const walk = (v: unknown, at: (string | number)[]): unknown => {
    if (typeof v === "string") return substituteString(v, env, at.join("."));
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...at, k])]));
    return v;
  };
  return walk(value, [...path]) as T;
}

/** Every malformed placeholder of a value's strings, with its path: what a test's write refuses. */
export function envPlaceholderIssues(value: unknown, path: EnvPath = []): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const s of strings(value, [...path])) {
    const message = envPlaceholderError(s.text);
    if (message) issues.push({ path: s.path, message });
  }
  return issues;
}
