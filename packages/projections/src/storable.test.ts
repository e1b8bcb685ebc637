import { describe, expect, it } from "vitest";
import { MAX_EVENT_DEPTH, mayHoldUnstorableStrings, storableText, unstorable } from "./storable.ts";

/** `levels` arrays inside one another under data.x, the envelope counting as the first level. */
const nested = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return { data: { x: value } };
};
const bytes = (text: string) => new TextEncoder().encode(text);

describe("unstorable", () => {
  it("finds a string holding NUL, with where it is", () => {
    expect(unstorable(JSON.parse('{"data":{"spec":{"name":"a\\u0000b"}}}'))).toBe("cannot be stored: data.spec.name holds U+0000 (NUL)");
    expect(unstorable({ data: { headers: [{ ok: "x" }, { "X-\u0000": "y" }] } })).toBe(
      "cannot be stored: data.headers[1] has a key that holds U+0000 (NUL)",
    );
  });

  it("finds lone surrogates, high or low, and lets a pair through", () => {
    expect(unstorable(JSON.parse('{"name":"\\ud800"}'))).toMatch(/name holds a lone surrogate/);
    expect(unstorable(JSON.parse('{"name":"x\\udc00y"}'))).toMatch(/name holds a lone surrogate/);
    expect(unstorable(JSON.parse('{"name":"\\udc00\\ud800"}'))).toMatch(/lone surrogate/); // the wrong way round
    expect(unstorable(JSON.parse('{"name":"\\ud83d\\ude00 é ü 中"}'))).toBeNull();
  });

  it("takes nesting down to MAX_EVENT_DEPTH levels, not one more", () => {
    expect(MAX_EVENT_DEPTH).toBeGreaterThan(64 + 8); // an API body (64 levels) inside an envelope
    // data and data.x are levels 2 and 3: the arrays under them fill the rest.
    expect(unstorable(nested(MAX_EVENT_DEPTH - 2))).toBeNull();
    expect(unstorable(nested(MAX_EVENT_DEPTH - 1))).toBe(
      `cannot be stored: data.x[0][0][0][0][0][0]… nests deeper than ${MAX_EVENT_DEPTH} levels`,
    );
    expect(unstorable(nested(2000))).toMatch(/nests deeper than/);
    expect(unstorable(nested(5), { maxDepth: 7 })).toBeNull();
    expect(unstorable(nested(6), { maxDepth: 7 })).toMatch(/nests deeper than 7 levels/);
  });

  it("checks only the nesting when told the strings cannot hold NUL or a surrogate", () => {
    const value = JSON.parse('{"a":"\\u0000"}');
    expect(unstorable(value, { strings: false })).toBeNull();
    expect(unstorable(nested(500), { strings: false })).toMatch(/nests deeper than/);
  });
});

describe("mayHoldUnstorableStrings", () => {
  it("is true exactly when the JSON text holds a \\u escape", () => {
    expect(mayHoldUnstorableStrings(bytes('{"a":"\\u0000"}'))).toBe(true);
    expect(mayHoldUnstorableStrings(bytes('{"a":"\\ud800"}'))).toBe(true);
    expect(mayHoldUnstorableStrings(bytes('{"a":"é\\n\\"ü"}'))).toBe(false);
    // JSON.stringify writes only control characters and lone surrogates as \u escapes.
    expect(mayHoldUnstorableStrings(bytes(JSON.stringify({ a: "\u0000" })))).toBe(true);
    expect(mayHoldUnstorableStrings(bytes(JSON.stringify({ a: "\ud800" })))).toBe(true);
    expect(mayHoldUnstorableStrings(bytes(JSON.stringify({ a: "中\u00e9\ud83d\ude00" })))).toBe(false);
    // A view into a larger buffer reads only its own bytes.
    const whole = bytes('{"a":1}{"b":"\\u0000"}');
    expect(mayHoldUnstorableStrings(whole.subarray(0, 7))).toBe(false);
    expect(mayHoldUnstorableStrings(whole.subarray(7))).toBe(true);
  });
});

describe("storableText", () => {
  it("replaces NUL and lone surrogates with U+FFFD, and leaves the rest", () => {
    expect(storableText("a\u0000b\ud800c\ud83d\ude00")).toBe("a\uFFFDb\uFFFDc\ud83d\ude00");
    expect(unstorable(storableText("x\u0000\udfff"))).toBeNull();
  });
});
