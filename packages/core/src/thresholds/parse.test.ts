// The thresholds' grammar: every metric, scope, aggregation, operator, the relative form and `over`,
// and the refusals, each with the path that names its field.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError } from "../errors.ts";
import { firstIssue } from "../validation.ts";
import {
  type ParsedThreshold,
  parseExpression,
  parseKey,
  parseOver,
  parseThresholds,
  THRESHOLD_METRICS,
  thresholdIssues,
  thresholdsSchema,
} from "./parse.ts";
import type { Thresholds } from "./threshold-types.ts";

/** The one parsed rule of `key: [rule]`. */
function one(key: string, rule: Thresholds[string][number]): ParsedThreshold {
  const parsed = parseThresholds({ [key]: [rule] });
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
}

/** The issues of `key: [rule]`, as path → message. */
const issuesOf = (thresholds: Thresholds) => thresholdIssues(thresholds).map((i) => [i.path, i.message] as const);

describe("parseThresholds: metrics and aggregations", () => {
  it("reads every metric with each of its aggregations", () => {
    const cases: [string, string, ParsedThreshold["aggregation"]][] = [
      ["latency", "p(95) < 300", { name: "p", percentile: 95 }],
      ["latency", "p(99.9) < 1000", { name: "p", percentile: 99.9 }],
      ["latency", "p(0) > 1", { name: "p", percentile: 0 }],
      ["latency", "p(100) < 5000", { name: "p", percentile: 100 }],
      ["latency", "p(97.25) < 5000", { name: "p", percentile: 97.25 }],
      ["latency", "min > 0", { name: "min" }],
      ["latency", "max < 2000", { name: "max" }],
      ["latency", "mean < 200", { name: "mean" }],
      ["latency", "avg < 200", { name: "mean" }],
      ["latency", "med < 150", { name: "p", percentile: 50 }],
      ["service_time", "p(99) < 250", { name: "p", percentile: 99 }],
      ["service_time", "avg < 100", { name: "mean" }],
      ["error_rate", "rate < 0.01", { name: "rate" }],
      ["failures", "count < 10", { name: "count" }],
      ["failures", "rate < 0.05", { name: "rate" }],
      ["status{class:5xx}", "count == 0", { name: "count" }],
      ["status{code:503}", "rate < 0.001", { name: "rate" }],
      ["checks", "rate > 0.99", { name: "rate" }],
      ["checks", "passes > 100", { name: "passes" }],
      ["checks", "fails < 5", { name: "fails" }],
      ["rps", "value > 100", { name: "value" }],
      ["rps", "avg > 100", { name: "value" }],
      ["requests", "count > 1000", { name: "count" }],
      ["requests", "rate > 100", { name: "rate" }],
      ["iterations", "count > 10", { name: "count" }],
      ["iterations", "rate > 1.5", { name: "rate" }],
      ["dropped_iterations", "count == 0", { name: "count" }],
      ["dropped_iterations", "rate < 1", { name: "rate" }],
      ["interrupted_iterations", "count < 3", { name: "count" }],
      ["interrupted_requests", "count < 3", { name: "count" }],
      ["sut{series:host.cpu.busy}", "max < 90", { name: "max" }],
      ["sut{series:host.cpu.busy}", "avg < 60", { name: "mean" }],
      ["sut{series:process.api.cpuPercent,agent:api-1}", "p(95) < 150", { name: "p", percentile: 95 }],
    ];
    for (const [key, expression, aggregation] of cases)
      expect(one(key, expression).aggregation, `${key}: ${expression}`).toEqual(aggregation);
    // Every metric is covered.
    expect(new Set(cases.map(([key]) => key.replace(/\{.*$/, "")))).toEqual(new Set(THRESHOLD_METRICS));
  });

  it("reads every operator (=== as ==), numbers of any form, spaces or none", () => {
    const ops = { "<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "===": "==", "!=": "!=" } as const;
    for (const [written, op] of Object.entries(ops)) expect(one("latency", `max ${written} 10`).op).toBe(op);
    expect(one("latency", "p(95)<300")).toMatchObject({ op: "<", limit: { value: 300 } });
    expect(one("latency", "  p( 95 )  <=  0.5 ")).toMatchObject({ aggregation: { name: "p", percentile: 95 }, limit: { value: 0.5 } });
    expect(one("latency", "max < 1e3").limit).toEqual({ value: 1000 });
    expect(one("latency", "max < .5").limit).toEqual({ value: 0.5 });
    expect(one("latency", "max > -1").limit).toEqual({ value: -1 });
  });

  it("reads the relative forms: baseline, baseline * n, baseline + n, baseline - n", () => {
    expect(one("latency", "p(95) < baseline * 1.10").limit).toEqual({ baseline: "*", operand: 1.1 });
    expect(one("latency", "p(95) < baseline*1.1").limit).toEqual({ baseline: "*", operand: 1.1 });
    expect(one("latency", "p(95) < baseline + 50").limit).toEqual({ baseline: "+", operand: 50 });
    expect(one("checks", "rate >= baseline - 0.01").limit).toEqual({ baseline: "-", operand: 0.01 });
    expect(one("rps", "value >= baseline").limit).toEqual({ baseline: "*", operand: 1 });
  });

  it("keeps the declaration, the options, and a canonical id per metric, scope and aggregation", () => {
    const [a, b, c] = parseThresholds({
      "latency{ method:get , name:login }": [
        "avg < 300",
        { threshold: "p(95) < 300", abortOnFail: true, delayAbortEvalSec: 10, over: "30s" },
      ],
      "latency{name:login,method:GET}": ["mean < 400"],
    });
    expect(a).toMatchObject({
      key: "latency{ method:get , name:login }",
      expression: "avg < 300",
      metric: "latency",
      scope: { name: "login", method: "GET" },
      abortOnFail: false,
      delayAbortEvalSec: 0,
      id: 'latency{name:"login",method:"GET"}|mean',
    });
    expect(a!.over).toBeUndefined();
    expect(b).toMatchObject({ abortOnFail: true, delayAbortEvalSec: 10, over: { text: "30s", seconds: 30, stepSec: 1 } });
    // Another spelling of the same metric, scope and aggregation: the same id (what a baseline is looked up by).
    expect(c!.id).toBe(a!.id);
  });
});

describe("parseKey: scopes", () => {
  it("reads name (with method), scenario, kind, class and code", () => {
    expect(parseKey("latency")).toEqual({ metric: "latency", scope: {} });
    expect(parseKey("latency{name:login}")).toEqual({ metric: "latency", scope: { name: "login" } });
    expect(parseKey("latency{name:login,method:post}")).toEqual({ metric: "latency", scope: { name: "login", method: "POST" } });
    expect(parseKey("error_rate{scenario:checkout}")).toEqual({ metric: "error_rate", scope: { scenario: "checkout" } });
    expect(parseKey("failures{kind:timeout}")).toEqual({ metric: "failures", scope: { kind: "timeout" } });
    expect(parseKey("failures{kind:5XX,name:login}")).toEqual({ metric: "failures", scope: { kind: "5xx", name: "login" } });
    expect(parseKey("status{class:4xx}")).toEqual({ metric: "status", scope: { class: "4xx" } });
    expect(parseKey("status{code:503,scenario:browse}")).toEqual({ metric: "status", scope: { code: 503, scenario: "browse" } });
    expect(parseKey("latency{tag:kind=api}")).toEqual({ metric: "latency", scope: { tag: "kind=api" } });
    expect(parseKey("error_rate{scenario:a,tag:page= item}")).toEqual({ metric: "error_rate", scope: { scenario: "a", tag: "page=item" } });
    for (const kind of ["connect", "timeout", "reset", "blocked", "4xx", "5xx", "check"]) {
      expect(parseKey(`failures{kind:${kind}}`)).toEqual({ metric: "failures", scope: { kind } });
    }
  });

  it("takes names as written: paths, colons, spaces inside; quoted for commas, braces and quotes", () => {
    expect(parseKey("latency{name:/api/items/{id}}")).toEqual({ metric: "latency", scope: { name: "/api/items/{id}" } });
    expect(parseKey("latency{name:GET:/x?a=1}")).toEqual({ metric: "latency", scope: { name: "GET:/x?a=1" } });
    expect(parseKey("latency{name: log in }")).toEqual({ metric: "latency", scope: { name: "log in" } });
    expect(parseKey('latency{name:"a,b}",method:GET}')).toEqual({ metric: "latency", scope: { name: "a,b}", method: "GET" } });
    expect(parseKey('latency{name:"say \\"hi\\""}')).toEqual({ metric: "latency", scope: { name: 'say "hi"' } });
  });

  it("refuses what a metric does not take, and ill-formed scopes", () => {
    const bad: [string, RegExp][] = [
      ["latenc", /unknown metric "latenc": use one of latency, service_time/],
      ["http_req_duration", /k6's name: here it is latency/],
      ["http_req_failed{name:x}", /here it is error_rate/],
      ["latency{kind:timeout}", /latency cannot be scoped by "kind": it takes name, method, scenario/],
      ["checks{name:login}", /checks cannot be scoped by "name": it takes no scope/],
      ["iterations{scenario:a}", /it takes no scope/],
      ["error_rate{class:5xx}", /cannot be scoped by "class"/],
      ["latency{url:/x}", /cannot be scoped by "url"/],
      ["latency{}", /the braces are empty/],
      ["latency{name}", /expected ":" after "name"/],
      ["latency{name:}", /"name" has no value/],
      ["latency{name:a,}", /expected a scope key/],
      ['latency{name:"a}', /unterminated quote/],
      ['latency{name:"a"b}', /expected "," after the quoted value/],
      ["latency{name:a,name:b}", /"name" is given twice/],
      ["latency{method:GET}", /method goes with a name/],
      ["latency{name:a,method:FETCH}", /"FETCH" is not one of GET, POST/],
      ["latency{name:a,scenario:b}", /name or by scenario, not both/],
      ["latency{name:a,tag:k=v}", /name or by tag, not both/],
      ["latency{tag:kind}", /"kind" is not NAME=VALUE/],
      ["latency{tag:9k=v}", /is not NAME=VALUE/],
      ["iterations{tag:k=v}", /it takes no scope/],
      ["failures{kind:dns}", /"dns" is not one of connect, timeout/],
      ["status", /status needs a class or a code/],
      ["status{name:x}", /status needs a class or a code/],
      ["status{class:6xx}", /"6xx" is not one of 2xx/],
      ["status{code:99}", /not an HTTP status code/],
      ["status{code:5xx}", /not an HTTP status code/],
      ["status{class:5xx,code:503}", /class or by code, not both/],
      ["latency{name:a", /is not a metric, optionally scoped in braces/],
      ["latency extra", /is not a metric/],
    ];
    for (const [key, message] of bad) {
      const k = parseKey(key);
      expect("error" in k ? k.error : "parsed", key).toMatch(message);
      // The issue names the key.
      expect(issuesOf({ [key]: ["count < 1"] })[0]?.[0], key).toEqual([key]);
    }
  });
});

describe("parseExpression: refusals", () => {
  it("names what is wrong", () => {
    const bad: [string, string, RegExp][] = [
      ["latency", "", /expected an aggregation of latency first: p\(N\), min, max, mean \(avg\), med/],
      ["latency", "< 300", /expected an aggregation/],
      ["latency", "p95 < 300", /unknown aggregation "p95" for latency: use p\(N\), min, max, mean \(avg\), med/],
      ["latency", "rate < 1", /unknown aggregation "rate" for latency/],
      ["latency", "p(101) < 300", /p\(101\): the percentile must be a number from 0 to 100/],
      ["latency", "p(-1) < 300", /p\(-1\): the percentile must be/],
      ["latency", "p() < 300", /p\(\): the percentile must be/],
      ["latency", "p(abc) < 300", /the percentile must be/],
      ["latency", "p(95) 300", /expected an operator \(<, <=, >, >=, == or !=\) after "p\(95\)"/],
      ["latency", "p(95) =< 300", /expected an operator/],
      ["latency", "p(95) <", /expected a number or baseline after "<"/],
      ["latency", "p(95) < 300ms", /"300ms" is neither a number nor baseline/],
      ["latency", "p(95) < 3 00", /neither a number/],
      ["latency", "p(95) < Infinity", /neither a number/],
      ["latency", "p(95) < baseline * x", /"x" is not a number \(baseline \* <number>\)/],
      ["latency", "p(95) < baseline / 2", /neither a number nor baseline/],
      ["latency", "p(95) < 1e999", /neither a number/],
      ["error_rate", "p(95) < 1", /error_rate has no percentiles: use rate/],
      ["error_rate", "count < 1", /unknown aggregation "count" for error_rate: use rate/],
      ["rps", "count > 1", /use value \(avg\)/],
      ["checks", "count > 1", /use rate, passes, fails/],
      ["interrupted_requests", "rate < 1", /use count$/],
    ];
    for (const [metric, expression, message] of bad) {
      const e = parseExpression(expression, metric as ParsedThreshold["metric"]);
      expect("error" in e ? e.error : "parsed", expression).toMatch(message);
      expect("error" in e ? e.error : "", expression).toContain(`"${expression}"`);
    }
  });
});

describe("parseOver", () => {
  it("reads 30s, 2m, 1h, 1m30s, up to 24h; windows beyond 10m slide by 10 s, beyond 1h by 60 s", () => {
    expect(parseOver("1s")).toEqual({ seconds: 1, stepSec: 1 });
    expect(parseOver("30s")).toEqual({ seconds: 30, stepSec: 1 });
    expect(parseOver("2m")).toEqual({ seconds: 120, stepSec: 1 });
    expect(parseOver("1m30s")).toEqual({ seconds: 90, stepSec: 1 });
    expect(parseOver("10m")).toEqual({ seconds: 600, stepSec: 1 });
    expect(parseOver("15m")).toEqual({ seconds: 900, stepSec: 10 });
    expect(parseOver("1h")).toEqual({ seconds: 3600, stepSec: 10 });
    expect(parseOver("90m")).toEqual({ seconds: 5400, stepSec: 60 });
    expect(parseOver("24h")).toEqual({ seconds: 86_400, stepSec: 60 });
    expect(parseOver("1000ms")).toEqual({ seconds: 1, stepSec: 1 });
  });

  it("refuses anything else", () => {
    const bad: [string, RegExp][] = [
      ["30", /not a duration such as 30s, 2m, 1h or 1m30s/],
      ["", /not a duration/],
      ["30 s", /not a duration/],
      ["1d", /not a duration/],
      ["-1s", /not a duration/],
      ["0s", /at least 1s/],
      ["1.5s", /a whole number of seconds/],
      ["500ms", /a whole number of seconds/],
      ["25h", /at most 24h/],
      ["601s", /longer than 10m slides by 10 s, so it is a whole number of 10 s/],
      ["61m30s", /longer than 1h slides by 60 s/],
    ];
    for (const [text, message] of bad) {
      const o = parseOver(text);
      expect("error" in o ? o.error : "parsed", text).toMatch(message);
    }
  });
});

describe("thresholdIssues / thresholdsSchema / parseThresholds: refusals name the field", () => {
  const thresholds: Thresholds = {
    latency: ["p(95) < 300", "p(101) < 300", { threshold: "p95 < 1" }, { threshold: "max < 1", over: "1x" }],
    "latency{name:login}": ["p(99) 1000"],
    latenc: ["p(95) < 1"],
    "checks{name:x}": ["rate > 0.9"],
    error_rate: [
      { threshold: "rate < 0.01", over: "30s" },
      { threshold: "bad", over: "0s" },
    ],
  };

  it("lists every issue with its path", () => {
    expect(issuesOf(thresholds)).toEqual([
      [["latency", 1], expect.stringMatching(/p\(101\)/)],
      [["latency", 2, "threshold"], expect.stringMatching(/unknown aggregation "p95"/)],
      [["latency", 3, "over"], expect.stringMatching(/"1x" is not a duration/)],
      [["latency{name:login}", 0], expect.stringMatching(/expected an operator/)],
      [["latenc"], expect.stringMatching(/unknown metric "latenc"/)],
      [["checks{name:x}"], expect.stringMatching(/takes no scope/)],
      [["error_rate", 1, "threshold"], expect.stringMatching(/unknown aggregation "bad"/)],
      [["error_rate", 1, "over"], expect.stringMatching(/at least 1s/)],
    ]);
    expect(thresholdIssues({ latency: ["p(95) < 300"], error_rate: [{ threshold: "rate < 0.01", over: "1m" }] })).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`latency{name:n${i}}`, ["max < 1"]]));
    expect(thresholdIssues(many)).toEqual([{ path: [], message: "at most 100 metrics" }]);
  });

  it("the schema adds them under the field, so a refusal reads thresholds.latency.1", () => {
    const spec = z.object({ thresholds: thresholdsSchema });
    const r = spec.safeParse({ thresholds });
    expect(r.success).toBe(false);
    expect(firstIssue(r.error!)).toEqual({
      field: "thresholds.latency.1",
      message: expect.stringMatching(/^thresholds\.latency\.1: "p\(101\) < 300"/),
    });
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain("thresholds.latency.3.over");
    // The declared shape first: no grammar on what is not even the right shape.
    const shape = spec.safeParse({ thresholds: { latency: [{ threshold: "p(95) < 1", extra: 1 }] } });
    expect(shape.success).toBe(false);
    expect(firstIssue(shape.error!).field).toBe("thresholds.latency.0");
    expect(spec.parse({ thresholds: { latency: ["p(95) < 300"] } })).toEqual({ thresholds: { latency: ["p(95) < 300"] } });
  });

  it("parseThresholds refuses the first issue as an invalid DomainError naming the field", () => {
    let error: unknown;
    try {
      parseThresholds(thresholds);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: "invalid",
      field: "thresholds.latency.1",
      message: expect.stringMatching(/^thresholds\.latency\.1: /),
    });
  });
});

describe("sut thresholds", () => {
  it("name a series of the SUT's agents, and optionally one agent", () => {
    const [rule] = parseThresholds({ "sut{series:host.cpu.busy,agent:api-1}": ["max < 90"] });
    expect(rule).toMatchObject({
      metric: "sut",
      scope: { series: "host.cpu.busy", agent: "api-1" },
      id: 'sut{series:"host.cpu.busy",agent:"api-1"}|max',
    });
  });

  it("refuse a key without a series, a bad agent id, and a sliding window", () => {
    expect(thresholdIssues({ sut: ["max < 90"] })[0]?.message).toMatch(/sut needs a series/);
    expect(thresholdIssues({ "sut{series:x,agent:a b}": ["max < 90"] })[0]?.message).toMatch(/not an agent id/);
    expect(thresholdIssues({ "sut{series:host.cpu.busy}": [{ threshold: "max < 90", over: "30s" }] })).toEqual([
      { path: ["sut{series:host.cpu.busy}", 0, "over"], message: "sut thresholds are judged over the whole run: no over" },
    ]);
  });
});
