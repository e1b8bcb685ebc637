import type { Check } from "@loadline/core";
import { describe, expect, it, vi } from "vitest";
import { compileCheck } from "./checks.ts";
import { ResponseView } from "./response-view.ts";
import type { IncomingResponse } from "./transport.ts";

const response: IncomingResponse = {
  status: 201,
  headers: { "content-type": "application/json; charset=utf-8", "set-cookie": ["a=1", "sid=xyz; Path=/"] },
  body: JSON.stringify({ token: "t-1", user: { id: 7, roles: ["admin"] }, items: [{ id: 1 }, { id: 2 }], empty: null }),
};
const view = (latencyMs = 12, r: IncomingResponse = response) => new ResponseView(r, latencyMs);
const run = (check: Check, v = view()) => compileCheck(check)(v);

describe("compileCheck", () => {
  it("status: passes when the status is in the list", () => {
    expect(run({ type: "status", in: [200, 201] })).toBe(true);
    expect(run({ type: "status", in: [200] })).toBe(false);
  });

  it("jsonPath exists: true wants a value, false wants none", () => {
    expect(run({ type: "jsonPath", path: "$.token", exists: true })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.nope", exists: true })).toBe(false);
    expect(run({ type: "jsonPath", path: "$.nope", exists: false })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.token", exists: false })).toBe(false);
    expect(run({ type: "jsonPath", path: "$.empty", exists: true })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.token" })).toBe(true);
  });

  it("jsonPath equals: deep-equals the first value", () => {
    expect(run({ type: "jsonPath", path: "$.user", equals: { id: 7, roles: ["admin"] } })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.items[*].id", equals: 1 })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.user.id", equals: "7" })).toBe(false);
    expect(run({ type: "jsonPath", path: "$.empty", equals: null })).toBe(true);
    expect(run({ type: "jsonPath", path: "$.nope", equals: null })).toBe(false);
    expect(run({ type: "jsonPath", path: "$.user.id", equals: 7, exists: true })).toBe(true);
  });

  it("jsonPath on a body that is not JSON finds nothing", () => {
    const text = view(1, { status: 200, headers: {}, body: "<html>" });
    expect(run({ type: "jsonPath", path: "$.a", exists: true }, text)).toBe(false);
    expect(run({ type: "jsonPath", path: "$.a", exists: false }, text)).toBe(true);
  });

  it("bodyContains", () => {
    expect(run({ type: "bodyContains", value: '"t-1"' })).toBe(true);
    expect(run({ type: "bodyContains", value: "t-2" })).toBe(false);
  });

  it("header matches: a regex on the value, the name case-insensitive, any of several values", () => {
    expect(run({ type: "header", name: "Content-Type", matches: "^application/json" })).toBe(true);
    expect(run({ type: "header", name: "content-type", matches: "xml" })).toBe(false);
    expect(run({ type: "header", name: "Set-Cookie", matches: "^sid=" })).toBe(true);
    expect(run({ type: "header", name: "x-missing", matches: ".*" })).toBe(false);
    const keepsCase = view(1, { status: 200, headers: { "X-Trace": "abc" }, body: "" });
    expect(run({ type: "header", name: "x-trace", matches: "^abc$" }, keepsCase)).toBe(true);
  });

  it("header matches: in linear time, right on a 100 KB value where a backtracking engine would never finish", () => {
    const as = "a".repeat(100_000);
    const long = (value: string) => view(1, { status: 200, headers: { "x-long": value }, body: "" });
    expect(run({ type: "header", name: "x-long", matches: "^(a+)+$" }, long(`${as}!`))).toBe(false);
    expect(run({ type: "header", name: "x-long", matches: "^(a+)+$" }, long(as))).toBe(true);
  });

  it("latency belowMs", () => {
    expect(run({ type: "latency", belowMs: 50 }, view(49.9))).toBe(true);
    expect(run({ type: "latency", belowMs: 50 }, view(50))).toBe(false);
  });

  it("parses the body as JSON once for all checks of a response", () => {
    const parse = vi.spyOn(JSON, "parse");
    const v = view();
    run({ type: "jsonPath", path: "$.token", exists: true }, v);
    run({ type: "jsonPath", path: "$.user.id", equals: 7 }, v);
    run({ type: "status", in: [201] }, v);
    expect(parse).toHaveBeenCalledTimes(1);
    parse.mockRestore();
  });
});
