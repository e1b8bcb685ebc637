import type { Body } from "@loadline/core";
import { type Composite, CompositeBuilder, compileText, type VariableTable } from "./variables.ts";

/** A request body ready to render, and the content type it implies. */
export type BodyPlan = { readonly body: string | Composite; readonly contentType: string | null };

/** application/x-www-form-urlencoded: percent-encoding with "+" for spaces. */
export const formEncode = (s: string): string => encodeURIComponent(s).replace(/%20/g, "+");

const jsonString = (s: string): string => JSON.stringify(s);

export function compileBody(body: Body, table: VariableTable, refs: Set<number>): BodyPlan {
  const builder = new CompositeBuilder();
  if ("json" in body) {
    appendJson(builder, body.json, table, refs);
    return { body: builder.build(), contentType: "application/json" };
  }
  if ("form" in body) {
    let separator = "";
    for (const [key, value] of Object.entries(body.form)) {
      builder.literal(`${separator}${formEncode(key)}=`).text(compileText(value, table, refs), formEncode);
      separator = "&";
    }
    return { body: builder.build(), contentType: "application/x-www-form-urlencoded" };
  }
  return { body: builder.text(compileText(body.raw, table, refs)).build(), contentType: body.contentType ?? null };
}

/**
 * Serialises a JSON value as JSON.stringify would, except that every string is a template:
 * everything constant is serialised once, each template string is rendered and escaped per request.
 */
function appendJson(builder: CompositeBuilder, value: unknown, table: VariableTable, refs: Set<number>): void {
  if (typeof value === "string") {
    builder.text(compileText(value, table, refs), jsonString);
  } else if (Array.isArray(value)) {
    builder.literal("[");
    value.forEach((item: unknown, i) => {
      if (i > 0) builder.literal(",");
      if (item === undefined || typeof item === "function") builder.literal("null");
      else appendJson(builder, item, table, refs);
    });
    builder.literal("]");
  } else if (value !== null && typeof value === "object") {
    builder.literal("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function") continue;
      builder.literal(`${first ? "" : ","}${JSON.stringify(key)}:`);
      appendJson(builder, item, table, refs);
      first = false;
    }
    builder.literal("}");
  } else {
    builder.literal(JSON.stringify(value) ?? "null");
  }
}
