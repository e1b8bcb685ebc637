/**
 * A deterministic example of a JSON Schema (as OpenAPI 3.0 and 3.1 write them, dereferenced):
 * the schema's own example first, else its first enum value, else a value of its type: required
 * properties only, one item per array, strings in their format, numbers at their minimum. The
 * same schema always gives the same example, so an imported test does not change between imports.
 */

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  example?: unknown;
  examples?: unknown;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  readOnly?: boolean;
};

/** Strings of a known format, as valid as a fixed value can be. */
const FORMATS: Record<string, string> = {
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "12:00:00Z",
  duration: "PT1M",
  email: "user@example.com",
  "idn-email": "user@example.com",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  uri: "https://example.com",
  url: "https://example.com",
  "uri-reference": "/example",
  iri: "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
  byte: "ZXhhbXBsZQ==",
  binary: "example",
  password: "password",
  regex: ".*",
  "json-pointer": "/example",
};

/** Deeper than this (or a schema inside itself), an example stops: null. */
const MAX_DEPTH = 10;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The type to make: the first named that is not null (3.1 writes `["string", "null"]`). */
function typeOf(schema: JsonSchema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const named = types.find((t) => t !== "null") ?? types[0];
  if (named) return named;
  if (schema.properties) return "object";
  if (schema.items || schema.prefixItems) return "array";
  return undefined;
}

function stringExample(schema: JsonSchema): string {
  let text = (schema.format && FORMATS[schema.format]) ?? "string";
  if (schema.minLength !== undefined && text.length < schema.minLength) text = text.padEnd(schema.minLength, "x");
  if (schema.maxLength !== undefined && text.length > schema.maxLength) text = text.slice(0, Math.max(0, schema.maxLength));
  return text;
}

function numberExample(schema: JsonSchema, integer: boolean): number {
  const exclusive = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  let value = schema.minimum ?? (exclusive !== undefined ? exclusive + (integer ? 1 : 0.5) : 1);
  if (schema.minimum !== undefined && schema.exclusiveMinimum === true) value += integer ? 1 : 0.5;
  if (schema.maximum !== undefined && value > schema.maximum) value = schema.maximum;
  return integer ? Math.ceil(value) : value;
}

export function exampleOf(schema: JsonSchema | undefined, seen: ReadonlySet<JsonSchema> = new Set()): unknown {
  if (!schema || !isObject(schema) || seen.has(schema) || seen.size >= MAX_DEPTH) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const inner = new Set(seen).add(schema);
  if (schema.allOf && schema.allOf.length > 0) {
    const parts = schema.allOf.map((s) => exampleOf(s, inner));
    return parts.every(isObject) ? Object.assign({}, ...parts) : parts[0];
  }
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alternative) return exampleOf({ ...withoutAlternatives(schema), ...alternative }, inner);
  switch (typeOf(schema)) {
    case "string":
      return stringExample(schema);
    case "integer":
      return numberExample(schema, true);
    case "number":
      return numberExample(schema, false);
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      if (schema.prefixItems) return schema.prefixItems.map((s) => exampleOf(s, inner));
      const item = exampleOf(schema.items, inner);
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schema.properties?.[name];
        if (property?.readOnly) continue;
        out[name] = property ? exampleOf(property, inner) : "string";
      }
      return out;
    }
    default:
      return null;
  }
}

/** The schema without its oneOf/anyOf, so that a branch merged into it is not taken again. */
function withoutAlternatives(schema: JsonSchema): JsonSchema {
  const { oneOf: _one, anyOf: _any, ...rest } = schema;
  return rest;
}
