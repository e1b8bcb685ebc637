import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isTerminal } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { testNats } from "@loadline/nats/testing";
import { Projections } from "@loadline/projections";
import { testDatabase } from "@loadline/projections/testing";
import { createLogger, createRegistry, opsRoutes } from "@loadline/service";
import type { Hono } from "hono";
import createClient from "openapi-fetch";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { paths } from "../src/generated/api.d.ts";
import { apiDocument } from "../src/openapi/api-document.ts";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The contract against the API as it runs: the document it serves covers exactly the routes it
 * serves, a client generated from it (openapi-typescript + openapi-fetch) runs the README's curl
 * flow with typed calls only, and /docs shows the reference in a real browser (offline: nothing
 * but this origin). The screenshot goes to docs/ for the README.
 */
const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));

let f: StackFixture;
let api: ReturnType<typeof createClient<paths>>;
beforeAll(async () => {
  f = await startTestStack();
  api = createClient<paths>({ baseUrl: f.stack.apiUrl, headers: { Authorization: `Bearer ${f.stack.adminKey}` } });
});
afterAll(() => f?.close());

type StartRunBody = NonNullable<paths["/v1/load-tests/{id}/runs"]["post"]["requestBody"]>["content"]["application/json"];

/** `/v1/runs/{id}` as Hono declares it, `/v1/runs/:id`. */
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

/** An app's routes as `METHOD /path`: middleware (ALL) left out, and HEAD and OPTIONS, which Hono and serviceApp answer themselves. */
const routesOf = (app: Hono): string[] =>
  app.routes.filter((r) => !["ALL", "HEAD", "OPTIONS"].includes(r.method)).map((r) => `${r.method} ${r.path}`);

/** Every operation of the document as `METHOD /path`, the path as Hono declares it. */
const operationsOf = (paths: Record<string, object>): string[] =>
  Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${honoPath(path)}`));

describe("the OpenAPI contract of the running API", () => {
  it("serves the document at /openapi.json, without a credential", async () => {
    const res = await fetch(`${f.stack.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(apiDocument());
  });

  it("documents exactly the routes the API serves", async () => {
    const { data } = await api.GET("/openapi.json");
    const documented = operationsOf(data?.paths as Record<string, object>);
    // stack.routes: the API app's (apiApp's, as `loadline api` serves it too), middleware (ALL) left out.
    const served = f.stack.routes.filter((r) => r.method !== "HEAD" && r.method !== "OPTIONS").map((r) => `${r.method} ${r.path}`);
    // A route of yours: a few lines in packages/loadline/src/openapi/routes/, then npm run docs:openapi.
    expect(
      served.filter((r) => !documented.includes(r)),
      "served, not documented",
    ).toEqual([]);
    expect(
      documented.filter((r) => !served.includes(r)),
      "documented, not served",
    ).toEqual([]);
  });

  it("documents every route the per-process services serve: the projections' read API, and every process's ops routes", async () => {
    const documented = operationsOf(apiDocument().paths);
    const nats = await testNats();
    const db = await testDatabase();
    const projections = await Projections.start({
      nc: nats.nc,
      ns: nats.ns,
      database: { url: db.url },
      log: createLogger("test", "silent"),
    });
    try {
      // As projections/src/main.ts serves them; the orchestrator, workers and agents serve the ops routes alone.
      const served = [...routesOf(projections.routes), ...routesOf(opsRoutes({ ready: () => true, registry: createRegistry("test") }))];
      expect(served.length).toBeGreaterThan(10);
      expect(
        served.filter((r) => !documented.includes(r)),
        "served, not documented",
      ).toEqual([]);
    } finally {
      await projections.stop();
      await nats.cleanup();
      await db.drop();
    }
  });

  it("runs the README's flow with a generated client: create a test, start a run, wait for its end, read its aggregate", async () => {
    const created = await api.POST("/v1/load-tests", {
      body: {
        name: "checkout",
        targetUrl: f.stack.demoTarget!.url,
        requests: [{ name: "home", method: "GET", path: "/fixed?ms=5" }],
        defaultUsers: 5,
        defaultSpawnRate: 10,
        defaultDurationSec: 2,
      },
    });
    expect(created.response.status).toBe(201);
    const loadTestId = created.data!.id;

    const started = await api.POST("/v1/load-tests/{id}/runs", { params: { path: { id: loadTestId } }, body: { targetUsers: 2 } });
    expect(started.response.status).toBe(201);
    expect(started.data).toMatchObject({ loadTestId, targetUsers: 2 });
    const runId = started.data!.id;

    const ended = await eventually(async () => {
      const { data: run } = await api.GET("/v1/runs/{id}", { params: { path: { id: runId } } });
      return run && isTerminal(run.status) && run;
    }, 30_000);
    expect(ended.status).toBe("Completed");
    // Its figures are final once every projection has applied its stream.
    await eventually(async () => (await api.GET("/v1/projections")).data?.items.every((p) => p.lag === 0), 10_000);

    const { data: aggregate, response } = await api.GET("/v1/runs/{id}/metrics/aggregate", { params: { path: { id: runId } } });
    expect(response.status).toBe(200);
    expect(aggregate!.runId).toBe(runId);
    expect(aggregate!.requests).toBeGreaterThan(0);
    expect(aggregate!.failures).toBe(0);
    expect(aggregate!.latency.p99).toBeGreaterThan(0);
    expect(aggregate!.endpoints.map((e) => e.name)).toEqual(["home"]);
  });

  it("refuses what the document refuses: an unknown key is a type error to the client and a 400 naming it to the API", async () => {
    const { data: tests } = await api.GET("/v1/load-tests", { params: { query: { limit: 1 } } });
    const id = tests!.items[0]!.id;
    const body: StartRunBody = {
      targetUsers: 2,
      // @ts-expect-error -- the document's body is strict, so the generated type has no `bogus`.
      bogus: 1,
    };
    const { error, response } = await api.POST("/v1/load-tests/{id}/runs", { params: { path: { id } }, body });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ error: { code: "invalid_request", field: "bogus" } });
  });
});

describe.skipIf(!chromiumAvailable())("the API reference at /docs, in a browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it("shows the operations in a real browser, from this origin alone", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    // Offline: anything asked of another origin is refused, and noted.
    await page.route("**/*", (route) => {
      if (route.request().url().startsWith(f.stack.apiUrl)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    await page.goto(`${f.stack.apiUrl}/docs`);
    // The first tag is open; the others open from the sidebar.
    await page.getByText("Create a load test").first().waitFor({ timeout: 30_000 });
    await page.locator('a[href="#tag/runs"]').first().click();
    await page.getByText("Start a run", { exact: true }).first().click();
    // Its body, as the route's schema has it.
    await page.getByText("targetUsers", { exact: true }).filter({ visible: true }).first().waitFor();
    await page.getByRole("heading", { name: "Start a run" }).filter({ visible: true }).first().waitFor();
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: `${DOCS}api-reference.png` });
    expect(elsewhere, "requests to other origins").toEqual([]);
    expect(problems, "console errors (a CSP refusal is one)").toEqual([]);
    await context.close();
  });
});
