import { isCredentialHeader } from "@loadline/core";
import { secretName } from "./draft.ts";

/**
 * Request headers as a test should send them: what the browser or the HTTP client adds on its
 * own (host, length, cookies the worker's jar keeps, compression, caching, fetch metadata, client
 * hints, the user agent) is dropped; what the application reads (accept, content type,
 * authorization, custom x- headers) is kept.
 */
const DROPPED = new Set([
  "host",
  "content-length",
  "cookie",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "upgrade",
  "upgrade-insecure-requests",
  "accept-encoding",
  "accept-language",
  "user-agent",
  "referer",
  "origin",
  "pragma",
  "cache-control",
  "if-none-match",
  "if-modified-since",
  "dnt",
  "priority",
  "purpose",
  "x-client-data",
]);

/** Whether a header is noise to leave out (HTTP/2 pseudo-headers, sec-* fetch metadata and client hints, those above). */
export function isNoiseHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(":") || lower.startsWith("sec-") || DROPPED.has(lower);
}

/**
 * The headers to keep, names in lower case, the last of a repeated name winning. `keep` names
 * noise headers to keep all the same (`--keep-headers user-agent`); pseudo-headers never are.
 */
export function keptHeaders(
  headers: readonly { name: string; value: string }[],
  keep: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const { name, value } of headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith(":")) continue;
    if (isNoiseHeader(lower) && !keep.has(lower)) continue;
    // fetch's default: says nothing the server needs.
    if (lower === "accept" && value.trim() === "*/*" && !keep.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}

/**
 * A credential typed in a header (no `{{...}}` in it) becomes a reference to a tenant secret, as
 * the API requires: `Bearer abc` → `Bearer {{secrets.BEARER_TOKEN}}`, `Basic …` →
 * `Basic {{secrets.BASIC_AUTH}}`, any other → `{{secrets.<HEADER_NAME>}}`. The secrets named are
 * added to `secrets`.
 */
export function credentialsAsSecrets(headers: Record<string, string>, secrets: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isCredentialHeader(name) || value.trim() === "" || value.includes("{{")) {
      out[name] = value;
      continue;
    }
    const scheme = /^(Bearer|Basic|Token|Digest)\s+/i.exec(value)?.[1];
    const secret =
      scheme?.toLowerCase() === "bearer" ? "BEARER_TOKEN" : scheme?.toLowerCase() === "basic" ? "BASIC_AUTH" : secretName(name);
    secrets.add(secret);
    out[name] = scheme ? `${scheme} {{secrets.${secret}}}` : `{{secrets.${secret}}}`;
  }
  return out;
}
