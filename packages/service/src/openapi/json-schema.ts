import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

const COMPONENTS = "#/components/schemas/";

/** `#/$defs/X` of one converted schema as the document's `#/components/schemas/X`, everywhere inside `value`. */
function refsToComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(refsToComponents);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/") ? COMPONENTS + v.slice("#/$defs/".length) : refsToComponents(v),
    ]),
  );
}

/**
 * zod schemas as the document's JSON Schemas (OpenAPI 3.1's dialect is JSON Schema 2020-12).
 * A schema with an id in zod's registry (`.meta({id})`) becomes one named component that every
 * use refers to: converted schema by schema, each one's `$defs` are gathered here.
 */
export class ComponentSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  /** `io`: "input" for what a route accepts (defaults optional, transforms' input), "output" for what it answers. */
  of(schema: z.ZodType, io: "input" | "output"): JsonSchema {
    // "any": a part JSON cannot say (a transform's output, a date) is left open rather than failing the document.
    const converted = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
    const { $schema: _, $defs, ...json } = converted;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) this.add(name, refsToComponents(def) as JsonSchema);
    return refsToComponents(json) as JsonSchema;
  }

  private add(name: string, schema: JsonSchema): void {
    const known = this.schemas[name];
    // One id, one schema: the same id given two shapes (or read as input here and output there) would be a lie in one place.
    if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`two different schemas are named ${name}`);
    this.schemas[name] = schema;
  }
}
