import type { DraftBody, DraftRequest } from "./draft.ts";
import { variableName } from "./draft.ts";

/**
 * Obvious correlation in recorded traffic: a value the server made (in a JSON response) that a
 * later request sends back (a token in a header, an id in a path or a body) is extracted from
 * that response into a variable, and the later requests send `{{variable}}` instead of the
 * recorded value, so that each virtual user sends its own. A value the client had sent before
 * the response (a user name echoed back) is the user's input, not the server's: it is left as is.
 */

/** A recorded request step and its response's parsed JSON body, if it had one. */
export type Exchange = { step: DraftRequest; responseJson?: unknown };

/** A variable made: extracted at `path` from `from`'s response, sent by the `usedBy` steps. */
export type Correlation = { variable: string; path: string; from: DraftRequest; usedBy: DraftRequest[] };

/** Short values (`ok`, `42`) match by chance: only values at least this long are correlated. */
const MIN_LENGTH = 4;
/** Bounds on what one response offers, so a large body cannot make the import slow. */
const MAX_LEAVES = 2_000;
const MAX_DEPTH = 32;

type Candidate = { value: string; path: string; key: string; exchange: Exchange };

/** A JSON path of segments, as the scenario schema writes them: `$.data.items[0].id`, `$['a b']`. */
export function jsonPathOf(segments: readonly (string | number)[]): string {
  return `$${segments
    .map((s) =>
      typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? `.${s}` : `['${s.replace(/[\\']/g, (c) => `\\${c}`)}']`,
    )
    .join("")}`;
}

/** The leaves of a JSON document worth correlating: strings, and integers of 4 digits or more. */
function* leaves(value: unknown, path: (string | number)[] = []): Generator<{ value: string; path: (string | number)[] }> {
  if (path.length > MAX_DEPTH) return;
  if (typeof value === "string") {
    if (value.length >= MIN_LENGTH && value.length <= 4096 && !/^(true|false|null)$/i.test(value)) yield { value, path };
  } else if (typeof value === "number") {
    if (Number.isInteger(value) && String(value).length >= MIN_LENGTH) yield { value: String(value), path };
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* leaves(v, [...path, i]);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* leaves(v, [...path, k]);
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The value where it stands alone: not inside a longer word or number. */
const standalone = (value: string) => new RegExp(`(?<![A-Za-z0-9])${escapeRegex(value)}(?![A-Za-z0-9])`, "g");

/** Every text a request sends, to tell the client's own values from the server's. */
function sentTexts(step: DraftRequest): string[] {
  const texts = [step.url, ...Object.values(step.headers ?? {})];
  if (step.body) texts.push(JSON.stringify(step.body));
  return texts;
}

function replaceInBody(body: DraftBody, replace: (text: string) => string): DraftBody {
  if ("raw" in body) return { ...body, raw: replace(body.raw) };
  if ("form" in body) return { form: Object.fromEntries(Object.entries(body.form).map(([k, v]) => [k, replace(v)])) };
  // Only a JSON body's strings take templates: a number stays a number (a template would make it a string).
  const walk = (v: unknown): unknown =>
    typeof v === "string"
      ? replace(v)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return { json: walk(body.json) };
}

/**
 * Correlates the exchanges in place (in their recorded order): adds the extractions to the steps
 * whose responses hold the values, and templates to the steps that send them. Returns what it did.
 */
export function correlate(exchanges: readonly Exchange[]): Correlation[] {
  const sent: string[] = [];
  const offered = new Map<string, Candidate>();
  const used = new Map<string, Correlation>();
  const names = new Set<string>();
  const wasSent = (value: string) => sent.some((text) => standalone(value).test(text));

  for (const exchange of exchanges) {
    const original = sentTexts(exchange.step);
    // Longest first, so that a value inside another (an id inside a URL) is not replaced first.
    const values = [...offered.keys()].sort((a, b) => b.length - a.length);
    for (const value of values) {
      const pattern = standalone(value);
      if (!sentTexts(exchange.step).some((t) => pattern.test(t))) continue;
      const candidate = offered.get(value)!;
      let correlation = used.get(value);
      if (!correlation) {
        const variable = uniqueVariable(candidate.key, names);
        correlation = { variable, path: candidate.path, from: candidate.exchange.step, usedBy: [] };
        used.set(value, correlation);
        const step = candidate.exchange.step;
        step.extract = [...(step.extract ?? []), { type: "jsonPath", var: variable, path: candidate.path }];
      }
      const template = `{{${correlation.variable}}}`;
      const replace = (text: string) => text.replace(standalone(value), template);
      const step = exchange.step;
      step.url = replace(step.url);
      if (step.headers) step.headers = Object.fromEntries(Object.entries(step.headers).map(([k, v]) => [k, replace(v)]));
      if (step.body) step.body = replaceInBody(step.body, replace);
      correlation.usedBy.push(step);
    }
    sent.push(...original);
    let count = 0;
    for (const leaf of leaves(exchange.responseJson)) {
      if (++count > MAX_LEAVES) break;
      if (offered.has(leaf.value) || wasSent(leaf.value)) continue;
      const key = [...leaf.path].reverse().find((s): s is string => typeof s === "string") ?? "value";
      offered.set(leaf.value, { value: leaf.value, path: jsonPathOf(leaf.path), key, exchange });
    }
  }
  return [...used.values()];
}

function uniqueVariable(key: string, taken: Set<string>): string {
  const base = variableName(key);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}
