import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig } from "@loadline/service";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/commands/run.ts";
import type { DraftRequest } from "../src/import/draft.ts";
import { importHar } from "../src/import/har.ts";
import { schemaIssues } from "../src/import/validate.ts";
import { toYaml } from "../src/import/yaml-writer.ts";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * A recording made by Chromium of a small app (a page, its assets, a login handing out a token
 * the next calls send back, an order whose id the next call's path holds, a beacon to another
 * origin), imported, and run through the real stack against another instance of the app: the
 * imported test passes only if the token and the id were correlated.
 */

type App = { url: string; counts: Record<string, number>; close(): Promise<void> };

const PAGE = `<!doctype html><html><head><title>Shop</title><link rel="stylesheet" href="/static/app.css"></head>
<body><img src="/static/logo.png" alt=""><p class="fancy">Shop</p><script src="/static/app.js"></script></body></html>`;
const CSS = `@font-face { font-family: Fancy; src: url(/static/fancy.woff2) format("woff2"); } .fancy { font-family: Fancy; }`;
const appScript = (beacon: string) => `(async () => {
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const json = { "content-type": "application/json" };
  const login = await (await fetch("/api/login", { method: "POST", headers: json, body: JSON.stringify({ user: "alice" }) })).json();
  const auth = { authorization: "Bearer " + login.token };
  await pause(600);
  await fetch("/api/me", { headers: auth });
  await pause(400);
  const order = await (await fetch("/api/orders", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ sku: "sku-1", qty: 2 }) })).json();
  await fetch("/api/orders/" + order.id, { headers: auth });
  await fetch(${JSON.stringify(beacon)} + "/collect", { method: "POST", mode: "no-cors", body: "seen" });
  document.body.dataset.done = "yes";
})();`;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** The app: tokens and orders are made per call, so a replay of recorded values fails (401, 404). */
function startApp(beacon = "http://127.0.0.1:9"): Promise<App> {
  const tokens = new Set<string>();
  const orders = new Set<string>();
  const counts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://app").pathname;
      const key = `${req.method} ${path.replace(/^\/api\/orders\/.+/, "/api/orders/:id")}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { "content-type": type, "access-control-allow-origin": "*" });
        res.end(body);
      };
      const json = (status: number, body: object) => send(status, "application/json", JSON.stringify(body));
      const authorized = tokens.has(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      if (path === "/") return send(200, "text/html; charset=utf-8", PAGE);
      if (path === "/static/app.css") return send(200, "text/css", CSS);
      if (path === "/static/app.js") return send(200, "application/javascript", appScript(beacon));
      if (path === "/static/logo.png") return send(200, "image/png", PNG);
      if (path === "/static/fancy.woff2") return send(200, "font/woff2", Buffer.alloc(64));
      if (path === "/collect") return send(204, "text/plain", "");
      if (path === "/api/login" && req.method === "POST") {
        const token = `tok-${randomUUID()}`;
        tokens.add(token);
        return json(200, { token, user: JSON.parse(Buffer.concat(chunks).toString() || "{}").user });
      }
      if (!authorized && path.startsWith("/api/")) return json(401, { error: "who are you?" });
      if (path === "/api/me") return json(200, { user: "alice" });
      if (path === "/api/orders" && req.method === "POST") {
        const id = `ord-${randomUUID().slice(0, 8)}`;
        orders.add(id);
        return json(201, { id, ...JSON.parse(Buffer.concat(chunks).toString() || "{}") });
      }
      const id = /^\/api\/orders\/(.+)$/.exec(path)?.[1];
      if (id !== undefined) return orders.has(id) ? json(200, { id }) : json(404, { error: "no such order" });
      return json(404, { error: "not found" });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        counts,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    }),
  );
}

/** Records the app's page in Chromium into a HAR file (written when the context closes). */
async function recordHar(browser: Browser, app: App, harPath: string): Promise<void> {
  const context = await browser.newContext({ recordHar: { path: harPath } });
  const page = await context.newPage();
  await page.goto(`${app.url}/`);
  await page.waitForSelector("body[data-done=yes]", { timeout: 15_000 });
  await context.close();
}

const requestSteps = (steps: readonly { type: string }[]) => steps.filter((s): s is DraftRequest => s.type === "request");

describe.skipIf(!chromiumAvailable())("loadline import har, on a recording made by Chromium", () => {
  let browser: Browser;
  let f: StackFixture;
  const apps: App[] = [];
  let recorded: App;
  let replayed: App;
  let beacon: App;
  const dir = mkdtempSync(join(tmpdir(), "loadline-import-har-"));
  const harPath = join(dir, "shop.har");

  beforeAll(async () => {
    [f, browser, beacon] = await Promise.all([startTestStack(), launchChromium(), startApp()]);
    recorded = await startApp(beacon.url);
    replayed = await startApp(beacon.url);
    apps.push(recorded, replayed, beacon);
    await recordHar(browser, recorded, harPath);
    if (process.env.LL_SAVE_HAR) writeFileSync(process.env.LL_SAVE_HAR, readFileSync(harPath));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.close()));
    await f?.close();
  });

  it("keeps the app's requests, maps the host, correlates the token and the order id, keeps the pauses", () => {
    const result = importHar(readFileSync(harPath, "utf8"), { targetUrl: replayed.url, fileName: harPath });
    const { test, notes } = result;
    expect(test.targetUrl).toBe(replayed.url);
    expect(test.name).toBe("Shop");
    const steps = test.scenarios[0]!.steps;
    const requests = requestSteps(steps);
    // The document and the fetches; no asset, no favicon, not the beacon to another origin.
    expect(requests.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /",
      "POST /api/login",
      "GET /api/me",
      "POST /api/orders",
      "GET /api/orders/{{id}}",
    ]);
    expect(notes.leftOut.join("\n")).toMatch(/\d+ static assets/);
    expect(notes.leftOut.join("\n")).toContain(beacon.url);
    const [, login, me, order, got] = requests;
    expect(login!.extract).toEqual([{ type: "jsonPath", var: "token", path: "$.token" }]);
    expect(login!.body).toEqual({ json: { user: "alice" } });
    expect(me!.headers).toEqual(expect.objectContaining({ authorization: "Bearer {{token}}" }));
    expect(order!.extract).toEqual([{ type: "jsonPath", var: "id", path: "$.id" }]);
    expect(order!.headers).toEqual(expect.objectContaining({ authorization: "Bearer {{token}}" }));
    expect(got!.name).toBe("/api/orders/{{id}}");
    // Browser noise is gone.
    for (const s of requests)
      expect(Object.keys(s.headers ?? {}).filter((h) => /^(sec-|user-agent|cookie|host|referer)/.test(h))).toEqual([]);
    // The page's pauses of 600 and 400 ms are think steps.
    const thinks = steps.filter((s) => s.type === "think").map((s) => (s.type === "think" ? s.ms : 0));
    expect(thinks.some((ms) => ms >= 500 && ms <= 800)).toBe(true);
    expect(thinks.some((ms) => ms >= 300 && ms <= 600)).toBe(true);
    expect(notes.secrets).toEqual([]);
    const yaml = toYaml(result);
    expect(yaml).toMatch(/^# Imported by `loadline import` from the HAR 1\.2 recording shop\.har/);
    expect(schemaIssues(yaml)).toEqual([]);
  });

  it("runs through the stack against another instance of the app: every request answered as recorded", async () => {
    const file = join(dir, "shop.yaml");
    writeFileSync(file, toYaml(importHar(readFileSync(harPath, "utf8"), { targetUrl: replayed.url, fileName: harPath })));
    const ctx = { config: loadConfig({}), log: createLogger("test", "silent"), port: 0, dataDir: f.dataDir };
    expect(await run(ctx, file, f.stack.apiUrl)).toBe(0);
    expect(replayed.counts).toEqual({
      "GET /": 1,
      "POST /api/login": 1,
      "GET /api/me": 1,
      "POST /api/orders": 1,
      "GET /api/orders/:id": 1,
    });
    const { items } = (await (await f.api.fetch(`/v1/runs`)).json()) as { items: { id: string }[] };
    const aggregate = await f.api.aggregate(items[0]!.id);
    expect(aggregate.checksFailed).toBe(0);
    // A status check a request, and the two extractions (an extraction is a check too).
    expect(aggregate.checksPassed).toBe(7);
    expect(aggregate.failures ?? 0).toBe(0);
  }, 120_000);
});
