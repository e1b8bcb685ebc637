import { describe, expect, it } from "vitest";
import { jsonPathError, jsonPathValues } from "./json-path.ts";

describe("JSON paths", () => {
  it("accepts the usual forms", () => {
    for (const p of [
      "$",
      "$.token",
      "$.items[0].id",
      "$.items[*].id",
      "$..id",
      "$['a-b']",
      '$["x"]',
      "$.items[?(@.price > 10)].sku",
      "$.items[1:3]",
      "$.*",
    ]) {
      expect(jsonPathError(p), p).toBeNull();
    }
  });
  it("refuses malformed ones", () => {
    for (const p of ["token", "$.", "$.items[", "$..[", "$.a b", "$[?(@.x]"]) expect(jsonPathError(p), p).not.toBeNull();
  });
  it("refuses a call in a filter: it would run a user's regex on RegExp, or fill the heap", () => {
    for (const p of [
      "$.items[?(@.n.match('a*a*a*a*a*b'))]",
      "$.items[?(@.n.match(/a*a*a*a*a*b/))]",
      "$.items[?(@.n.search('a*b') > -1)]",
      "$.items[?(@.n.repeat(1e9))]",
      "$.items[?(@.n .padEnd (1e9))]",
      "$.items[?(@['match']('a*b'))]",
      "$.items[?((@.n).match('a*b'))]",
    ]) {
      expect(jsonPathError(p), p).not.toBeNull();
    }
    expect(jsonPathError("$.items[?(@.n.match('a*b'))]")).toMatch(/cannot call "match\("/);
  });
  it("still accepts grouping, strings with parentheses, and division in a filter", () => {
    for (const p of [
      "$.items[?((@.price > 10) && (@.qty < 3))].sku",
      "$.links[?(@.href == '/orders/(1)')].rel",
      '$.links[?(@.title == "f(x)")].rel',
      "$.items[?(@.price / 2 > 10)]",
    ]) {
      expect(jsonPathError(p), p).toBeNull();
    }
    const doc = {
      items: [
        { id: 1, price: 30, qty: 1, n: "f(x)" },
        { id: 2, price: 5, qty: 1, n: "g" },
      ],
    };
    expect(jsonPathValues("$.items[?((@.price > 10) && (@.qty < 3))].id", doc)).toEqual([1]);
    expect(jsonPathValues("$.items[?(@.n == 'f(x)')].id", doc)).toEqual([1]);
  });
  it("selects values", () => {
    const doc = {
      token: "t1",
      items: [
        { id: 1, price: 5 },
        { id: 2, price: 50 },
      ],
    };
    expect(jsonPathValues("$.token", doc)).toEqual(["t1"]);
    expect(jsonPathValues("$.items[*].id", doc)).toEqual([1, 2]);
    expect(jsonPathValues("$.items[?(@.price > 10)].id", doc)).toEqual([2]);
    expect(jsonPathValues("$.missing", doc)).toEqual([]);
    expect(jsonPathValues("$.x", "not json")).toEqual([]);
  });
});
