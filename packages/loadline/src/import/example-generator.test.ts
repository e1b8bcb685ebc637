import { describe, expect, it } from "vitest";
import { exampleOf, type JsonSchema } from "./example-generator.ts";

describe("the example generator", () => {
  it("takes the schema's own example, examples, const, first enum value, default, in that order", () => {
    expect(exampleOf({ type: "string", example: "given", enum: ["a"] })).toBe("given");
    expect(exampleOf({ type: "string", examples: ["first", "second"] })).toBe("first");
    expect(exampleOf({ const: 7 })).toBe(7);
    expect(exampleOf({ type: "string", enum: ["available", "sold"], default: "sold" })).toBe("available");
    expect(exampleOf({ type: "integer", default: 5 })).toBe(5);
  });

  it("makes strings in their format and length, numbers at their minimum", () => {
    expect(exampleOf({ type: "string", format: "date-time" })).toBe("2024-01-01T00:00:00Z");
    expect(exampleOf({ type: "string", format: "email" })).toBe("user@example.com");
    expect(exampleOf({ type: "string", format: "uuid" })).toBe("00000000-0000-4000-8000-000000000000");
    expect(exampleOf({ type: "string", minLength: 10 })).toBe("stringxxxx");
    expect(exampleOf({ type: "string", maxLength: 3 })).toBe("str");
    expect(exampleOf({ type: "integer", minimum: 10 })).toBe(10);
    expect(exampleOf({ type: "integer", exclusiveMinimum: 10 })).toBe(11);
    expect(exampleOf({ type: "number", maximum: 0.5 })).toBe(0.5);
    expect(exampleOf({ type: ["null", "boolean"] })).toBe(true);
  });

  it("fills required properties only, skips read-only ones, one item per array, merges allOf, takes oneOf's first", () => {
    const schema: JsonSchema = {
      type: "object",
      required: ["id", "name", "tags", "kind"],
      properties: {
        id: { type: "integer", readOnly: true },
        name: { type: "string", example: "Rex" },
        nickname: { type: "string" },
        tags: { type: "array", items: { type: "string", enum: ["dog"] } },
        kind: { oneOf: [{ type: "string", enum: ["cat"] }, { type: "integer" }] },
      },
    };
    expect(exampleOf(schema)).toEqual({ name: "Rex", tags: ["dog"], kind: "cat" });
    expect(
      exampleOf({
        allOf: [
          { type: "object", required: ["a"], properties: { a: { type: "boolean" } } },
          { required: ["b"], properties: { b: { const: 1 } } },
        ],
      }),
    ).toEqual({ a: true, b: 1 });
  });

  it("stops at a schema inside itself, and always gives the same example", () => {
    const node: JsonSchema = { type: "object", required: ["child"], properties: {} };
    node.properties!.child = node;
    expect(exampleOf(node)).toEqual({ child: null });
    expect(JSON.stringify(exampleOf(node))).toBe(JSON.stringify(exampleOf(node)));
  });
});
