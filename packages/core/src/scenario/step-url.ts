/**
 * What the worker can send a request to (see its url compiler): a path on the test's target,
 * an absolute http(s) URL (scheme in any case, as URLs allow), or a url whose origin comes from
 * a `{{variable}}` (checked when rendered, per request). Anything else (file:, javascript:,
 * a bare word) is refused at create time, naming the field, rather than failing every request.
 */

const ABSOLUTE_HTTP = /^https?:\/\//i;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Whether a URL is absolute http or https, whatever the case of its scheme. */
export function isHttpUrl(url: string): boolean {
  if (!ABSOLUTE_HTTP.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}

/** Why `url` cannot be a request step's url, or null when it can. */
export function stepUrlError(url: string): string | null {
  if (url.startsWith("/") || url.startsWith("{{")) return null;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return "must be a path starting with /, an http(s) URL, or start with a {{variable}}";
  if (scheme !== "http" && scheme !== "https") return `must be an http(s) URL, not ${scheme}:`;
  if (!ABSOLUTE_HTTP.test(url)) return `must start with ${scheme}://`;
  // A variable in the host or port is only known when rendered; the worker checks it then.
  const authority = url.slice(url.indexOf("//") + 2).split(/[/?#]/, 1)[0] ?? "";
  if (authority.includes("{{")) return null;
  return isHttpUrl(url.replace(/\{\{[^}]*\}\}/g, "x")) ? null : "is not a valid http(s) URL";
}
