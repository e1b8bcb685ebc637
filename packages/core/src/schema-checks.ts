import type { z } from "zod";

type Def = {
  type: string;
  coerce?: boolean;
  checks?: readonly { _zod: { def: { check: string } } }[];
  shape?: Record<string, z.ZodType>;
  options?: readonly z.ZodType[];
  innerType?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
};

/** Kinds of schema that only check what they are given; anything else (transform, pipe, default, ...) may change it. */
const CHECKING_KINDS: ReadonlySet<string> = new Set([
  "object",
  "array",
  "record",
  "union",
  "optional",
  "nullable",
  "string",
  "number",
  "boolean",
  "enum",
  "literal",
  "unknown",
  "null",
]);

/**
 * True when parsing with `schema` gives back its input unchanged (less unknown object keys):
 * nothing in it transforms, pipes, coerces, fills defaults or overwrites (trim, case). Such data can be
 * validated and then used as it was parsed from JSON, without zod's copy of it.
 */
export function onlyChecks(schema: z.ZodType): boolean {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (!CHECKING_KINDS.has(def.type) || def.coerce) return false;
  if (def.checks?.some((c) => c._zod.def.check === "overwrite")) return false;
  const inner = [def.innerType, def.element, def.keyType, def.valueType, ...(def.options ?? []), ...Object.values(def.shape ?? {})];
  return inner.every((s) => s === undefined || onlyChecks(s));
}
