import { describe, expect, it } from "vitest";
import { href, parseHash } from "./router.ts";

describe("hash routes", () => {
  it("parses parts and query", () => {
    const r = parseHash("#/runs/abc/compare?to=baseline");
    expect(r.parts).toEqual(["runs", "abc", "compare"]);
    expect(r.query.get("to")).toBe("baseline");
    expect(parseHash("").parts).toEqual([]);
    expect(parseHash("#/").parts).toEqual([]);
  });

  it("round-trips what href encodes", () => {
    expect(parseHash(href("tests", "a/b c")).parts).toEqual(["tests", "a/b c"]);
  });
});
