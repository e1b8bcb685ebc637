/**
 * Whether a Content-Type names JSON: `application/json` or `application/<anything>+json`, in
 * UTF-8 when a charset is given (bodies are read as UTF-8). Requiring it is what makes a
 * browser preflight a cross-site write: `text/plain` and forms are sent without asking.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = "", ...params] = header.split(";");
  const media = type.trim().toLowerCase();
  if (media !== "application/json" && !/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(media)) return false;
  for (const param of params) {
    const [name = "", value = ""] = param.split("=");
    if (name.trim().toLowerCase() !== "charset") continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") return false;
  }
  return true;
}
