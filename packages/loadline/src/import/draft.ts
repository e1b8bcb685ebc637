/**
 * What an importer makes: a load test in the shape of the test file (the schema's input, not its
 * parsed output), and notes on what was imported and what was left out, for the file's header.
 */

export type DraftBody = { json: unknown } | { form: Record<string, string> } | { raw: string; contentType?: string };
export type DraftCheck = { type: "status"; in: number[] };
export type DraftExtract = { type: "jsonPath"; var: string; path: string };

export type DraftRequest = {
  type: "request";
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: DraftBody;
  checks?: DraftCheck[];
  extract?: DraftExtract[];
};
export type DraftThink = { type: "think"; distribution: "constant"; ms: number };
export type DraftStep = DraftRequest | DraftThink;

export type DraftExecutor = { type: "per-vu-iterations"; vus: number; iterations: number; maxDurationSec: number };

export type DraftScenario = { name: string; executor: DraftExecutor; variables?: Record<string, string>; steps: DraftStep[] };

export type DraftTest = { name: string; description?: string; targetUrl: string; scenarios: DraftScenario[] };

export type ImportNotes = {
  /** What was read, e.g. "HAR 1.2 recording app.har (Chromium 120)". */
  source: string;
  /** Lines saying what became of it. */
  imported: string[];
  /** Lines saying what was left out, and why. */
  leftOut: string[];
  /** The tenant secrets the test refers to: set them before running it. */
  secrets: string[];
};

export type ImportResult = { test: DraftTest; notes: ImportNotes };

/** What every importer takes from the command line. */
export type ImportOptions = {
  /** The test's targetUrl, in place of the recorded or described origin. */
  targetUrl?: string;
  name?: string;
};

/**
 * An imported test runs each scenario once with one virtual user: a replay or a smoke test that
 * shows the file works before anyone loads with it (change the executor to load).
 */
export const smokeExecutor = (): DraftExecutor => ({ type: "per-vu-iterations", vus: 1, iterations: 1, maxDurationSec: 120 });

const MAX_NAME = 200;

/**
 * A step's name, grouping its stats: the path without the query (`/orders/{{id}}`: every order in
 * one row). Not the method: the stats show it in a column of its own, beside the name.
 */
export function stepName(url: string): string {
  return (url.replace(/^https?:\/\/[^/]+/i, "").split(/[?#]/)[0] || "/").slice(0, MAX_NAME);
}

/** A name not yet in `taken` (adds it): `name`, else `name 2`, `name 3`... */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name} ${i}`;
  taken.add(candidate);
  return candidate;
}

/** A variable name as the schema takes it (letters, digits, _, . or -; not starting with a digit). */
export function variableName(raw: string, fallback = "value"): string {
  const cleaned = raw.replace(/[^\w.-]/g, "_").replace(/^[^A-Za-z_]+/, "");
  return cleaned || fallback;
}

/** A secret's name as the tenant's secrets take it: letters, digits and _, upper case, at most 64. */
export function secretName(raw: string): string {
  const cleaned = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/\W+/g, "_")
    .replace(/^[\d_]+|_+$/g, "")
    .toUpperCase()
    .slice(0, 64);
  return cleaned || "SECRET";
}

/** `1 request`, `2 requests`: a count and its noun (plural with an s, or as given). */
export const counted = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;

/** `"a"`, `"a and b"`, `"a, b and c"`. */
export const listed = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

/** An input that cannot be imported: the CLI says why and exits 2. */
export class ImportError extends Error {
  override name = "ImportError";
}

/** A scenario holds at most this many steps (the schema's limit). */
export const MAX_STEPS = 200;

/** A JSON document's text parsed, or undefined when it is none. */
export function parseJsonOrUndefined(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
