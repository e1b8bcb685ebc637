import { z } from "zod";
import { bodyContainsCheckSchema, jsonPathCheckSchema, jsonPathExtractSchema, regexExtractSchema, regexSchema } from "./field-schemas.ts";

/** The checks and extractions on one message (a WebSocket message, an SSE event, a gRPC response), apart so every step kind imports them without a cycle. */

/** A check on one WebSocket message or SSE event's data: the body checks of a request, and an RE2 regex. */
export const messageCheckSchema = z.discriminatedUnion(
  "type",
  [jsonPathCheckSchema, bodyContainsCheckSchema, z.object({ type: z.literal("regex"), pattern: regexSchema }).strict()],
  { error: (issue) => (issue.code === "invalid_union" ? "a message check's type must be jsonPath, bodyContains or regex" : undefined) },
);
export type MessageCheck = z.infer<typeof messageCheckSchema>;

export const messageExtractSchema = z.discriminatedUnion("type", [jsonPathExtractSchema, regexExtractSchema], {
  error: (issue) => (issue.code === "invalid_union" ? "a message extraction's type must be jsonPath or regex" : undefined),
});
export type MessageExtract = z.infer<typeof messageExtractSchema>;
