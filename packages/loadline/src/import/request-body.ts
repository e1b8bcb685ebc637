import type { DraftBody } from "./draft.ts";
import { parseJsonOrUndefined } from "./draft.ts";

const isJsonType = (mimeType: string) => /^application\/([\w.+-]+\+)?json\b/i.test(mimeType.trim());
const isFormType = (mimeType: string) => /^application\/x-www-form-urlencoded\b/i.test(mimeType.trim());

export { isJsonType };

/**
 * A recorded or described request body as a step's body: JSON as `json` (readable, and its strings
 * take templates), a urlencoded form as `form`, anything else as `raw` with its content type.
 */
export function draftBody(mimeType: string, text: string): DraftBody {
  const json = isJsonType(mimeType) || mimeType === "" ? parseJsonOrUndefined(text) : undefined;
  if (json !== undefined && typeof json === "object" && json !== null) return { json };
  if (isFormType(mimeType)) return { form: Object.fromEntries(new URLSearchParams(text)) };
  return mimeType ? { raw: text, contentType: mimeType } : { raw: text };
}

/**
 * Whether a content-type header says no more than the body's form does (the worker sends
 * application/json with a `json` body, the urlencoded type with a `form`): such a header is left out.
 */
export function contentTypeImplied(body: DraftBody | undefined, contentType: string | undefined): boolean {
  if (!body || contentType === undefined) return false;
  const plain = contentType.split(";")[0]!.trim().toLowerCase();
  if ("json" in body) return plain === "application/json";
  if ("form" in body) return plain === "application/x-www-form-urlencoded";
  return body.contentType !== undefined && body.contentType.toLowerCase() === contentType.toLowerCase();
}
