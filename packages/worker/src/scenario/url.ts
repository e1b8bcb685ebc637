import { type Composite, CompositeBuilder, compileText, renderComposite, type VariableTable } from "./variables.ts";

/** Where a step's requests go: the origin fixed at compile time when the url allows, else resolved per request. */
export type UrlPlan =
  | { readonly origin: string; readonly path: string | Composite }
  | { readonly origin: null; readonly url: string | Composite; readonly target: Target };

/** The test's targetUrl as step paths use it. */
export type Target = { readonly origin: string; readonly basePath: string };

const ABSOLUTE = /^(https?:\/\/[^/?#]*)(.*)$/is;

/** targetUrl's origin and its own path prefix ("http://h/api/" → "/api"), which relative step urls go under. */
export function parseTarget(targetUrl: string): Target {
  const url = new URL(targetUrl);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") };
}

/**
 * Compiles a step url and its query: "/path" goes on the target, an absolute http(s) URL is
 * used as is. Query entries are URL-encoded and appended after any query the url already has.
 */
export function compileUrl(
  url: string,
  query: Readonly<Record<string, string>> | undefined,
  target: Target,
  table: VariableTable,
  refs: Set<number>,
): UrlPlan {
  const absolute = ABSOLUTE.exec(url);
  const builder = new CompositeBuilder();
  let origin: string | null = null;
  if (url.startsWith("/")) {
    origin = target.origin;
    builder.literal(target.basePath).text(compileText(url, table, refs));
  } else if (absolute && !absolute[1]!.includes("{{")) {
    origin = new URL(absolute[1]!).origin;
    const rest = absolute[2]!;
    builder.literal(rest.startsWith("/") ? "" : "/").text(compileText(rest, table, refs));
  } else {
    // The url is a template for its origin too ("{{base}}/items"): resolved per request.
    builder.text(compileText(url, table, refs));
  }
  // Decided on the url as written: a variable that renders a "?" is not looked into.
  let separator = url.includes("?") ? "&" : "?";
  for (const [key, value] of Object.entries(query ?? {})) {
    builder.literal(`${separator}${encodeURIComponent(key)}=`).text(compileText(value, table, refs), encodeURIComponent);
    separator = "&";
  }
  const path = builder.build();
  return origin !== null ? { origin, path } : { origin: null, url: path, target };
}

/**
 * Splits a url rendered at request time; throws on one that is not a path or an http(s) URL.
 * The error says nothing of the url: a rendered one may hold a secret's value.
 */
export function resolveDynamicUrl(plan: Extract<UrlPlan, { origin: null }>, values: readonly string[]): { origin: string; path: string } {
  const rendered = renderComposite(plan.url, values);
  if (rendered.startsWith("/")) return { origin: plan.target.origin, path: plan.target.basePath + rendered };
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    // Node's error holds the input.
    throw new Error("the url rendered to no URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("the url rendered to no http(s) URL");
  return { origin: url.origin, path: url.pathname + url.search };
}
