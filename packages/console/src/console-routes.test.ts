import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { asset, assetLoader, builtAssets, prebuiltAssets } from "./console-assets.ts";
import { CONSOLE_CSP, consoleRoutes } from "./console-routes.ts";

const fixed = async () =>
  new Map([
    ["app.js", asset("app.js", new TextEncoder().encode("console.log(1)"))],
    ["app.css", asset("app.css", new TextEncoder().encode("body{}"))],
  ]);

describe("consoleRoutes", () => {
  it("serves the page with a strict policy and no inline script", async () => {
    const res = await consoleRoutes({ assets: fixed }).request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    expect(html).toContain('href="/console/app.css"');
    expect(html).not.toMatch(/<script>|<style|\son\w+=/);
  });

  it("serves assets with their type and a strong ETag, and 304 when it matches", async () => {
    const app = consoleRoutes({ assets: fixed });
    const res = await app.request("/console/app.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(await res.text()).toBe("console.log(1)");
    const again = await app.request("/console/app.js", { headers: { "If-None-Match": `"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const css = await app.request("/console/app.css", { headers: { "If-None-Match": etag } });
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await app.request("/console/nope.js")).status).toBe(404);
  });

  it("answers a failed build with a 500 said once in the log, and tries again at the next ask", async () => {
    const onError = vi.fn();
    let calls = 0;
    const load = assetLoader(async () => {
      calls++;
      if (calls === 1) throw new Error("syntax error in app.tsx");
      return fixed();
    });
    const app = consoleRoutes({ assets: load, onError });
    const res = await app.request("/console/app.js");
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("console_unavailable");
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "syntax error in app.tsx" }));
    expect((await app.request("/console/app.js")).status).toBe(200);
    expect((await app.request("/console/app.css")).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("serves prebuilt assets when the bundle carries them", () => {
    const dir = mkdtempSync(join(tmpdir(), "console-prebuilt-"));
    try {
      expect(prebuiltAssets(`${dir}/`)).toBeNull();
      writeFileSync(join(dir, "app.js"), "x");
      writeFileSync(join(dir, "app.css"), "y");
      const assets = prebuiltAssets(`${dir}/`)!;
      expect(new TextDecoder().decode(assets.get("app.js")!.body)).toBe("x");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("builds the app from its sources: one minified script and its styles, uPlot's among them", async () => {
    const assets = await builtAssets();
    const js = new TextDecoder().decode(assets.get("app.js")!.body);
    const css = new TextDecoder().decode(assets.get("app.css")!.body);
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).not.toMatch(/\bfrom\s*["']|import\(/); // one file: nothing left to fetch
    expect(css).toContain(".uplot");
    expect(css).toContain(".counter-value");
  }, 30_000);
});
