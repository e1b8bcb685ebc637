import type { Hono, MiddlewareHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { HttpError } from "./http.ts";

/**
 * A path the app serves under other methods answers 405 with `Allow`, and OPTIONS on it 204
 * with `Allow`, before any body is read. Unknown paths go on to the app's 404. The routes are
 * read on first use, so every route mounted by then counts. No CORS headers: a cross-origin
 * page cannot read the answers (and JSON bodies need a preflight it does not pass).
 */
export function allowedMethods(app: Hono): MiddlewareHandler {
  let router: TrieRouter<string[]> | undefined;
  const methodsOf = (path: string): Set<string> => {
    if (!router) {
      const byPath = new Map<string, Set<string>>();
      for (const route of app.routes) {
        if (route.method === "ALL") continue; // middleware, not a route
        const methods = byPath.get(route.path) ?? new Set<string>();
        methods.add(route.method);
        if (route.method === "GET") methods.add("HEAD");
        byPath.set(route.path, methods);
      }
      router = new TrieRouter<string[]>();
      for (const [path, methods] of byPath) router.add("ALL", path, [...methods]);
    }
    const allowed = new Set<string>();
    for (const [methods] of router.match("ALL", path)[0]) for (const m of methods) allowed.add(m);
    return allowed;
  };
  return async (c, next) => {
    const allowed = methodsOf(c.req.path);
    if (allowed.size === 0 || allowed.has(c.req.method)) return next();
    const allow = [...allowed, "OPTIONS"].join(", ");
    if (c.req.method === "OPTIONS") return c.body(null, 204, { Allow: allow });
    throw new HttpError(405, "method_not_allowed", `${c.req.method} is not allowed on ${c.req.path} (Allow: ${allow})`, "method", {
      Allow: allow,
    });
  };
}
