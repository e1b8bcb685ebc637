import { describe, expect, it } from "vitest";
import { jsonInputIssue, MAX_JSON_DEPTH } from "./json-input.ts";

/** `depth` arrays inside one another, around `inner`. */
const nested = (depth: number, inner: unknown = 1): unknown => {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe("jsonInputIssue: what no schema should be given", () => {
  it("names the string holding NUL by its path, header values included", () => {
    const body = { name: "ok", requests: [{ path: "/" }, { path: "/", headers: { "x-a": "a\u0000b" } }] };
    expect(jsonInputIssue(body)).toEqual({
      field: "requests.1.headers.x-a",
      message: expect.stringMatching(/^requests\.1\.headers\.x-a: a string must not contain NUL/),
    });
  });

  it("refuses unpaired surrogates, leading or trailing, and takes paired ones", () => {
    expect(jsonInputIssue({ name: "\ud800" })?.field).toBe("name");
    expect(jsonInputIssue({ name: "a\udc00" })?.message).toMatch(/unpaired surrogate/);
    expect(jsonInputIssue({ name: "emoji \ud83d\ude00 and ünïcödé" })).toBeNull();
  });

  it("checks keys too, naming them with their escapes", () => {
    expect(jsonInputIssue({ headers: { "x\u0000a": "v" } })).toMatchObject({ field: "headers.x\\u0000a" });
    expect(jsonInputIssue({ headers: { "\ud800": "v" } })).toMatchObject({ field: "headers.\\ud800" });
  });

  it("names the first bad string in document order", () => {
    expect(jsonInputIssue({ a: ["ok", "\u0000"], b: "\u0000" })?.field).toBe("a.1");
  });

  it(`takes ${MAX_JSON_DEPTH} levels of nesting and refuses one more, naming where`, () => {
    expect(jsonInputIssue(nested(MAX_JSON_DEPTH))).toBeNull();
    // The body and its "body" object are two levels: the 65th is the 63rd array.
    expect(jsonInputIssue({ body: { json: nested(MAX_JSON_DEPTH - 2) } })).toBeNull();
    const issue = jsonInputIssue({ body: { json: nested(MAX_JSON_DEPTH - 1) } });
    expect(issue?.field).toBe(`body.json${".0".repeat(MAX_JSON_DEPTH - 2)}`);
    expect(issue?.message).toMatch(/nested deeper than 64 levels/);
  });

  it("walks 100,000 levels without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(jsonInputIssue(deep)?.message).toMatch(/nested deeper/);
    expect(jsonInputIssue(deep, 200_000)).toBeNull();
  });

  it("passes plain JSON: numbers, booleans, null, empty containers", () => {
    expect(jsonInputIssue({ a: 1, b: true, c: null, d: [], e: {}, f: "text\twith\ncontrols" })).toBeNull();
    expect(jsonInputIssue("top-level \u0000")?.field).toBe("body");
  });
});
