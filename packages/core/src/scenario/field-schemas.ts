import { z } from "zod";
import { jsonPathError } from "./json-path.ts";

/**
 * Field schemas shared by request steps and the streaming steps (streams.ts), kept apart from
 * scenario.ts so both can import them without an import cycle.
 */

/** A user's regex. Its RE2 syntax is an input rule (input-rules.ts): older events may hold others. */
export const regexSchema = z.string().min(1).max(1000);

export const jsonPathSchema = z.string().superRefine((path, ctx) => {
  const error = jsonPathError(path);
  if (error) ctx.addIssue({ code: "custom", message: `bad JSON path: ${error}` });
});

/**
 * The group a step is in: consecutive steps of one group are timed together, from the first's
 * start to the last's end, as a row `group <name>` of their own beside the requests (the
 * windows' `groups`). A test file may write them as a block (`- group: NAME` with `steps:`).
 */
export const stepGroupSchema = z.string().min(1).max(200).regex(/^\S/, "a group name must not start with a space");

/**
 * A step's tags: labels of its rows in the results (each endpoint row shows its steps' tags)
 * and what thresholds select requests by (`latency{tag.kind:api}`).
 */
export const stepTagsSchema = z
  .record(z.string().regex(/^[A-Za-z_][\w-]{0,63}$/, "a tag name is letters, digits, _ or -, at most 64"), z.string().min(1).max(200))
  .refine((tags) => Object.keys(tags).length <= 20, "at most 20 tags");

export const variableName = z.string().regex(/^[A-Za-z_][\w.-]*$/, "a variable name is letters, digits, _, . or -");

export const jsonPathCheckSchema = z
  .object({ type: z.literal("jsonPath"), path: jsonPathSchema, equals: z.unknown().optional(), exists: z.boolean().optional() })
  .strict();
export const bodyContainsCheckSchema = z.object({ type: z.literal("bodyContains"), value: z.string().min(1) }).strict();

export const jsonPathExtractSchema = z.object({ type: z.literal("jsonPath"), var: variableName, path: jsonPathSchema }).strict();
export const regexExtractSchema = z
  .object({ type: z.literal("regex"), var: variableName, pattern: regexSchema, group: z.number().int().nonnegative().default(1) })
  .strict();
