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
