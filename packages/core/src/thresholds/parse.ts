// The thresholds' grammar: a key (metric, optionally scoped in braces) to rules, each an expression on
// one of the metric's aggregations, k6-style. Parsed once, when a test or a run is written; a bad one is
// refused naming its field (`thresholds.latency.1`, `thresholds.latency.0.over`).
import { DomainError } from "../errors.ts";
import { durationMs } from "../scenario/graceful-stop.ts";
import { FAILURE_KINDS, type FailureKind } from "../schemas/metrics.ts";
import { type ThresholdRule, type Thresholds, thresholdsShapeSchema } from "./threshold-types.ts";

export const THRESHOLD_OPS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** What a key's braces select. `name`/`method` and `scenario` pick requests; the others, part of a metric. */
export type ThresholdScope = {
  name?: string;
  method?: string;
  scenario?: string;
  /** `tag:NAME=VALUE`: the requests of the steps tagged so (a step's `tags`). */
  tag?: string;
  kind?: FailureKind;
  class?: StatusClass;
  code?: number;
  /** `sut`: a series of the SUT's agents (`host.cpu.busy`, `process.api.cpuPercent`), and optionally one agent. */
  series?: string;
  agent?: string;
};
type ScopeKey = keyof ThresholdScope;

/** An aggregation, aliases resolved: `avg` is `mean` (latency) or `value` (rps); `med` is `p(50)`. */
export type ThresholdAggregation =
  | { name: "p"; percentile: number }
  | { name: "min" | "max" | "mean" | "count" | "rate" | "value" | "passes" | "fails" };

/** The right-hand side: a number, or the baseline run's value of the same metric, scope and aggregation. */
export type ThresholdLimit = { value: number } | { baseline: "*" | "+" | "-"; operand: number };

export type ParsedThreshold = {
  /** The key as declared, e.g. `latency{name:login}`. */
  key: string;
  /** The rule's expression as declared, e.g. `p(95) < 300`. */
  expression: string;
  metric: ThresholdMetric;
  scope: ThresholdScope;
  aggregation: ThresholdAggregation;
  op: ThresholdOp;
  limit: ThresholdLimit;
  abortOnFail: boolean;
  /** 0 when not given. */
  delayAbortEvalSec: number;
  /** The sliding window: as declared, its seconds, and the step it slides by (1 s up to 10m, 10 s up to 1h, 60 s beyond). */
  over?: { text: string; seconds: number; stepSec: number };
  /**
   * Metric, canonical scope and aggregation, e.g. `latency{name:"login",method:"GET"}|p(95)`: what a
   * baseline is looked up by, whatever the spelling of the key or the alias used.
   */
  id: string;
};

export type ThresholdIssue = { path: (string | number)[]; message: string };

/** The most metric keys a test or run may carry. */
export const MAX_THRESHOLD_KEYS = 100;
/** The longest `over`. */
export const MAX_OVER_SEC = 86_400;

type AggregationName = Exclude<ThresholdAggregation["name"], "p">;
type MetricSpec = {
  /** Named aggregations; percentiles when `percentiles`. */
  aggregations: readonly AggregationName[];
  percentiles?: boolean;
  aliases?: Readonly<Record<string, ThresholdAggregation>>;
  scopes: readonly ScopeKey[];
};

const REQUEST_SCOPES = ["name", "method", "scenario", "tag"] as const satisfies readonly ScopeKey[];
const LATENCY: MetricSpec = {
  aggregations: ["min", "max", "mean"],
  percentiles: true,
  aliases: { avg: { name: "mean" }, med: { name: "p", percentile: 50 } },
  scopes: REQUEST_SCOPES,
};

/**
 * The metrics a threshold may name, with their aggregations, units and scopes. Each figure is the one
 * the aggregate view (GET /v1/runs/{id}/metrics/aggregate) shows for the same requests and seconds.
 *
 * | metric                   | aggregations                          | unit / meaning                                  | scopes                      |
 * |--------------------------|---------------------------------------|-------------------------------------------------|-----------------------------|
 * | `latency`                | p(N), min, max, mean (avg), med       | ms                                              | name[,method], scenario     |
 * | `service_time`           | p(N), min, max, mean (avg), med       | ms, send to response                            | name[,method], scenario     |
 * | `error_rate`             | rate                                  | failed requests / requests, 0..1                | name[,method], scenario     |
 * | `failures`               | count, rate                           | failed requests (of a kind); rate: / requests   | kind, name[,method], scenario |
 * | `status`                 | count, rate                           | responses of a class or code; rate: / responses | class or code (required), name[,method], scenario |
 * | `checks`                 | rate, passes, fails                   | rate: passed / (passed + failed)                | none                        |
 * | `rps`                    | value (avg)                           | requests / s over the evaluated span            | name[,method], scenario     |
 * | `requests`               | count, rate                           | requests; rate: per s (= rps)                   | name[,method], scenario     |
 * | `iterations`             | count, rate                           | finished iterations; rate: per s                | none                        |
 * | `dropped_iterations`     | count, rate                           | iterations not started in time; rate: per s     | none                        |
 * | `interrupted_iterations` | count                                 | iterations cut short at the stop                | none                        |
 * | `interrupted_requests`   | count                                 | requests aborted in flight at the stop          | name[,method], scenario     |
 * | `sut`                    | p(N), min, max, mean (avg), med       | a series of the SUT's agents, per second        | series (required), agent    |
 *
 * Every metric scoped by `scenario` is scoped by `tag:NAME=VALUE` too: the requests of the steps so tagged.
 */
const METRIC_SPECS = {
  /**
   * Latency in ms, merged exactly from every worker's HDR histograms (in open workloads, from the
   * intended start). `p(N)` for any N in [0, 100] (`p(99.9)`; `p(0)` is min and `p(100)` max, as the
   * distribution curve shows them), `min`, `max`, `mean` (`avg`), `med` (= `p(50)`).
   */
  latency: LATENCY,
  /** Service time in ms (from the actual send to the response), aggregated as latency. */
  service_time: LATENCY,
  /** `rate`: failed requests / requests, 0..1 (the aggregate view's errorRate). */
  error_rate: { aggregations: ["rate"], scopes: REQUEST_SCOPES },
  /**
   * Failed requests, all or of one kind (`{kind:connect|timeout|reset|blocked|4xx|5xx|check}`):
   * `count`, and `rate` (0..1: those / requests).
   */
  failures: { aggregations: ["count", "rate"], scopes: [...REQUEST_SCOPES, "kind"] },
  /**
   * Responses of a status class (`{class:2xx}`) or code (`{code:503}`), one of which is required:
   * `count`, and `rate` (0..1: those / every response with a status).
   */
  status: { aggregations: ["count", "rate"], scopes: [...REQUEST_SCOPES, "class", "code"] },
  /** Checks, unscoped: `rate` (0..1: passed / (passed + failed)), `passes` and `fails` (counts). */
  checks: { aggregations: ["rate", "passes", "fails"], scopes: [] },
  /** `value` (`avg`): requests per second over the evaluated span (the run's seconds, or the `over` window). */
  rps: { aggregations: ["value"], aliases: { avg: { name: "value" } }, scopes: REQUEST_SCOPES },
  /** Requests: `count`, and `rate` (per second: rps). */
  requests: { aggregations: ["count", "rate"], scopes: REQUEST_SCOPES },
  /** Finished iterations, unscoped: `count`, `rate` (per second). */
  iterations: { aggregations: ["count", "rate"], scopes: [] },
  /** Iterations an open executor could not start in time, unscoped: `count`, `rate` (per second). */
  dropped_iterations: { aggregations: ["count", "rate"], scopes: [] },
  /** Iterations cut short at the stop (after the graceful stop), unscoped: `count`. */
  interrupted_iterations: { aggregations: ["count"], scopes: [] },
  /** Requests aborted in flight at the stop (never in requests, failures or latency): `count`. */
  interrupted_requests: { aggregations: ["count"], scopes: REQUEST_SCOPES },
  /**
   * The system under test, from its agents' telemetry (the run's `sut` labels): a series, as the run's
   * SUT charts name it (`sut{series:host.cpu.busy}: ["max < 90"]`), over every second of every agent of
   * the run's SUT while it ran (or one agent's: `{series:...,agent:api-1}`). Whole run only.
   */
  sut: {
    aggregations: ["min", "max", "mean"],
    percentiles: true,
    aliases: { avg: { name: "mean" }, med: { name: "p", percentile: 50 } },
    scopes: ["series", "agent"],
  },
} as const satisfies Record<string, MetricSpec>;

export type ThresholdMetric = keyof typeof METRIC_SPECS;
/** The metric names, in the order the docs list them. */
export const THRESHOLD_METRICS = Object.keys(METRIC_SPECS) as ThresholdMetric[];
/** k6's names, to point whoever carries a threshold over at ours. */
const K6_NAMES: Readonly<Record<string, string>> = {
  http_req_duration: "latency",
  http_req_waiting: "service_time",
  http_req_failed: "error_rate",
  http_reqs: "requests (count, rate) or rps",
};

const isMetric = (m: string): m is ThresholdMetric => (THRESHOLD_METRICS as readonly string[]).includes(m);
const list = (items: readonly string[]): string => items.join(", ");

/** The aggregations a metric takes, as a message lists them. */
function aggregationsOf(metric: ThresholdMetric): string {
  const spec: MetricSpec = METRIC_SPECS[metric];
  const names: string[] = spec.percentiles ? ["p(N)"] : [];
  for (const a of spec.aggregations) {
    const aliases = Object.entries(spec.aliases ?? {})
      .filter(([, to]) => to.name === a)
      .map(([alias]) => alias);
    names.push(aliases.length > 0 ? `${a} (${aliases.join(", ")})` : a);
  }
  for (const [alias, to] of Object.entries(spec.aliases ?? {})) if (to.name === "p") names.push(alias);
  return list(names);
}

// ---- keys: metric{scope} ----------------------------------------------------------------------------

const KEY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\{([\s\S]*)\})?\s*$/;

/** Splits a scope's body into key:value pairs; values are bare (up to the next comma) or JSON-quoted. */
function scopePairs(body: string): [string, string][] | string {
  const pairs: [string, string][] = [];
  let pos = 0;
  const space = () => {
    while (pos < body.length && /\s/.test(body[pos]!)) pos++;
  };
  for (;;) {
    space();
    const key = /^[A-Za-z_]+/.exec(body.slice(pos));
    if (!key) return pos >= body.length && pairs.length === 0 ? "the braces are empty" : `expected a scope key at "${body.slice(pos)}"`;
    pos += key[0].length;
    space();
    if (body[pos] !== ":") return `expected ":" after "${key[0]}"`;
    pos++;
    space();
    let value: string;
    if (body[pos] === '"') {
      let end = pos + 1;
      while (end < body.length && body[end] !== '"') end += body[end] === "\\" ? 2 : 1;
      if (end >= body.length) return `unterminated quote in the value of "${key[0]}"`;
      try {
        value = JSON.parse(body.slice(pos, end + 1)) as string;
      } catch {
        return `bad quoted value for "${key[0]}"`;
      }
      pos = end + 1;
      space();
      if (pos < body.length && body[pos] !== ",") return `expected "," after the quoted value of "${key[0]}"`;
    } else {
      const comma = body.indexOf(",", pos);
      const end = comma === -1 ? body.length : comma;
      value = body.slice(pos, end).trim();
      pos = end;
    }
    if (value === "") return `"${key[0]}" has no value`;
    pairs.push([key[0], value]);
    if (pos >= body.length) return pairs;
    pos++; // the comma
  }
}

/** A key's metric and scope, or what is wrong with it. */
export function parseKey(key: string): { metric: ThresholdMetric; scope: ThresholdScope } | { error: string } {
  const m = KEY.exec(key);
  if (!m) return { error: `"${key}" is not a metric, optionally scoped in braces (latency, latency{name:login})` };
  const metric = m[1]!;
  if (!isMetric(metric)) {
    const k6 = K6_NAMES[metric];
    return {
      error: k6 ? `"${metric}" is k6's name: here it is ${k6}` : `unknown metric "${metric}": use one of ${list(THRESHOLD_METRICS)}`,
    };
  }
  const spec: MetricSpec = METRIC_SPECS[metric];
  const scope: ThresholdScope = {};
  if (m[2] !== undefined) {
    const pairs = scopePairs(m[2]);
    if (typeof pairs === "string") return { error: `scope of ${metric}: ${pairs}` };
    for (const [k, value] of pairs) {
      if (!(spec.scopes as readonly string[]).includes(k)) {
        const takes = spec.scopes.length > 0 ? `it takes ${list(spec.scopes)}` : "it takes no scope";
        return { error: `${metric} cannot be scoped by "${k}": ${takes}` };
      }
      const scopeKey = k as ScopeKey;
      if (scope[scopeKey] !== undefined) return { error: `"${k}" is given twice` };
      const error = setScope(scope, scopeKey, value);
      if (error) return { error: `${k}: ${error}` };
    }
  }
  if (scope.method !== undefined && scope.name === undefined) return { error: "method goes with a name: {name:login,method:POST}" };
  if (scope.name !== undefined && scope.scenario !== undefined) return { error: "scope by name or by scenario, not both" };
  if (scope.name !== undefined && scope.tag !== undefined) return { error: "scope by name or by tag, not both" };
  if (scope.class !== undefined && scope.code !== undefined) return { error: "scope by class or by code, not both" };
  if (metric === "status" && scope.class === undefined && scope.code === undefined) {
    return { error: "status needs a class or a code: status{class:5xx}, status{code:503}" };
  }
  if (metric === "sut" && scope.series === undefined) return { error: "sut needs a series: sut{series:host.cpu.busy}" };
  return { metric, scope };
}

function setScope(scope: ThresholdScope, key: ScopeKey, value: string): string | undefined {
  switch (key) {
    case "name":
    case "scenario":
      scope[key] = value;
      return undefined;
    case "tag": {
      const tag = /^([A-Za-z_][\w-]{0,63})=(.+)$/.exec(value);
      if (!tag) return `"${value}" is not NAME=VALUE (a step's tags: {tag:kind=api})`;
      scope.tag = `${tag[1]}=${tag[2]!.trim()}`;
      return undefined;
    }
    case "series":
      if (value.length > 200) return "at most 200 characters";
      scope.series = value;
      return undefined;
    case "agent":
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(value)) return `"${value}" is not an agent id`;
      scope.agent = value;
      return undefined;
    case "method": {
      const method = value.toUpperCase();
      if (!(HTTP_METHODS as readonly string[]).includes(method)) return `"${value}" is not one of ${list(HTTP_METHODS)}`;
      scope.method = method;
      return undefined;
    }
    case "kind": {
      const kind = value.toLowerCase();
      if (!(FAILURE_KINDS as readonly string[]).includes(kind)) return `"${value}" is not one of ${list(FAILURE_KINDS)}`;
      scope.kind = kind as FailureKind;
      return undefined;
    }
    case "class": {
      const c = value.toLowerCase();
      if (!(STATUS_CLASSES as readonly string[]).includes(c)) return `"${value}" is not one of ${list(STATUS_CLASSES)}`;
      scope.class = c as StatusClass;
      return undefined;
    }
    case "code": {
      if (!/^[1-5]\d\d$/.test(value)) return `"${value}" is not an HTTP status code (100 to 599)`;
      scope.code = Number(value);
      return undefined;
    }
  }
}

/** The scope in a canonical order and quoting: the same selection always reads the same. */
function canonicalScope(scope: ThresholdScope): string {
  const order: ScopeKey[] = ["name", "method", "scenario", "tag", "kind", "class", "code", "series", "agent"];
  const parts = order.filter((k) => scope[k] !== undefined).map((k) => `${k}:${JSON.stringify(scope[k])}`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

const aggregationText = (a: ThresholdAggregation): string => (a.name === "p" ? `p(${a.percentile})` : a.name);

// ---- expressions: <aggregation> <op> <number | baseline [* + -] number> -----------------------------

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const AGGREGATION = /^\s*(p\s*\(([^)]*)\)|[A-Za-z_][A-Za-z0-9_]*)/;
const OP = /^\s*(<=|>=|===|==|!=|<|>)/;
const BASELINE = /^baseline(?:\s*([*+-])\s*(\S+))?$/;
const OPS_TEXT = "<, <=, >, >=, == or !=";

type Expression = { aggregation: ThresholdAggregation; op: ThresholdOp; limit: ThresholdLimit };

function parseNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** An expression for `metric`, or what is wrong with it (the message quotes the expression). */
export function parseExpression(expression: string, metric: ThresholdMetric): Expression | { error: string } {
  const fail = (why: string) => ({ error: `"${expression}": ${why}` });
  const spec: MetricSpec = METRIC_SPECS[metric];
  const a = AGGREGATION.exec(expression);
  if (!a) return fail(`expected an aggregation of ${metric} first: ${aggregationsOf(metric)}`);
  let aggregation: ThresholdAggregation;
  if (a[2] !== undefined) {
    if (!spec.percentiles) return fail(`${metric} has no percentiles: use ${aggregationsOf(metric)}`);
    const p = a[2].trim();
    if (!/^\d+(?:\.\d+)?$/.test(p) || Number(p) > 100) return fail(`p(${p}): the percentile must be a number from 0 to 100`);
    aggregation = { name: "p", percentile: Number(p) };
  } else {
    const name = a[1]!;
    const alias = spec.aliases?.[name];
    if (alias) aggregation = alias;
    else if ((spec.aggregations as readonly string[]).includes(name)) aggregation = { name: name as AggregationName };
    else return fail(`unknown aggregation "${name}" for ${metric}: use ${aggregationsOf(metric)}`);
  }
  const rest = expression.slice(a[0].length);
  const o = OP.exec(rest);
  if (!o) return fail(`expected an operator (${OPS_TEXT}) after "${a[1]}"`);
  const op: ThresholdOp = o[1] === "===" ? "==" : (o[1] as ThresholdOp);
  const right = rest.slice(o[0].length).trim();
  if (right === "") return fail(`expected a number or baseline after "${o[1]}"`);
  const value = parseNumber(right);
  if (value !== undefined) return { aggregation, op, limit: { value } };
  const b = BASELINE.exec(right);
  if (b) {
    if (b[1] === undefined) return { aggregation, op, limit: { baseline: "*", operand: 1 } };
    const operand = parseNumber(b[2]!);
    if (operand === undefined) return fail(`"${b[2]}" is not a number (baseline ${b[1]} <number>)`);
    return { aggregation, op, limit: { baseline: b[1] as "*" | "+" | "-", operand } };
  }
  return fail(`"${right}" is neither a number nor baseline, baseline * <number>, baseline + <number> or baseline - <number>`);
}

// ---- over -------------------------------------------------------------------------------------------

/** The step a window of `seconds` slides by: what keeps the data it needs to a few hundred buckets. */
export const overStepSec = (seconds: number): number => (seconds <= 600 ? 1 : seconds <= 3600 ? 10 : 60);

/** A sliding window's length, or what is wrong with it. */
export function parseOver(text: string): { seconds: number; stepSec: number } | { error: string } {
  const ms = durationMs(text);
  if (ms === undefined) return { error: `"${text}" is not a duration such as 30s, 2m, 1h or 1m30s` };
  if (ms % 1000 !== 0) return { error: `"${text}": a whole number of seconds` };
  const seconds = ms / 1000;
  if (seconds < 1) return { error: `"${text}": at least 1s` };
  if (seconds > MAX_OVER_SEC) return { error: `"${text}": at most 24h` };
  const stepSec = overStepSec(seconds);
  if (seconds % stepSec !== 0) {
    return {
      error: `"${text}": a window longer than ${stepSec === 10 ? "10m" : "1h"} slides by ${stepSec} s, so it is a whole number of ${stepSec} s`,
    };
  }
  return { seconds, stepSec };
}

// ---- the whole declaration --------------------------------------------------------------------------

function parseAll(thresholds: Thresholds): { parsed: ParsedThreshold[]; issues: ThresholdIssue[] } {
  const parsed: ParsedThreshold[] = [];
  const issues: ThresholdIssue[] = [];
  const keys = Object.keys(thresholds);
  if (keys.length > MAX_THRESHOLD_KEYS) issues.push({ path: [], message: `at most ${MAX_THRESHOLD_KEYS} metrics` });
  for (const key of keys) {
    const k = parseKey(key);
    if ("error" in k) {
      issues.push({ path: [key], message: k.error });
      continue;
    }
    (thresholds[key] ?? []).forEach((rule: ThresholdRule, i) => {
      const r = typeof rule === "string" ? { threshold: rule } : rule;
      const e = parseExpression(r.threshold, k.metric);
      if ("error" in e) issues.push({ path: typeof rule === "string" ? [key, i] : [key, i, "threshold"], message: e.error });
      let over: ParsedThreshold["over"];
      if (r.over !== undefined) {
        const o = k.metric === "sut" ? { error: "sut thresholds are judged over the whole run: no over" } : parseOver(r.over);
        if ("error" in o) issues.push({ path: [key, i, "over"], message: o.error });
        else over = { text: r.over, ...o };
      }
      if ("error" in e) return;
      parsed.push({
        key,
        expression: r.threshold,
        metric: k.metric,
        scope: k.scope,
        ...e,
        abortOnFail: r.abortOnFail ?? false,
        delayAbortEvalSec: r.delayAbortEvalSec ?? 0,
        ...(over ? { over } : {}),
        id: `${k.metric}${canonicalScope(k.scope)}|${aggregationText(e.aggregation)}`,
      });
    });
  }
  return { parsed, issues };
}

/**
 * What is wrong with some thresholds, each issue with its zod-style path under `thresholds`:
 * `["latency{name:login}"]` for a key, `["latency", 1]` for a rule given as a string,
 * `["latency", 1, "threshold"]` / `["latency", 1, "over"]` for one given as an object.
 */
export function thresholdIssues(thresholds: Thresholds): ThresholdIssue[] {
  return parseAll(thresholds).issues;
}

/** The thresholds parsed, in declaration order (keys, then rules); refuses the first issue, naming its field. */
export function parseThresholds(thresholds: Thresholds): ParsedThreshold[] {
  const { parsed, issues } = parseAll(thresholds);
  const issue = issues[0];
  if (issue) {
    const field = ["thresholds", ...issue.path.map(String)].join(".");
    throw new DomainError("invalid", `${field}: ${issue.message}`, field);
  }
  return parsed;
}

/** The thresholds of a test or a run: the declared shape, then the grammar (issues name the key and rule). */
export const thresholdsSchema = thresholdsShapeSchema.superRefine((thresholds, ctx) => {
  for (const issue of thresholdIssues(thresholds)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
});
