import type { z } from "zod";

/** What a refusal names: the first issue of a zod error, its path as a dotted field name. */
export type InvalidField = { field: string | undefined; message: string };

export function firstIssue(error: z.ZodError, prefix?: string): InvalidField {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  return { field: path || undefined, message: issue ? `${path || "body"}: ${issue.message}` : "invalid request" };
}
