import { MAX_JSON_DEPTH, routeAccess } from "@loadline/service";
import type { RawAnswer, RawOutcome } from "./raw-http.ts";

/**
 * A seeded fuzzer of the REST API (issue 16): each request is a valid one for a route the app
 * serves, mutated 0-3 times (body values, keys, raw JSON text, headers, method, path, query), or
 * a protocol case written byte by byte. Request `i` of seed `s` is made by its own generator, so
 * it can be made again alone; only the ids it picks from the pools depend on what ran before.
 *
 * Every answer is judged by `judge`: never a 5xx, never no answer, every 4xx in the documented
 * shape with a `field` naming something the request carried; a request with one mutation whose
 * outcome is known (a NUL at a path, nesting past 64, a foreign Host...) must get exactly that.
 *
 * Authentication is on, as deployed: each request carries a credential (the platform admin's
 * key, or an admin key of another tenant), which mutations take away or spoil (a 401 naming
 * Authorization); the platform admin may name a tenant with X-Tenant-Id, which mutations fuzz.
 */

export type Route = { method: string; path: string };

/** The routes the API is known to serve: the enumeration must find each (and may find more, which are fuzzed too). */
export const KNOWN_ROUTES = [
  "GET /healthz",
  "GET /readyz",
  "GET /metrics",
  "POST /v1/load-tests",
  "GET /v1/load-tests",
  "GET /v1/load-tests/:id",
  "PUT /v1/load-tests/:id",
  "DELETE /v1/load-tests/:id",
  "POST /v1/load-tests/:id/runs",
  "GET /v1/runs",
  "GET /v1/runs/:id",
  "POST /v1/runs/:id/stop",
  "POST /v1/runs/:id/pause",
  "POST /v1/runs/:id/resume",
  "POST /v1/runs/:id/scale",
  "GET /v1/runs/:id/metrics/timeseries",
  "GET /v1/runs/:id/metrics/aggregate",
  "GET /v1/runs/:id/metrics/endpoints",
  "GET /v1/runs/:id/metrics/distribution",
  "GET /v1/runs/:id/metrics/scatter",
  "GET /v1/workers",
  "GET /v1/projections",
  "GET /v1/runs/:id/live",
  "GET /v1/live",
  "GET /",
  "GET /console/:file",
  "POST /v1/load-tests/:id/schedules",
  "GET /v1/load-tests/:id/schedules",
  "GET /v1/schedules",
  "GET /v1/schedules/:id",
  "PATCH /v1/schedules/:id",
  "DELETE /v1/schedules/:id",
] as const;

/** mulberry32: small, fast and seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Request `index`'s own generator. */
export const rngFor = (seed: number, index: number): Rng => new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);

export type FuzzContext = {
  port: number;
  routes: readonly Route[];
  demoUrl: string;
  maxBodyBytes: number;
  /** Ids to put in paths; tests and runs the fuzz creates are added as their answers come. */
  pools: { loadTests: string[]; runs: string[]; runnable: string[]; deleted: string[] };
  /** Valid run starts still allowed (1 VU, 1 s each, on a test whose runs last at most 1 s). */
  runBudget: { left: number };
  /**
   * API keys: the platform admin's (the stack's bootstrap key: tenant "default", and any tenant
   * it names with X-Tenant-Id), and an admin key of another tenant, "fuzz-other".
   */
  keys: { platform: string; otherTenant: string };
};

/** Who may call each route (the API's own table): which routes need no credential, and which only the platform admin may call. */
const ACCESS = routeAccess("open");
const accessOf = (route: Route) => ACCESS[`${route.method} ${route.path}`];
const bearer = (key: string) => `Bearer ${key}`;

export type Expectation = { what: string; check: (a: RawAnswer, err: ErrorFields | null) => string | null };
export type ErrorFields = { code: string; message: string; field?: string };

export type FuzzRequest = {
  index: number;
  mutations: string[];
  route: Route;
  method: string;
  parts: Buffer[];
  head: boolean;
  halfClose: boolean;
  /** We asked the server to close after answering (Connection: close). */
  closeExpected: boolean;
  /** The body as the server will parse it, or undefined when it is not JSON (parsed when first asked). */
  json: () => unknown;
  headerNames: string[];
  queryNames: string[];
  expectations: Expectation[];
};

type JsonPath = (string | number)[];

type Draft = {
  route: Route;
  method: string;
  path: string;
  query: [string, string | null][];
  headers: [string, string][];
  json: unknown;
  /** marker → JSON text put in place of the marker's string (a raw number, a deep nest, an escape). */
  textEdits: [string, string][];
  /** marker → bytes put in place of the marker (invalid UTF-8). */
  byteEdits: [string, Buffer][];
  body: Buffer | null;
  jsonRoute: boolean;
  queryRoute: boolean;
};

// ---------- small helpers

type WellFormed = { isWellFormed(): boolean };
const badString = (s: string) => s.includes("\0") || !(s as unknown as WellFormed).isWellFormed();
/** A key as the API names it in `field`: escaped when it holds NUL or an unpaired surrogate. */
const keyName = (k: string | number) => (typeof k === "number" || !badString(k) ? String(k) : JSON.stringify(k).slice(1, -1));
export const fieldOf = (path: JsonPath) => path.map(keyName).join(".") || "body";
const latin1 = (utf8: string) => Buffer.from(utf8, "utf8").toString("latin1");
const hex = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(16).toString(16)).join("");
const randomId = (r: Rng) => `fz${hex(r, 12)}`;
const nest = (d: number, r: Rng) => (r.chance(0.5) ? `${"[".repeat(d)}1${"]".repeat(d)}` : `${'{"a":'.repeat(d)}1${"}".repeat(d)}`);
const nestLeafPath = (text: string, excess: number) =>
  Array(excess)
    .fill(text.startsWith("[") ? "0" : "a")
    .join(".");

function getAt(root: unknown, path: JsonPath): unknown {
  let at = root;
  for (const k of path) at = (at as Record<string | number, unknown>)[k];
  return at;
}
function setAt(root: unknown, path: JsonPath, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}
function deleteAt(root: unknown, path: JsonPath): void {
  const parent = getAt(root, path.slice(0, -1));
  const key = path.at(-1)!;
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Record<string, unknown>)[key];
}
/** Every node under the root, with its path (the root itself excluded). */
function nodes(root: unknown): { path: JsonPath; value: unknown }[] {
  const out: { path: JsonPath; value: unknown }[] = [];
  const stack: { path: JsonPath; value: unknown }[] = [{ path: [], value: root }];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.path.length > 0) out.push(n);
    if (n.value && typeof n.value === "object")
      for (const [k, v] of Object.entries(n.value)) stack.push({ path: [...n.path, Array.isArray(n.value) ? Number(k) : k], value: v });
  }
  return out;
}

/** hono's query decoding: a %-sequence that does not decode stays as written. */
function tryDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s.replace(/\+/g, " ").replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

// ---------- what valid requests look like

function simpleSpec(ctx: FuzzContext, r: Rng) {
  return {
    name: `fuzz simple ${hex(r, 4)}`,
    description: "a test the fuzzer mutates",
    tags: ["fuzz", "simple"],
    targetUrl: ctx.demoUrl,
    requests: [
      { name: "fixed", method: "GET", path: "/fixed?ms=1", headers: { "x-a": "1" } },
      { method: "post", path: "/login", headers: { "content-type": "application/json" }, body: '{"user":"u"}' },
    ],
    defaultUsers: 1,
    defaultSpawnRate: 1,
    defaultDurationSec: 1,
    maxDurationSec: 1,
  };
}

function scenarioSpec(ctx: FuzzContext, r: Rng) {
  return {
    name: `fuzz scenarios ${hex(r, 4)}`,
    tags: ["fuzz"],
    targetUrl: ctx.demoUrl,
    defaultUsers: 1,
    defaultSpawnRate: 1,
    defaultDurationSec: 1,
    maxDurationSec: 1,
    workload: { type: "constant-vus", vus: 1, durationSec: 1 },
    scenarios: [
      {
        name: "shopper",
        weight: 2,
        variables: { who: "u" },
        data: { mode: "unique", rows: [{ user: "a" }, { user: "b" }] },
        steps: [
          {
            type: "request",
            name: "login",
            method: "POST",
            url: "/login",
            body: { json: { user: "{{user}}", n: [1, 2.5, true, null] } },
            timeoutMs: 1000,
            checks: [
              { type: "status", in: [200] },
              { type: "jsonPath", path: "$.token", exists: true },
              { type: "header", name: "content-type", matches: "json" },
              { type: "latency", belowMs: 500 },
              { type: "bodyContains", value: "token" },
            ],
            extract: [
              { type: "jsonPath", var: "token", path: "$.token" },
              { type: "regex", var: "t2", pattern: "tok-(\\w+)", group: 1 },
              { type: "header", var: "ct", name: "content-type" },
            ],
          },
          { type: "think", distribution: "uniform", minMs: 1, maxMs: 2 },
          { type: "request", url: "/me", query: { q: "{{who}}" }, headers: { authorization: "Bearer {{token}}" } },
        ],
      },
      {
        name: "browser",
        executor: {
          type: "ramping-arrival-rate",
          startRate: 1,
          timeUnitSec: 1,
          stages: [{ durationSec: 1, target: 2 }],
          preAllocatedVUs: 1,
          maxVUs: 2,
        },
        steps: [
          { type: "request", method: "PUT", url: "/random?min=1&max=2", body: { form: { a: "b" } } },
          { type: "think", distribution: "normal", meanMs: 1, stddevMs: 1 },
          { type: "request", url: "/fixed", body: { raw: "x", contentType: "text/plain" } },
        ],
      },
    ],
  };
}

/** The valid specs the fuzzer starts from (the setup creates each once: they must stay valid). */
export const validSpecs = (ctx: FuzzContext, r: Rng) => [simpleSpec(ctx, r), scenarioSpec(ctx, r)];

/** Run starts that are valid and small: 1 VU, at most 1 s (the test's maxDurationSec). */
const VALID_RUNS: readonly object[] = [{}, { durationSec: 1 }, { targetUsers: 1, spawnRate: 1, durationSec: 1 }, { workers: 1 }];

const HOUR_AGO = new Date(Date.now() - 3600_000).toISOString();
const NOW = new Date().toISOString();

/** Valid query parameters of the routes that read them; a route not listed gets none (and hostile ones by mutation). */
function queryHints(route: Route, ctx: FuzzContext): [string, string][] {
  if (route.method !== "GET") return [];
  const selection: [string, string][] = [
    ["from", encodeURIComponent(HOUR_AGO)],
    ["to", encodeURIComponent(NOW)],
    ["requests", "fixed"],
    ["workers", "w1"],
  ];
  switch (route.path) {
    case "/v1/load-tests":
      return [
        ["limit", "10"],
        ["offset", "0"],
        ["tag", "fuzz"],
      ];
    case "/v1/runs":
      return [
        ["limit", "5"],
        ["offset", "0"],
        ["status", "Completed"],
        ["loadTestId", ctx.pools.runnable[0] ?? "abc"],
      ];
    case "/v1/workers":
      return [["state", "idle"]];
    case "/v1/schedules":
      return [
        ["limit", "5"],
        ["offset", "0"],
        ["loadTestId", ctx.pools.runnable[0] ?? "abc"],
      ];
    case "/v1/runs/:id/metrics/timeseries":
      return [...selection, ["step", "1s"]];
    case "/v1/runs/:id/metrics/aggregate":
    case "/v1/runs/:id/metrics/endpoints":
    case "/v1/runs/:id/metrics/distribution":
    case "/v1/runs/:id/metrics/scatter":
      return selection;
    case "/v1/runs/:id/compare":
      return [["to", ctx.pools.runs[0] ?? "baseline"]];
    case "/v1/runs/:id/report":
      return [["format", "json"]];
    case "/v1/runs/:id/live":
      return [
        ["endpoints", "false"],
        ["lastEventId", "1.2"],
      ];
    case "/v1/live":
      return [["lastEventId", "1"]];
    default:
      return [];
  }
}

/** The routes known to read a JSON body: requests to them are mutated from a valid body, deep into validation. */
const takesJson = (route: Route) =>
  (route.method === "POST" && route.path === "/v1/load-tests") ||
  (route.method === "PUT" && route.path === "/v1/load-tests/:id") ||
  (route.method === "POST" && route.path === "/v1/load-tests/:id/runs") ||
  (route.method === "POST" && route.path === "/v1/load-tests/:id/baseline") ||
  (route.method === "POST" && route.path === "/v1/load-tests/:id/schedules") ||
  (route.method === "POST" && route.path === "/v1/runs/:id/scale") ||
  (route.method === "PATCH" && route.path === "/v1/schedules/:id");

/** A valid body of a route that takes one. */
function bodyHint(route: Route, ctx: FuzzContext, r: Rng): unknown {
  if (route.method === "POST" && route.path === "/v1/load-tests") return r.pick(validSpecs(ctx, r));
  if (route.method === "PUT" && route.path === "/v1/load-tests/:id") return r.pick(validSpecs(ctx, r));
  if (route.method === "POST" && route.path === "/v1/load-tests/:id/runs")
    return { targetUsers: 1, spawnRate: 1, durationSec: 1, workers: 1, workerSelector: { pool: "fuzz" } };
  if (route.method === "POST" && route.path === "/v1/load-tests/:id/baseline") return { runId: ctx.pools.runs[0] ?? "no-run-yet" };
  if (route.method === "POST" && route.path === "/v1/load-tests/:id/schedules")
    return { cron: "0 3 * * *", timezone: "Europe/Berlin", overrides: { durationSec: 1, workers: 1 }, missedFire: "skip", overlap: "skip" };
  if (route.method === "PATCH" && route.path === "/v1/schedules/:id") return { enabled: false, cron: "*/5 * * * * *" };
  if (route.method === "POST" && route.path === "/v1/runs/:id/scale") return { vus: 2 };
  return undefined;
}

function idFor(route: Route, ctx: FuzzContext, r: Rng): string {
  const { pools } = ctx;
  const from = (pool: string[]) => (pool.length > 0 && r.chance(0.75) ? r.pick(pool) : randomId(r));
  if (route.path.startsWith("/v1/load-tests/")) {
    if (route.method === "PUT" || route.method === "DELETE") return from(pools.loadTests);
    // A mutated run start goes to a test that cannot run: deleted, or none at all.
    if (route.path.endsWith("/runs")) return from(pools.deleted);
    // A schedule would start runs of its own: the fuzz writes them only for tests that are gone.
    if (route.path.endsWith("/schedules") && route.method === "POST") return from(pools.deleted);
    return from(r.pick([pools.loadTests, pools.runnable, pools.deleted]));
  }
  if (route.path.startsWith("/v1/runs/")) return from(pools.runs);
  return randomId(r);
}

/** A value for the path parameter `name` (`:id`, `:tenant`, `:name`) of `route`. */
function paramFor(name: string, route: Route, ctx: FuzzContext, r: Rng): string {
  if (name === "id") return idFor(route, ctx, r);
  if (name === "tenant") return r.pick(["fuzz-other", "fuzz-third", randomId(r)]);
  if (name === "name") return r.pick(["API_TOKEN", "fuzz_secret", randomId(r)]);
  return randomId(r);
}

function baseDraft(route: Route, ctx: FuzzContext, r: Rng): Draft {
  const hints = queryHints(route, ctx);
  const query = hints.filter(() => r.chance(0.5));
  if (route.method === "GET" && route.path.startsWith("/v1/") && r.chance(0.1)) query.push(["minSeq", r.pick(["0", "1"])]);
  const json = bodyHint(route, ctx, r);
  const headers: [string, string][] = [
    ["Host", r.pick([`127.0.0.1:${ctx.port}`, "localhost", `localhost:${ctx.port}`, "[::1]"])],
    ["User-Agent", "loadline-fuzz"],
  ];
  if (r.chance(0.95)) headers.push(["Connection", "close"]);
  if (json !== undefined) headers.push(["Content-Type", r.pick(["application/json", "application/json; charset=utf-8"])]);
  // One request in ten as another tenant: with its own key, or as the platform admin naming it where only the platform admin may go.
  if (!r.chance(0.1)) headers.push(["Authorization", bearer(ctx.keys.platform)]);
  else if (accessOf(route) === "platform") headers.push(["Authorization", bearer(ctx.keys.platform)], ["X-Tenant-Id", "fuzz-other"]);
  else headers.push(["Authorization", bearer(ctx.keys.otherTenant)]);
  return {
    route,
    method: route.method,
    path: route.path.replace(/:([A-Za-z]+)\b/g, (_, name: string) => paramFor(name, route, ctx, r)),
    query,
    headers,
    json,
    textEdits: [],
    byteEdits: [],
    body: null,
    jsonRoute: json !== undefined,
    queryRoute: hints.length > 0,
  };
}

// ---------- hostile values

const LONG = "x".repeat(10_001);
const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "🙂",
  "\u202e\ufeff",
  "x".repeat(201),
  LONG,
  "{{unknown}}",
  "{{__iteration}}",
  "{{",
  "http://evil.example",
  "file:///etc/passwd",
  "javascript:alert(1)",
  "HTTP://127.0.0.1:9/",
  "//evil.example/x",
  "../../etc/passwd",
  "$..*",
  "$[?(@.a.match('x'))]",
  "(a+)+$",
  "(?=x)",
  "\\1",
  "[",
  "%00",
  "' OR 1=1 --",
  "<script>",
  "\n\t\r",
  "\u2028",
  "1",
  "1e308",
  "NaN",
  "-0",
  "true",
  "null",
  "GET",
  "constant-vus",
  "request",
];
/** Strings no body may carry: the answer must be a 400 naming where they are. */
const POISON_STRINGS: readonly string[] = ["a\u0000b", "\u0000", "\ud800", "x\udfff", "\udc00\ud800", "ok\ud83d"];
const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  1e6,
  1e6 + 1,
  10_000_001,
  7 * 24 * 3600 + 1,
  3_600_001,
  599,
  600,
  99,
  100,
  65,
  201,
];
/** Number-like JSON text: some valid JSON (huge, tiny, past 2^53), some not (NaN, hex, a leading zero). */
const NUMBER_TEXTS: readonly [string, boolean][] = [
  ["99999999999999999999", true],
  ["1e308", true],
  ["-1e308", true],
  ["1e400", true],
  ["-1e400", true],
  ["-0", true],
  ["-0.0", true],
  ["1e-400", true],
  ["4.9e-324", true],
  ["9007199254740993", true],
  ["1.0000000000000000001", true],
  ["1E2", true],
  ["NaN", false],
  ["Infinity", false],
  ["-Infinity", false],
  ["0x10", false],
  ["01", false],
  ["+1", false],
  [".5", false],
  ["1.", false],
  ["1e", false],
  ["--1", false],
];
/** JSON string text: escapes that decode to what no body may hold, and raw control characters (invalid JSON). */
const STRING_TEXTS: readonly [string, "poison" | "invalid" | "ok"][] = [
  ['"\\u0000"', "poison"],
  ['"a\\u0000"', "poison"],
  ['"\\ud800"', "poison"],
  ['"\\uDFFF"', "poison"],
  ['"\\udc00\\ud800"', "poison"],
  ['"\\ud800\\u0041"', "poison"],
  ['"\\ud83d\\ude00"', "ok"],
  ['"\\u00e9\\n\\t\\/"', "ok"],
  ['"a\u0001b"', "invalid"],
  ['"a\u001fb"', "invalid"],
  ['"a\nb"', "invalid"],
  ['"\\x41"', "invalid"],
  ['"\\u12"', "invalid"],
  ['"unterminated', "invalid"],
];
/** Bytes that are not UTF-8 (decoded as U+FFFD, which may be stored): an overlong NUL, a CESU surrogate, 0xFF. */
const BAD_UTF8: readonly Buffer[] = [
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xff]),
  Buffer.from([0xe2, 0x82]),
];

function hostileValue(r: Rng, original: unknown): unknown {
  switch (r.int(8)) {
    case 0:
      return r.pick(HOSTILE_STRINGS);
    case 1:
      return r.pick(HOSTILE_NUMBERS);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return r.pick<unknown>([[], [1], ["a"], [null], [[[]]], Array(51).fill("t"), Array(101).fill({ method: "GET", path: "/" })]);
    case 4:
      return r.pick<unknown>([{}, { a: 1 }, { type: "request" }, { json: null }, { "": "" }, { type: "think", distribution: "constant" }]);
    case 5: // the original, a little off
      if (typeof original === "number")
        return r.pick([original + 1, original - 1, original * 1000, -original, original + 0.5, original * 1e6]);
      if (typeof original === "string")
        return r.pick([original.toUpperCase(), original.repeat(50), original.slice(1), `${original} `, ` ${original}`, `${original}🙂`]);
      if (Array.isArray(original)) return r.pick([[...original, ...original], [], Array(60).fill(original[0] ?? 1)]);
      return original === null ? 0 : String(original);
    case 6:
      return String(original);
    default:
      return typeof original === "string" ? [original] : { value: original };
  }
}

// ---------- expectations

const statusIs = (what: string, status: number, field?: string | ((f: string) => boolean)): Expectation => ({
  what,
  check: (a, err) => {
    if (a.status !== status) return `expected ${status} (${what}), got ${a.status}`;
    if (field === undefined || a.status < 400) return null;
    const got = err?.field ?? "";
    const ok = typeof field === "string" ? got.toLowerCase() === field.toLowerCase() : field(got);
    return ok ? null : `expected field ${typeof field === "string" ? field : "matching"} (${what}), got ${JSON.stringify(err?.field)}`;
  },
});
const statusIn = (what: string, statuses: number[], field?: string): Expectation => ({
  what,
  check: (a, err) => {
    if (!statuses.includes(a.status)) return `expected one of ${statuses.join("/")} (${what}), got ${a.status}`;
    if (field !== undefined && a.status >= 400 && err?.field?.toLowerCase() !== field.toLowerCase())
      return `expected field ${field} (${what}), got ${JSON.stringify(err?.field)}`;
    return null;
  },
});
/** When the answer is a 400, it names `field` (the route may not read the thing at all). */
const if400Names = (what: string, field: string): Expectation => ({
  what,
  check: (a, err) =>
    a.status === 400 && err?.field?.toLowerCase() !== field.toLowerCase()
      ? `a 400 (${what}) names ${JSON.stringify(err?.field)}, not ${field}`
      : null,
});

// ---------- mutations

type Mutation = {
  name: string;
  weight: number;
  applies: (d: Draft) => boolean;
  apply: (d: Draft, r: Rng, ctx: FuzzContext) => Expectation | undefined;
};

let markers = 0;
const marker = () => `\u0001m${markers++}\u0001`;

function pickNode(d: Draft, r: Rng, filter: (v: unknown) => boolean = () => true) {
  const all = nodes(d.json).filter((n) => filter(n.value) && !n.path.some((k) => typeof k === "string" && k.startsWith("\u0001")));
  return all.length > 0 ? r.pick(all) : undefined;
}

const setHeader = (d: Draft, name: string, value: string | null) => {
  d.headers = d.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  if (value !== null) d.headers.push([name, value]);
};

const hasBody = (d: Draft) => d.json !== undefined && d.body === null;
/** The request's route is one only a credential may call (the ops routes need none). */
const needsCredential = (d: Draft) => accessOf(d.route) !== "public";

const MUTATIONS: Mutation[] = [
  {
    name: "body.value",
    weight: 14,
    applies: hasBody,
    apply: (d, r) => {
      const n = pickNode(d, r);
      if (!n) return undefined;
      if (r.chance(0.25)) {
        const poison = r.pick(POISON_STRINGS);
        setAt(d.json, n.path, poison);
        return d.jsonRoute ? statusIs(`a string with NUL or a lone surrogate at ${fieldOf(n.path)}`, 400, fieldOf(n.path)) : undefined;
      }
      setAt(d.json, n.path, hostileValue(r, n.value));
      return undefined;
    },
  },
  {
    name: "body.deep",
    weight: 4,
    applies: hasBody,
    apply: (d, r) => {
      const n = pickNode(d, r);
      if (!n) return undefined;
      const L = n.path.length;
      const depth = r.pick([MAX_JSON_DEPTH - L - 1, MAX_JSON_DEPTH - L, MAX_JSON_DEPTH - L + 1, 200, 1000, 3000, 10_000]);
      const m = marker();
      const text = nest(Math.max(1, depth), r);
      setAt(d.json, n.path, m);
      d.textEdits.push([m, text]);
      if (!d.jsonRoute) return undefined;
      if (L + depth > MAX_JSON_DEPTH) {
        const field = `${fieldOf(n.path)}.${nestLeafPath(text, MAX_JSON_DEPTH - L)}`;
        return statusIs(`${depth} levels at ${fieldOf(n.path)}`, 400, field);
      }
      return {
        what: `${depth} levels at ${fieldOf(n.path)}: within the limit`,
        check: (_a, err) => (err && /nested deeper/.test(err.message) ? `refused as too deep: ${err.message}` : null),
      };
    },
  },
  {
    name: "body.delete",
    weight: 4,
    applies: hasBody,
    apply: (d, r) => {
      const n = pickNode(d, r);
      if (n) deleteAt(d.json, n.path);
      return undefined;
    },
  },
  {
    name: "body.unknown-key",
    weight: 5,
    applies: hasBody,
    apply: (d, r) => {
      const n = r.chance(0.3)
        ? { path: [] as JsonPath, value: d.json }
        : pickNode(d, r, (v) => !!v && typeof v === "object" && !Array.isArray(v));
      if (!n?.value || typeof n.value !== "object" || Array.isArray(n.value)) return undefined;
      const key = r.pick(["colour", "__proto__", "constructor", "", "a.b", "x\u0000", "\ud800", "k\udfffk", "🙂", "x".repeat(300)]);
      setAt(d.json, [...n.path, key], r.chance(0.5) ? "v" : hostileValue(r, 1));
      if (badString(key) && d.jsonRoute)
        return statusIs(`a key with NUL or a lone surrogate in ${fieldOf(n.path)}`, 400, fieldOf([...n.path, key]));
      return undefined;
    },
  },
  {
    name: "body.number-text",
    weight: 5,
    applies: hasBody,
    apply: (d, r) => {
      const n = pickNode(d, r, (v) => typeof v === "number") ?? pickNode(d, r);
      if (!n) return undefined;
      const [text, valid] = r.pick(NUMBER_TEXTS);
      const m = marker();
      setAt(d.json, n.path, m);
      d.textEdits.push([m, text]);
      return !valid && d.jsonRoute ? statusIs(`${text} is not JSON`, 400, "body") : undefined;
    },
  },
  {
    name: "body.string-text",
    weight: 5,
    applies: hasBody,
    apply: (d, r) => {
      const n = pickNode(d, r, (v) => typeof v === "string") ?? pickNode(d, r);
      if (!n) return undefined;
      const m = marker();
      setAt(d.json, n.path, m);
      if (r.chance(0.2)) {
        // Bytes that are not UTF-8, inside a string: they decode to U+FFFD.
        const bytes = r.pick(BAD_UTF8);
        d.textEdits.push([m, `"a${m}b"`]);
        d.byteEdits.push([m, bytes]);
        return undefined;
      }
      const [text, kind] = r.pick(STRING_TEXTS);
      d.textEdits.push([m, text]);
      if (!d.jsonRoute) return undefined;
      if (kind === "poison") return statusIs(`${text} at ${fieldOf(n.path)}`, 400, fieldOf(n.path));
      if (kind === "invalid") return statusIs(`${JSON.stringify(text)} is not JSON`, 400, "body");
      return undefined;
    },
  },
  {
    name: "body.whole",
    weight: 6,
    applies: hasBody,
    apply: (d, r) => {
      const text = JSON.stringify(d.json);
      const choice = r.int(12);
      const set = (s: string | Buffer) => {
        d.body = typeof s === "string" ? Buffer.from(s, "utf8") : s;
      };
      switch (choice) {
        case 0:
          set(text.slice(0, 1 + r.int(Math.max(1, text.length - 1))));
          break;
        case 1: {
          const b = Buffer.from(text, "utf8");
          for (let i = 0; i < 1 + r.int(3); i++) b[r.int(b.length)] = r.int(256);
          set(b);
          break;
        }
        case 2:
          set("");
          break;
        case 3:
          set(r.pick(["[]", '"text"', "1", "null", "true", "[{}]", "{}", "  {}  ", "{} {}", "{},"]));
          break;
        case 4:
          set(`\ufeff${text}`);
          break;
        case 5: // duplicate keys: the last wins, and it is the bad one
          set(`{"name":"ok",${text.slice(1, -1)},"name":"a\\u0000b"}`);
          return d.jsonRoute && d.route.path === "/v1/load-tests" ? statusIs("a duplicate key holding NUL", 400, "name") : undefined;
        case 6: {
          const depth = r.pick([MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 5000, 20_000]);
          const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
          set(nested);
          if (!d.jsonRoute) return undefined;
          return depth > MAX_JSON_DEPTH
            ? statusIs(`${depth} arrays deep`, 400, Array(MAX_JSON_DEPTH).fill("0").join("."))
            : statusIs(`${depth} arrays: not an object`, 400, "body");
        }
        case 7:
          set(`{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`);
          break;
        case 8:
          set(`[${Array(20_000).fill("0").join(",")}]`);
          break;
        case 9:
          set(`${" ".repeat(r.pick([1000, 100_000]))}${text}`);
          break;
        case 10:
          set(`${text}\u0000`);
          break;
        default:
          set(`{"__proto__":{"polluted":true},${text.slice(1)}`);
          break;
      }
      return undefined;
    },
  },
  {
    name: "body.grow",
    weight: 0.3,
    applies: (d) => hasBody(d) && d.jsonRoute,
    apply: (d, r, ctx) => {
      const n = pickNode(d, r, (v) => typeof v === "string");
      if (!n) return undefined;
      const size = r.pick([200_000, 1_040_000, 1_046_000, ctx.maxBodyBytes + 10]);
      setAt(d.json, n.path, "x".repeat(size));
      const bodyBytes = Buffer.byteLength(JSON.stringify(d.json));
      if (bodyBytes > ctx.maxBodyBytes) return statusIs(`a ${bodyBytes}-byte body`, 413, "body");
      return {
        what: `a ${size}-character string at ${fieldOf(n.path)}`,
        check: (a, err) =>
          a.status === 413 && err?.field !== fieldOf(n.path) ? `a 413 names ${err?.field}, not ${fieldOf(n.path)}` : null,
      };
    },
  },
  {
    name: "body.unexpected",
    weight: 2,
    applies: (d) => d.json === undefined,
    apply: (d, r) => {
      d.json = r.pick<unknown>([{}, { a: "\u0000" }, [1, 2], { reason: "x" }, "text"]);
      setHeader(d, "Content-Type", r.pick(["application/json", "text/plain"]));
      return undefined;
    },
  },
  {
    name: "header.content-type",
    weight: 5,
    applies: () => true,
    apply: (d, r) => {
      const bad = [
        null,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin1",
        "application/jsonx",
        "text/json",
        "",
      ];
      const broken = ["application/json\u0000", "application/json\u0001"];
      const good = [
        "APPLICATION/JSON",
        "application/merge-patch+json",
        'application/json;charset="UTF-8"',
        "application/vnd.x+json; charset=utf8",
      ];
      const kind = r.int(10);
      if (kind < 6) {
        const type = r.pick(bad);
        setHeader(d, "Content-Type", type);
        return d.jsonRoute ? statusIs(`Content-Type ${JSON.stringify(type)}`, 415, "Content-Type") : undefined;
      }
      if (kind < 7) {
        setHeader(d, "Content-Type", r.pick(broken));
        return statusIs("a control byte in Content-Type", 400, "Content-Type");
      }
      setHeader(d, "Content-Type", r.pick(good));
      return d.jsonRoute
        ? { what: "a JSON Content-Type", check: (a) => (a.status === 415 ? "a JSON Content-Type was refused with 415" : null) }
        : undefined;
    },
  },
  {
    name: "header.tenant",
    weight: 4,
    applies: () => true,
    apply: (d, r) => {
      const invalid = ["", "_fleet", "a b", "a/b", "x".repeat(65), "\u00e9", latin1("🙂"), "a.b", "*", "a%00"];
      const broken = ["a\u0000b", "a\u0001", "a\u007f"];
      if (r.chance(0.2)) {
        setHeader(d, "X-Tenant-Id", r.pick(broken));
        return statusIs("a control byte in X-Tenant-Id", 400, "X-Tenant-Id");
      }
      if (r.chance(0.2)) {
        setHeader(d, "X-Tenant-Id", r.pick(["x".repeat(64), "other-tenant", "A_b-9"]));
        return undefined;
      }
      const tenant = r.pick(invalid);
      setHeader(d, "X-Tenant-Id", tenant);
      return if400Names(`X-Tenant-Id ${JSON.stringify(tenant)}`, "X-Tenant-Id");
    },
  },
  {
    name: "header.if-match",
    weight: 3,
    applies: () => true,
    apply: (d, r) => {
      const invalid = [
        "99999999999999999999",
        '"99999999999999999999"',
        "-1",
        '"1.5"',
        "abc",
        "",
        '"9007199254740992"',
        "W/",
        '""',
        "1e3",
        '"0x1"',
      ];
      const valid = ["*", 'W/"1"', '"1"', "1", '"9007199254740991"', '"0"'];
      const writes = (d.method === "PUT" || d.method === "DELETE") && d.route.path === "/v1/load-tests/:id";
      if (r.chance(0.7)) {
        const v = r.pick(invalid);
        setHeader(d, "If-Match", v);
        return writes ? statusIs(`If-Match ${v}`, 400, "If-Match") : undefined;
      }
      setHeader(d, "If-Match", r.pick(valid));
      return undefined;
    },
  },
  {
    name: "header.min-seq",
    weight: 2,
    applies: () => true,
    apply: (d, r) => {
      // No valid sequence past the stream's end: a query waits 5 s for it, then answers the documented 503.
      const v = r.pick(["-1", "1.5", "abc", "99999999999999999999", "9007199254740993", "NaN", "Infinity", "1e400", "0", " 1 ", "0x1"]);
      if (r.chance(0.5)) setHeader(d, "X-Min-Seq", v);
      else d.query.push(["minSeq", encodeURIComponent(v)]);
      return if400Names(`minSeq ${v}`, "minSeq");
    },
  },
  {
    name: "header.host",
    weight: 3,
    applies: () => true,
    apply: (d, r, ctx) => {
      const foreign = [
        "evil.example",
        `rebound.example:${ctx.port}`,
        "127.0.0.2",
        "",
        "localhost:abc",
        "localhost.evil.example",
        "[::2]",
        "a:b:c",
        "x".repeat(300),
      ];
      const loopback = ["LOCALHOST", "127.0.0.1", `[::1]:${ctx.port}`, "localhost:1"];
      const kind = r.int(10);
      if (kind < 6) {
        const host = r.pick(foreign);
        setHeader(d, "Host", host);
        return statusIs(`Host ${JSON.stringify(host)}`, 421, "Host");
      }
      if (kind < 7) {
        setHeader(d, "Host", null);
        return statusIs("no Host", 400, "Host");
      }
      if (kind < 8) {
        setHeader(d, "Host", "localhost\u0000");
        return statusIs("NUL in Host", 400, "Host");
      }
      setHeader(d, "Host", r.pick(loopback));
      return { what: "a loopback Host", check: (a) => (a.status === 421 ? "a loopback Host was refused" : null) };
    },
  },
  {
    name: "header.big",
    weight: 1,
    applies: () => true,
    apply: (d, r) => {
      if (r.chance(0.7)) {
        setHeader(d, r.pick(["X-Big", "Cookie", "X-Tenant-Id", "Authorization"]), "a".repeat(r.pick([16 * 1024, 40_000])));
        return statusIs("a header over 16 KiB", 431, "headers");
      }
      for (let i = 0; i < 300; i++) d.headers.push([`X-N${i}`, String(i)]);
      return undefined;
    },
  },
  {
    name: "header.bytes",
    weight: 5,
    applies: () => true,
    apply: (d, r) => {
      const name = r.pick(["X-Actor", "X-Request-Id", "User-Agent", "Accept", "X-Custom", "If-Match", "X-Min-Seq"]);
      const base = "value";
      const at = r.int(base.length + 1);
      const kind = r.int(3);
      const byte = kind === 0 ? r.pick(["\u0000", "\u0001", "\u001b", "\u007f", "\u000b"]) : String.fromCharCode(0x80 + r.int(128));
      setHeader(d, name, base.slice(0, at) + byte + base.slice(at));
      return kind === 0 ? statusIs(`a control byte in ${name}`, 400, name) : undefined;
    },
  },
  {
    name: "header.actor",
    weight: 2,
    applies: () => true,
    apply: (d, r) => {
      setHeader(d, "X-Actor", r.pick(["", " ", "x".repeat(10_000), "\u00e9\u00ff", latin1("🙂"), "a\tb", "api"]));
      return undefined;
    },
  },
  {
    name: "header.misc",
    weight: 3,
    applies: () => true,
    apply: (d, r) => {
      const [name, value] = r.pick<[string, string]>([
        ["Expect", "100-continue"],
        ["Expect", "teapot"],
        ["Content-Encoding", "gzip"],
        ["Accept", "application/xml"],
        ["Accept-Encoding", "br, gzip"],
        ["Range", "bytes=0-1"],
        ["Origin", "https://evil.example"],
        ["Cookie", "a=b; c"],
        ["Authorization", "Basic !!!"],
        ["Upgrade", "websocket"],
        ["X-HTTP-Method-Override", "DELETE"],
        ["Forwarded", "host=evil.example"],
        ["X-Forwarded-Host", "evil.example"],
      ]);
      setHeader(d, name, value);
      if (name === "Upgrade") setHeader(d, "Connection", "Upgrade");
      // Basic in place of the key: the route is refused for want of a credential, unless it needs none.
      if (name === "Authorization") return needsCredential(d) ? statusIs("Authorization: Basic", 401, "Authorization") : undefined;
      return name === "Expect" && value !== "100-continue" ? statusIs("Expect: teapot", 417, "Expect") : undefined;
    },
  },
  {
    name: "header.authorization",
    weight: 4,
    applies: () => true,
    apply: (d, r, ctx) => {
      const key = ctx.keys.platform;
      const refused: readonly (string | null)[] = [
        null,
        "",
        "Bearer",
        "Bearer ",
        `Basic ${Buffer.from("admin:admin").toString("base64")}`,
        `Token ${key}`,
        `Bearer ${key} ${key}`,
        `Bearer ${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}`,
        `Bearer ${key.slice(0, -1)}`,
        `Bearer ${key}0`,
        // Shaped as a key, under an id never issued (looked up, not found) and one that is no id.
        `Bearer llk_${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}_${hex(r, 64)}`,
        `Bearer llk_${randomId(r)}_${hex(r, 64)}`,
        `Bearer llk_${"0".repeat(8)}-${"0".repeat(4)}-${"0".repeat(4)}-${"0".repeat(4)}-${"0".repeat(12)}_`,
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6InBsYXRmb3JtLWFkbWluIn0.",
        `Bearer ${"a".repeat(8000)}`,
        `Bearer ${key.toUpperCase()}`,
      ];
      if (r.chance(0.85)) {
        const value = r.pick(refused);
        setHeader(d, "Authorization", value);
        const what = value === null ? "no Authorization" : `Authorization ${JSON.stringify(value.slice(0, 40))}`;
        return needsCredential(d) ? statusIs(what, 401, "Authorization") : undefined;
      }
      // The scheme in any case, spaces around the token: still the key.
      setHeader(d, "Authorization", r.pick([`bearer ${key}`, `BEARER   ${key}`, `Bearer ${key}\t`]));
      return {
        what: "the platform admin's key, spelled otherwise",
        check: (a) => (a.status === 401 ? "a valid key was refused with 401" : null),
      };
    },
  },
  {
    name: "method",
    weight: 6,
    applies: () => true,
    apply: (d, r, ctx) => {
      const method = r.pick([
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "HEAD",
        "OPTIONS",
        "PROPFIND",
        "SEARCH",
        "TRACE",
        "CONNECT",
        "FOO",
        "get",
        "G\u0000T",
      ]);
      d.method = method;
      const allowed = allowedMethods(ctx.routes, d.path);
      if (!allowed) return undefined;
      if (["FOO", "get", "G\u0000T"].includes(method)) return statusIs(`method ${JSON.stringify(method)}`, 400, "request");
      if (method === "CONNECT") return statusIs("CONNECT", 400, "method");
      if (allowed.has(method)) return undefined;
      if (method === "OPTIONS") return allowHeader("OPTIONS", 204, allowed);
      return allowHeader(`${method} ${d.route.path}`, 405, allowed);
    },
  },
  {
    name: "path.id",
    weight: 5,
    applies: (d) => d.route.path.includes(":id"),
    apply: (d, r) => {
      const encoded = [
        "%00",
        "a%00b",
        "%ED%A0%80",
        "%F0",
        "%C0%80",
        "x".repeat(65),
        "a.b",
        "a%2Fb",
        "%zz",
        "%",
        "a%20b",
        "%F0%9F%99%82",
        "-",
        "__proto__x.y",
      ];
      const rawBytes = ["\u00ff", latin1("é"), "a\u0000b", "a\u0001"];
      const route = d.route.path.split("/");
      const parts = d.path.split("/");
      const at = route.indexOf(":id");
      if (r.chance(0.8)) {
        parts[at] = r.pick(encoded);
        d.path = parts.join("/");
        return statusIs(`id ${parts[at]}`, 404, (f) => f === "id" || f === "path");
      }
      parts[at] = r.pick(rawBytes);
      d.path = parts.join("/");
      return statusIs(`raw bytes in the id`, 400, "request");
    },
  },
  {
    name: "path.shape",
    weight: 4,
    applies: () => true,
    apply: (d, r, ctx) => {
      const p = d.path;
      const shapes = [
        `${p}/`,
        `/${p}`,
        p.toUpperCase(),
        `${p}/zz-unknown`,
        `/v2${p}`,
        p.replace(/\//g, "%2F"),
        `${p}/${"a".repeat(8000)}`,
        `${p}\\x`,
        `${p}#frag`,
        `http://localhost${p}`,
        `http://evil.example${p}`,
        "*",
        p.slice(1),
        `${p}/..`,
        `/v1/./${p.slice(4)}`,
        `${p};a=b`,
        `${p}%`,
      ];
      d.path = r.pick(shapes);
      // A plain path no route matches is a 404 naming the path, whatever the method.
      const plain = /^\/[A-Za-z0-9_/-]*$/.test(d.path);
      if (plain && allowedMethods(ctx.routes, d.path) === null) return statusIs(`no route for ${d.path}`, 404, "path");
      return undefined;
    },
  },
  {
    name: "query.value",
    weight: 6,
    applies: () => true,
    apply: (d, r, ctx) => {
      const names = [...queryHints(d.route, ctx).map(([k]) => k), "limit", "offset", "from", "to", "step", "requests", "minSeq", "zz"];
      const name = r.pick(names);
      const poison = ["%00", "a%00b", "%00%00"];
      const values = [
        "%ED%A0%80",
        "%F0",
        "%zz",
        "%",
        "1e300",
        "-1",
        "99999999999999999999",
        "NaN",
        "",
        "x".repeat(8000),
        "%C0%80",
        "+",
        "%F0%9F%99%82",
        "0000-00-00",
        "2024-13-45T99:99:99Z",
        "1e308",
        "-0",
        "0x10",
        "1,2,3",
      ];
      d.query = d.query.filter(([k]) => k !== name);
      if (r.chance(0.25)) {
        d.query.push([name, r.pick(poison)]);
        return d.queryRoute ? statusIs(`NUL in query ${name}`, 400, name) : if400Names(`NUL in query ${name}`, name);
      }
      const value = r.pick(values);
      d.query.push([name, value]);
      if (r.chance(0.2)) for (let i = 0; i < 500; i++) d.query.push([name, value]);
      return undefined;
    },
  },
  {
    name: "query.name",
    weight: 3,
    applies: () => true,
    apply: (d, r) => {
      const name = r.pick(["%00", "a%00b", "__proto__", "constructor", "limit[]", "", "%ED%A0%80", "a.b", "%F0"]);
      d.query.push([name, "1"]);
      if (name.includes("%00")) {
        const field = keyName(tryDecode(name));
        return d.queryRoute ? statusIs(`NUL in a query name`, 400, field) : if400Names("NUL in a query name", field);
      }
      if (r.chance(0.3)) for (let i = 0; i < 1000; i++) d.query.push([`p${i}`, String(i)]);
      return undefined;
    },
  },
];

function allowHeader(what: string, status: number, allowed: Set<string>): Expectation {
  const want = [...allowed, "OPTIONS"].sort().join(", ");
  return {
    what,
    check: (a, err) => {
      if (a.status !== status) return `expected ${status} (${what}), got ${a.status}`;
      // A HEAD answer has no body to name anything in.
      if (status === 405 && err !== null && err.field !== "method") return `a 405 names ${JSON.stringify(err?.field)}, not method`;
      const got = (a.headers.get("allow")?.[0] ?? "")
        .split(",")
        .map((m) => m.trim())
        .sort()
        .join(", ");
      return got === want ? null : `Allow is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
    },
  };
}

/** The methods the app serves on `path` (HEAD with GET), or null when the path is not plain enough to tell or no route matches. */
export function allowedMethods(routes: readonly Route[], path: string): Set<string> | null {
  if (!/^\/[A-Za-z0-9_/-]*$/.test(path)) return null;
  const methods = new Set<string>();
  for (const route of routes) {
    const pattern = new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`);
    if (!pattern.test(path)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return methods.size > 0 ? methods : null;
}

// ---------- protocol cases: written byte by byte

type ProtoCase = {
  name: string;
  weight?: number;
  build: (
    ctx: FuzzContext,
    r: Rng,
    d: Draft,
  ) => { parts: (string | Buffer)[]; halfClose?: boolean; closeExpected?: boolean; json?: unknown };
  expect?: Expectation;
};

/** The Host, and the credential: a protocol case is refused for what it is, not for want of a key. */
const host = (ctx: FuzzContext) => `Host: 127.0.0.1:${ctx.port}\r\nConnection: close\r\n${authLine(ctx)}`;
const authLine = (ctx: FuzzContext) => `Authorization: ${bearer(ctx.keys.platform)}\r\n`;
/** A route that takes a body (any but GET), as method and path. */
const bodyRoute = (ctx: FuzzContext, r: Rng) => {
  const route = r.pick(ctx.routes.filter((x) => x.method !== "GET"));
  return `${route.method} ${route.path.replace(/:[A-Za-z]+\b/g, randomId(r))}`;
};
const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n")]);

const PROTO_CASES: ProtoCase[] = [
  {
    name: "HTTP/0.9 line",
    // llhttp reads it as HTTP/0.9 and it is served: no expectation but the general ones.
    build: (c, _r, d) => ({ parts: [`GET ${d.path}\r\n${host(c)}\r\n`] }),
  },
  {
    name: "extra token",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1 x\r\n${host(c)}\r\n`] }),
    expect: statusIs("a fourth token", 400, "request"),
  },
  {
    name: "double space",
    // llhttp takes it: no expectation but the general ones.
    build: (c, _r, d) => ({ parts: [`GET  ${d.path} HTTP/1.1\r\n${host(c)}\r\n`] }),
  },
  { name: "HTTP/2.0 line", build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/2.0\r\n${host(c)}\r\n`] }) },
  {
    name: "lowercase version",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} http/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("http/1.1", 400, "request"),
  },
  {
    name: "version 9.9.9",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/9.9.9\r\n${host(c)}\r\n`] }),
    expect: statusIs("HTTP/9.9.9", 400, "request"),
  },
  {
    name: "bare LF",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\n${host(c).replaceAll("\r\n", "\n")}\n`] }),
    expect: statusIs("bare LF", 400, "request"),
  },
  { name: "leading CRLF", build: (c, _r, d) => ({ parts: [`\r\nGET ${d.path} HTTP/1.1\r\n${host(c)}\r\n`] }) },
  {
    name: "random bytes",
    build: (_c, r) => ({ parts: [Buffer.from(Array.from({ length: 16 + r.int(240) }, () => r.int(256)))], halfClose: true }),
    expect: statusIs("random bytes", 400, "request"),
  },
  {
    name: "TLS hello",
    build: () => ({ parts: [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])], halfClose: true }),
    expect: statusIs("TLS", 400, "request"),
  },
  {
    name: "HTTP/2 preface",
    build: () => ({ parts: ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"] }),
    expect: statusIs("h2 preface", 400, "request"),
  },
  {
    name: "NUL in method",
    build: (c, _r, d) => ({ parts: [`G\u0000ET ${d.path} HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("NUL in method", 400, "request"),
  },
  {
    name: "NUL in path",
    build: (c, _r, d) => ({ parts: [`GET ${d.path}\u0000 HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("NUL in path", 400, "request"),
  },
  {
    name: "NUL in query",
    build: (c, _r, d) => ({ parts: [`GET ${d.path}?tag=a\u0000 HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("raw NUL in query", 400, "request"),
  },
  {
    name: "space in path",
    build: (c) => ({ parts: [`GET /v1/load tests HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("space in path", 400, "request"),
  },
  {
    name: "no colon",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}X-A\r\n\r\n`] }),
    expect: statusIs("a header without colon", 400, "request"),
  },
  {
    name: "space in name",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}X A: b\r\n\r\n`] }),
    expect: statusIs("a space in a name", 400, "request"),
  },
  {
    name: "NUL in name",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}X-\u0000A: b\r\n\r\n`] }),
    expect: statusIs("NUL in a name", 400, "request"),
  },
  {
    name: "obs-fold",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}X-A: a\r\n b\r\n\r\n`] }),
    expect: statusIs("obs-fold", 400),
  },
  {
    name: "bare CR",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}X-A: a\rb\r\n\r\n`] }),
    expect: statusIs("bare CR", 400, "request"),
  },
  {
    name: "NUL in a header value",
    build: (c, r, d) => ({
      parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}${r.pick(["X-Tenant-Id", "X-Actor", "Accept"])}: a\u0000b\r\n\r\n`],
    }),
    expect: statusIs("NUL in a header value", 400, (f) => ["x-tenant-id", "x-actor", "accept"].includes(f.toLowerCase())),
  },
  {
    name: "no Host",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\nConnection: close\r\n${authLine(c)}\r\n`] }),
    expect: statusIs("no Host", 400, "Host"),
  },
  { name: "HTTP/1.0 no Host", build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.0\r\n${authLine(c)}\r\n`] }) },
  {
    name: "foreign Host first",
    build: (c, _r, d) => ({
      parts: [`GET ${d.path} HTTP/1.1\r\nHost: evil.example\r\nHost: localhost\r\nConnection: close\r\n${authLine(c)}\r\n`],
    }),
    expect: statusIs("a foreign Host", 421, "Host"),
  },
  {
    name: "long method",
    build: (c, _r, d) => ({ parts: [`${"A".repeat(100)} ${d.path} HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("a long method", 400, "request"),
  },
  {
    name: "3000 headers",
    build: (c, _r, d) => ({
      parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}${Array.from({ length: 3000 }, (_, i) => `X-N${i}: ${i}\r\n`).join("")}\r\n`],
    }),
    expect: statusIs("3000 headers", 431, "headers"),
  },
  {
    name: "17 KB target",
    build: (c, _r, d) => ({ parts: [`GET ${d.path}?q=${"a".repeat(17 * 1024)} HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("a 17 KB target", 431, "headers"),
  },
  { name: "asterisk", build: (c) => ({ parts: [`OPTIONS * HTTP/1.1\r\n${host(c)}\r\n`] }) },
  {
    name: "CONNECT",
    build: (c) => ({ parts: [`CONNECT localhost:80 HTTP/1.1\r\n${host(c)}\r\n`] }),
    expect: statusIs("CONNECT", 400, "method"),
  },
  {
    name: "Expect teapot",
    build: (c, _r, d) => ({ parts: [`GET ${d.path} HTTP/1.1\r\n${host(c)}Expect: teapot\r\n\r\n`] }),
    expect: statusIs("Expect: teapot", 417, "Expect"),
  },
  {
    name: "TE and CL",
    build: (c, _r) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ],
    }),
    expect: statusIs("Transfer-Encoding with Content-Length", 400, "Transfer-Encoding"),
  },
  {
    name: "TE gzip",
    build: (c) => ({
      parts: [`POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}`],
    }),
    expect: statusIs("Transfer-Encoding: gzip", 400, "Transfer-Encoding"),
  },
  ...["zz", "ffffffffffffffffffff", "-1", ""].map<ProtoCase>((size) => ({
    name: `chunk size ${JSON.stringify(size)}`,
    build: (c) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n{}\r\n0\r\n\r\n`,
      ],
    }),
    expect: statusIs("a bad chunk size", 400),
  })),
  {
    name: "chunk longer than said",
    build: (c) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n`,
      ],
    }),
    expect: statusIs("a chunk longer than its size", 400, "request"),
  },
  ...["abc", "-1", "1e3", "+2", "2, 3", "99999999999999999999"].map<ProtoCase>((cl) => ({
    name: `Content-Length ${cl}`,
    build: (c) => ({
      parts: [`POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n{}`],
    }),
    expect: statusIs(`Content-Length ${cl}`, 400, "Content-Length"),
  })),
  {
    name: "two Content-Lengths",
    build: (c) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      ],
    }),
    expect: statusIs("two Content-Lengths", 400, "Content-Length"),
  },
  {
    name: "body cut short",
    build: (c) => ({
      parts: [`POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`],
      halfClose: true,
    }),
    expect: statusIs("a body cut short", 400, "request"),
  },
  {
    name: "headers cut short",
    build: (c) => ({ parts: [`POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Ty`], halfClose: true }),
    expect: statusIs("headers cut short", 400, "request"),
  },
  {
    name: "body longer than said",
    build: (c, _r) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":1}GET / HTTP/1.1\r\n\r\n`,
      ],
    }),
    expect: statusIs("the first 5 bytes", 400, "body"),
  },
  {
    name: "valid spec, chunked",
    build: (c, r) => {
      const json = r.pick(validSpecs(c, r));
      const text = Buffer.from(JSON.stringify(json));
      const cut = 1 + r.int(text.length - 1);
      return {
        parts: [
          `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
          chunk(text.subarray(0, cut)),
          `${chunk(text.subarray(cut)).toString()}0\r\nX-Trailer: t\r\n\r\n`,
        ],
        json,
      };
    },
    expect: statusIn("a valid test sent in chunks", [201, 202]),
  },
  {
    name: "chunk extension too large",
    build: (c) => ({
      parts: [
        `POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2;e=${"x".repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
      ],
    }),
    expect: statusIs("20 KB of chunk extensions", 413, "body"),
  },
  {
    name: "over the limit by Content-Length",
    weight: 3,
    build: (c, r) => ({
      parts: [
        `${bodyRoute(c, r)} HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: ${r.pick([c.maxBodyBytes + 1, 20 * 1024 * 1024, 2 ** 40])}\r\n\r\n{"name":"`,
      ],
    }),
    expect: statusIs("a body announced over the limit (its rest never sent)", 413, "body"),
  },
  {
    name: "over the limit, chunked",
    build: (c, r) => {
      const piece = Buffer.alloc(64 * 1024, "x");
      const n = Math.ceil(c.maxBodyBytes / piece.length) + 1 + r.int(3);
      return {
        parts: [
          `${bodyRoute(c, r)} HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
          chunk(Buffer.from('{"name":"')),
          ...Array.from({ length: n }, () => chunk(piece)),
          '"}\r\n0\r\n\r\n',
        ],
      };
    },
    expect: statusIs("a chunked body over the limit", 413, "body"),
  },
  {
    name: "over the limit, whole",
    build: (c, r) => {
      const body = Buffer.from(JSON.stringify({ name: "x".repeat(c.maxBodyBytes - 10 + r.int(2000)) }));
      return {
        parts: [`POST /v1/load-tests HTTP/1.1\r\n${host(c)}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body],
      };
    },
    expect: statusIs("a whole body over the limit", 413, "body"),
  },
];

// ---------- making a request

function pickMutation(d: Draft, r: Rng): Mutation | undefined {
  const usable = MUTATIONS.filter((m) => m.applies(d));
  const total = usable.reduce((s, m) => s + m.weight, 0);
  let x = r.next() * total;
  for (const m of usable) if ((x -= m.weight) < 0) return m;
  return usable.at(-1);
}

function serialize(d: Draft): { parts: Buffer[]; json: () => unknown } {
  let body = d.body;
  if (!body && d.json !== undefined) {
    let text = JSON.stringify(d.json) ?? "";
    for (const [m, t] of d.textEdits) text = text.replace(JSON.stringify(m), t);
    let buf = Buffer.from(text, "utf8");
    for (const [m, bytes] of d.byteEdits) {
      const at = buf.indexOf(m);
      if (at >= 0) buf = Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at + Buffer.byteLength(m))]);
    }
    body = buf;
  }
  const target = d.path + (d.query.length > 0 ? `?${d.query.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join("&")}` : "");
  const headers = [...d.headers];
  if (body) headers.push(["Content-Length", String(body.length)]);
  const head = Buffer.from(`${d.method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`, "latin1");
  const parts: Buffer[] = [head];
  if (body) for (let at = 0; at < body.length; at += 64 * 1024) parts.push(body.subarray(at, at + 64 * 1024));
  let parsed: { value: unknown } | undefined;
  const json = () => (parsed ??= { value: body ? parseAsServer(body) : undefined }).value;
  return { parts, json };
}

/** The body as the server reads it: UTF-8 (a BOM dropped), then JSON.parse; undefined when it is not JSON. */
function parseAsServer(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

export function makeRequest(ctx: FuzzContext, seed: number, index: number): FuzzRequest {
  const r = rngFor(seed, index);
  // Two requests in five go to the routes that read a body (where validation is deepest), the rest to any route.
  const jsonRoutes = ctx.routes.filter(takesJson);
  const route = jsonRoutes.length > 0 && r.chance(0.4) ? r.pick(jsonRoutes) : r.pick(ctx.routes);
  const d = baseDraft(route, ctx, r);
  const mutations: string[] = [];
  const expectations: Expectation[] = [];

  if (
    route.method === "POST" &&
    route.path === "/v1/load-tests/:id/runs" &&
    ctx.runBudget.left > 0 &&
    ctx.pools.runnable.length > 0 &&
    r.chance(0.05)
  ) {
    // A real run, within the budget: valid, unmutated, 1 VU for at most 1 s.
    ctx.runBudget.left--;
    d.path = route.path.replace(":id", r.pick(ctx.pools.runnable));
    d.json = r.pick(VALID_RUNS);
    // In the tenant the test is in: the platform admin's own.
    setHeader(d, "X-Tenant-Id", null);
    setHeader(d, "Authorization", bearer(ctx.keys.platform));
    expectations.push(statusIn("a valid run start", [201, 202]));
  } else if (r.chance(0.08)) {
    const total = PROTO_CASES.reduce((s, p) => s + (p.weight ?? 1), 0);
    let x = r.next() * total;
    const proto = PROTO_CASES.find((p) => (x -= p.weight ?? 1) < 0) ?? PROTO_CASES[0]!;
    const built = proto.build(ctx, r, d);
    const parts = built.parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p));
    const text = parts[0]!.toString("latin1");
    return {
      index,
      mutations: [`proto: ${proto.name}`],
      route,
      method: text.split(" ")[0] ?? "",
      parts,
      head: false,
      halfClose: built.halfClose ?? false,
      closeExpected: /connection: close/i.test(text),
      json: () => built.json,
      headerNames: [...text.matchAll(/\r?\n([^:\r\n]+):/g)].map((m) => m[1]!),
      queryNames: [],
      expectations: proto.expect ? [proto.expect] : [],
    };
  } else {
    const roll = r.next();
    const k = roll < 0.05 ? 0 : roll < 0.7 ? 1 : roll < 0.9 ? 2 : 3;
    for (let i = 0; i < k; i++) {
      const m = pickMutation(d, r);
      if (!m) break;
      mutations.push(m.name);
      const e = m.apply(d, r, ctx);
      if (e) expectations.push(e);
    }
    if (k === 0 && route.path === "/v1/load-tests/:id/runs") {
      // Unmutated, it would start a run on a test that cannot run: it is still a valid body, refused for its id.
      expectations.push(statusIs("a run of a test that is not there", 404, "id"));
    }
  }
  const { parts, json } = serialize(d);
  return {
    index,
    mutations,
    route,
    method: d.method,
    parts,
    head: d.method === "HEAD",
    halfClose: false,
    closeExpected: d.headers.some(([k, v]) => k === "Connection" && v === "close"),
    json,
    headerNames: [...d.headers.map(([k]) => k), ...(parts.length > 1 ? ["Content-Length"] : [])],
    queryNames: d.query.map(([k]) => keyName(tryDecode(k))),
    // Only a request with one mutation (or none) has a known outcome: with more, any of them may be refused first.
    expectations: mutations.length <= 1 ? expectations : [],
  };
}

// ---------- judging an answer

const DOCUMENTED: Record<number, readonly string[]> = {
  400: ["invalid_request", "invalid_json", "bad_request"],
  401: ["unauthorized"],
  403: ["forbidden"],
  404: ["not_found"],
  405: ["method_not_allowed"],
  408: ["request_timeout"],
  409: ["conflict"],
  412: ["precondition_failed"],
  413: ["payload_too_large"],
  415: ["unsupported_media_type"],
  417: ["expectation_failed"],
  421: ["host_not_allowed"],
  429: ["rate_limited"],
  431: ["headers_too_large"],
};
/** What a 4xx of each status must name, when it is always the same thing. */
const FIELD_OF: Record<number, (f: string) => boolean> = {
  401: (f) => f === "Authorization",
  404: (f) => f === "id" || f === "path",
  405: (f) => f === "method",
  412: (f) => f === "If-Match",
  415: (f) => f === "Content-Type",
  417: (f) => f === "Expect",
  421: (f) => f === "Host",
  431: (f) => f === "headers",
};
/** Names a field may have that are not in the body nor a header sent: the request's parts, and the headers whose absence is at fault. */
const PART_NAMES = ["body", "request", "headers", "method", "path", "id", "query", "minSeq", "Host", "Content-Type", "Authorization"];
/** The names of a route's path parameters (`:tenant`, `:name`): a 404 or a 400 may name them. */
const pathParams = (route: Route) => [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);

/** Whether `field` is a path into `json` (keys may hold dots): all of it, or all but a missing last key when `missingLast`. */
export function resolvesIn(json: unknown, field: string, missingLast: boolean): boolean {
  const segs = field.split(".");
  const walk = (at: unknown, i: number): boolean => {
    if (i === segs.length) return true;
    if (Array.isArray(at)) {
      const n = Number(segs[i]);
      if (Number.isInteger(n) && n >= 0 && n < at.length) return walk(at[n], i + 1);
      return missingLast && i === segs.length - 1;
    }
    if (!at || typeof at !== "object") return false;
    for (let j = segs.length; j > i; j--) {
      const key = segs.slice(i, j).join(".");
      const own = Object.keys(at).find((k) => k === key || keyName(k) === key);
      if (own !== undefined && walk((at as Record<string, unknown>)[own], j)) return true;
      if (own === undefined && missingLast && j === segs.length) return true;
    }
    return false;
  };
  return walk(json, 0);
}

function namesAnInput(req: FuzzRequest, field: string, status: number): boolean {
  const lower = field.toLowerCase();
  if (PART_NAMES.some((n) => n.toLowerCase() === lower)) return true;
  if (pathParams(req.route).includes(field)) return true;
  if (req.headerNames.some((h) => h.toLowerCase() === lower)) return true;
  if (req.queryNames.includes(field)) return true;
  // A 413 names a part that is there; a 400 may name a key the body lacks, under one it has.
  const json = req.json();
  return json !== undefined && resolvesIn(json, field, status !== 413);
}

export function errorFields(a: RawAnswer): ErrorFields | null {
  try {
    const parsed = JSON.parse(a.body.toString("utf8")) as { error?: ErrorFields };
    return parsed.error ?? null;
  } catch {
    return null;
  }
}

/** What is wrong with the outcome of `req`: an empty list when nothing. */
export function judge(req: FuzzRequest, outcome: RawOutcome): string[] {
  if (outcome.kind === "timeout")
    return [`no answer within ${outcome.ms} ms (received ${JSON.stringify(outcome.received.subarray(0, 200).toString("latin1"))})`];
  if (outcome.kind === "no-answer")
    return [
      `the connection ended without an answer${outcome.error ? ` (${outcome.error})` : ""}: ${JSON.stringify(outcome.received.subarray(0, 200).toString("latin1"))}`,
    ];
  const a = outcome.answer;
  const problems: string[] = [];
  if (a.status >= 500) problems.push(`a ${a.status}`);
  const err = a.status >= 400 ? errorFields(a) : null;
  if (a.status >= 400 && a.status < 500 && !req.head) {
    const type = a.headers.get("content-type")?.[0] ?? "";
    if (!/^application\/json/.test(type)) problems.push(`a ${a.status} with Content-Type ${JSON.stringify(type)}`);
    let body: unknown;
    try {
      body = JSON.parse(a.body.toString("utf8"));
    } catch {
      problems.push(`a ${a.status} whose body is not JSON: ${JSON.stringify(a.body.subarray(0, 200).toString("utf8"))}`);
    }
    const shapeOk =
      body !== null &&
      typeof body === "object" &&
      Object.keys(body).join() === "error" &&
      err !== null &&
      typeof err.code === "string" &&
      err.code.length > 0 &&
      typeof err.message === "string" &&
      err.message.length > 0 &&
      Object.keys(err).every((k) => ["code", "message", "field"].includes(k)) &&
      (err.field === undefined || (typeof err.field === "string" && err.field.length > 0));
    if (body !== undefined && !shapeOk)
      problems.push(`a ${a.status} not in the shape {error: {code, message, field?}}: ${a.body.subarray(0, 300).toString("utf8")}`);
    if (shapeOk && err) {
      if (!DOCUMENTED[a.status]?.includes(err.code)) problems.push(`an undocumented ${a.status} ${err.code}`);
      // The rule: every 4xx names the input at fault, but a 409 (the resource's state is at fault, not an input).
      if (err.field === undefined && a.status !== 409) problems.push(`a ${a.status} ${err.code} without field: ${err.message}`);
      if (err.field !== undefined) {
        const rule = FIELD_OF[a.status];
        if (rule && !rule(err.field) && !(a.status === 404 && pathParams(req.route).includes(err.field)))
          problems.push(`a ${a.status} names ${JSON.stringify(err.field)}`);
        // A 409 names the resource's state it conflicts with (a run's `status`), not an input.
        if (a.status !== 409 && !namesAnInput(req, err.field, a.status))
          problems.push(`a ${a.status} names ${JSON.stringify(err.field)}, which is nothing this request sent`);
      }
    }
  }
  if (a.status === 405 && !a.headers.has("allow")) problems.push("a 405 without Allow");
  if (a.status >= 200 && a.status < 300 && !req.head && /json/.test(a.headers.get("content-type")?.[0] ?? "") && a.body.length > 0) {
    try {
      JSON.parse(a.body.toString("utf8"));
    } catch {
      problems.push(`a ${a.status} whose JSON body does not parse`);
    }
  }
  // Asked to close (or saying it will), the server must: a connection left open after a refusal is one a client may hang on.
  const saysClose = a.headers.get("connection")?.some((v) => v.toLowerCase() === "close") ?? false;
  // A live stream (SSE) is an answer that goes on by design: it is judged by its head.
  const streaming = a.status === 200 && (a.headers.get("content-type")?.some((v) => v.startsWith("text/event-stream")) ?? false);
  if ((req.closeExpected || saysClose) && !a.closed && !streaming) problems.push("the connection stayed open after the answer");
  for (const e of req.expectations) {
    const p = e.check(a, err);
    if (p) problems.push(p);
  }
  return problems;
}

/** The request as text, for a failure report: control bytes escaped, long runs cut. */
export function describe(req: FuzzRequest, seed: number): string {
  const all = Buffer.concat(req.parts);
  const text = all
    .subarray(0, 1500)
    .toString("latin1")
    .replace(/[^\t\n\r\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  const compact = text.replace(/(.)\1{40,}/g, (run, c: string) => `${c}…(${run.length}×)`);
  return `LL_FUZZ_SEED=${seed} request #${req.index} [${req.mutations.join(", ") || "valid"}], ${all.length} bytes:\n${compact}${all.length > 1500 ? "…" : ""}`;
}
