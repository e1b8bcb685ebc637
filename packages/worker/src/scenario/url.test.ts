import { describe, expect, it } from "vitest";
import { compileUrl, parseTarget, resolveDynamicUrl, type UrlPlan } from "./url.ts";
import { renderComposite, VariableTable } from "./variables.ts";

function resolve(url: string, query: Record<string, string> | undefined, targetUrl: string, vars: Record<string, string> = {}) {
  const table = new VariableTable();
  const plan: UrlPlan = compileUrl(url, query, parseTarget(targetUrl), table, new Set());
  const values = new Array<string>(table.size).fill("");
  for (const [k, v] of Object.entries(vars)) values[table.slot(k)] = v;
  return {
    plan,
    ...(plan.origin === null ? resolveDynamicUrl(plan, values) : { origin: plan.origin, path: renderComposite(plan.path, values) }),
  };
}

describe("compileUrl", () => {
  it("puts a path on the target, keeping the target's own path prefix", () => {
    expect(resolve("/items", undefined, "http://localhost:8080")).toMatchObject({ origin: "http://localhost:8080", path: "/items" });
    expect(resolve("/items", undefined, "http://h:1/api/")).toMatchObject({ origin: "http://h:1", path: "/api/items" });
  });

  it("precompiles a url without variables into a plain string", () => {
    const { plan } = resolve("/items?a=1", { b: "x y" }, "http://h");
    expect(plan).toEqual({ origin: "http://h", path: "/items?a=1&b=x%20y" });
  });

  it("uses an absolute URL as is, whatever its origin", () => {
    expect(resolve("https://Other.example:8443/x/{{id}}?k=v", undefined, "http://h", { id: "7" })).toMatchObject({
      origin: "https://other.example:8443",
      path: "/x/7?k=v",
    });
    expect(resolve("http://other", undefined, "http://h")).toMatchObject({ origin: "http://other", path: "/" });
    expect(resolve("http://other?a=1", undefined, "http://h")).toMatchObject({ origin: "http://other", path: "/?a=1" });
  });

  it("renders and URL-encodes query entries after the url's own query", () => {
    expect(resolve("/s?page=1", { q: "{{term}}", "a b": "c&d" }, "http://h", { term: "red shoes/€" })).toMatchObject({
      path: "/s?page=1&q=red%20shoes%2F%E2%82%AC&a%20b=c%26d",
    });
    expect(resolve("/s", { q: "1" }, "http://h")).toMatchObject({ path: "/s?q=1" });
  });

  it("resolves a url whose origin is a variable per request", () => {
    const r = resolve("{{base}}/items/{{id}}", { q: "1" }, "http://h/api", { base: "https://b.example", id: "3" });
    expect(r.plan.origin).toBeNull();
    expect(r).toMatchObject({ origin: "https://b.example", path: "/items/3?q=1" });
    expect(resolve("{{p}}", undefined, "http://h/api", { p: "/x" })).toMatchObject({ origin: "http://h", path: "/api/x" });
    expect(() => resolve("{{p}}", undefined, "http://h", { p: "ftp://x" })).toThrow(/http/);
  });
});
