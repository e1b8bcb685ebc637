import type { Extract } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { compileExtraction } from "./extract.ts";
import { ResponseView } from "./response-view.ts";
import { VariableTable } from "./variables.ts";

const view = new ResponseView(
  {
    status: 200,
    headers: { location: "/orders/42", "set-cookie": ["a=1", "b=2"] },
    body: JSON.stringify({ token: "t-1", id: 42, user: { name: "ann" }, list: [] }) + ' <input name="csrf" value="c-9">',
  },
  1,
);
const jsonView = new ResponseView({ status: 200, headers: {}, body: JSON.stringify({ token: "t-1", id: 42, user: { name: "ann" } }) }, 1);
const read = (e: Extract, v = view) => compileExtraction(e, new VariableTable()).read(v);

describe("compileExtraction", () => {
  it("fills the slot of its variable", () => {
    const table = new VariableTable();
    expect(compileExtraction({ type: "header", var: "loc", name: "location" }, table).slot).toBe(table.slot("loc"));
  });

  it("jsonPath: the first value, stringified when not a string", () => {
    expect(read({ type: "jsonPath", var: "t", path: "$.token" }, jsonView)).toBe("t-1");
    expect(read({ type: "jsonPath", var: "t", path: "$.id" }, jsonView)).toBe("42");
    expect(read({ type: "jsonPath", var: "t", path: "$.user" }, jsonView)).toBe('{"name":"ann"}');
    expect(read({ type: "jsonPath", var: "t", path: "$.nope" }, jsonView)).toBeUndefined();
    expect(read({ type: "jsonPath", var: "t", path: "$.token" })).toBeUndefined(); // not JSON
  });

  it("regex: the capture group, 1 by default, 0 for the whole match", () => {
    expect(read({ type: "regex", var: "c", pattern: 'name="csrf" value="([^"]+)"', group: 1 })).toBe("c-9");
    expect(read({ type: "regex", var: "c", pattern: 'value="(c)-(\\d)"', group: 2 })).toBe("9");
    expect(read({ type: "regex", var: "c", pattern: "c-\\d", group: 0 })).toBe("c-9");
    expect(read({ type: "regex", var: "c", pattern: "zzz(.)", group: 1 })).toBeUndefined();
    expect(read({ type: "regex", var: "c", pattern: "c-(\\d)", group: 3 })).toBeUndefined();
  });

  it("regex: RE2 takes the group RegExp took for ordinary patterns", () => {
    const patterns: [string, number][] = [
      ['name="csrf" value="([^"]+)"', 1],
      ['"token":"([^"]*)"', 1],
      ['"id":(\\d+)', 1],
      ['"(\\w+)":\\{"name":"(\\w+)"', 2],
      ["(ann)|(bob)", 2],
      ["<(.*)>", 1],
      ["<(.*?)>", 1],
      ['value="(c)-(\\d)"', 0],
    ];
    for (const [pattern, group] of patterns)
      expect(read({ type: "regex", var: "v", pattern, group }), pattern).toBe(new RegExp(pattern).exec(view.response.body)?.[group]);
  });

  it("regex: runs in linear time, right on a 100 KB body where a backtracking engine would never finish", () => {
    const body = (text: string) => new ResponseView({ status: 200, headers: {}, body: text }, 1);
    const as = "a".repeat(100_000);
    const extract: Extract = { type: "regex", var: "v", pattern: "^(a+)+$", group: 1 };
    expect(read(extract, body(`${as}!`))).toBeUndefined();
    expect(read(extract, body(as))).toBe(as);
  });

  it("header: case-insensitive, the first of several values", () => {
    expect(read({ type: "header", var: "h", name: "Location" })).toBe("/orders/42");
    expect(read({ type: "header", var: "h", name: "set-cookie" })).toBe("a=1");
    expect(read({ type: "header", var: "h", name: "x-none" })).toBeUndefined();
  });
});
