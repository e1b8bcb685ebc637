import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CONSOLE_RUN_STATUSES, type ConsoleRunView } from "@loadline/console";
import { RUN_STATUSES, type RunView, sleep } from "@loadline/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The web console in a real browser (Debian's chromium, headless): sign in, write a test in the
 * YAML editor (its refusal shown at the field), start it with an override, watch the live chart
 * move and the counters grow, stop it, see it end. Screenshots go to docs/ for the README.
 */
const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));

// What the callbacks below use of the page's globals (they run in the browser; this package's types have no DOM).
type El = { textContent: string | null; toDataURL(): string };

let f: StackFixture;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** A counter's figure as a number ("1,234" → 1234, "1.2M" → 1200000; "–" → NaN). */
async function counter(id: string): Promise<number> {
  const text = (await page.locator(`[data-counter="${id}"]`).textContent()) ?? "";
  const m = /^([\d,.]+)\s*([MG]?)/.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]!.replaceAll(",", "")) * (m[2] === "M" ? 1e6 : m[2] === "G" ? 1e9 : 1);
}
const chartPixels = (id: string) => page.$eval(`[data-chart="${id}"] canvas`, (c) => (c as unknown as El).toDataURL());

/** The console's run type takes core's run view (tsc holds it): every field the page reads is the API's, of its type. */
const asConsoleRun = (view: RunView): ConsoleRunView => view;

/** Waits (bounded) until `check` holds, polling. */
async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await sleep(200);
    last = await read();
  }
  return last;
}

const testFile = (target: string, path: string) => `name: checkout flow
description: Home, a product, a flaky search
tags: [shop, smoke]
targetUrl: ${target}
scenarios:
  - name: browse
    steps:
      - { type: request, name: home, method: GET, url: /fixed?ms=15, checks: [{ type: status, in: [200] }] }
      - { type: request, name: product, method: GET, url: /random?min=5&max=60, checks: [{ type: latency, belowMs: 50 }] }
      - { type: request, name: search, method: GET, url: ${path}, checks: [{ type: status, in: [200] }] }
defaultUsers: 4
defaultSpawnRate: 50
defaultDurationSec: 60
thresholds:
  latency: ["p(95) < 2000"]
  "error_rate{name:search}": ["rate < 0.5"]
`;

beforeAll(async () => {
  f = await startTestStack();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (m) => {
    // The refusals the flow provokes (a wrong key, a bad test) are logged by the browser as failed loads: not faults.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  mkdirSync(DOCS, { recursive: true });
  // Two more tests, so that the list shows what a list shows.
  const target = f.stack.demoTarget!.url;
  await f.api.createLoadTest({
    name: "login storm",
    description: "Sign-in under a spike",
    tags: ["auth"],
    targetUrl: target,
    requests: [{ name: "login", method: "GET", path: "/fixed?ms=5" }],
    defaultUsers: 200,
    defaultSpawnRate: 50,
    defaultDurationSec: 600,
  });
  await f.api.createLoadTest({
    name: "catalogue soak",
    tags: ["shop", "soak"],
    targetUrl: target,
    requests: [{ name: "list", method: "GET", path: "/random?min=1&max=9" }],
    defaultUsers: 50,
    defaultSpawnRate: 5,
    defaultDurationSec: 3600,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe.skipIf(!chromiumAvailable())("the web console, in a browser", () => {
  it("signs in, makes a test in the editor, runs it live, stops it and shows the end", async () => {
    const target = f.stack.demoTarget!.url;
    const res = await page.goto(f.stack.apiUrl + "/");
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");

    // Sign in: a wrong key is refused in place, the admin key lets in.
    await page.fill("#key", "ll_not-a-key");
    await page.click("button[type=submit]");
    await page.locator(".error-box").waitFor();
    await page.fill("#key", f.stack.adminKey);
    await page.click("button[type=submit]");
    await page.locator("[data-who]").waitFor();
    expect(await page.locator("[data-who]").textContent()).toContain("default");

    // A new test: first with a path the API refuses, shown at its field and line; then fixed.
    await page.click("[data-new-test]");
    await page.locator("[data-yaml-editor]").fill(testFile(target, "search?rate=0.1"));
    await page.click("[data-save]");
    const field = await page.locator("[data-problem-field]").textContent();
    expect(field).toMatch(/^scenarios\.0\.steps\.2\.url/);
    expect(await page.locator("[data-problem]").textContent()).toContain("line 10");
    await page.screenshot({ path: `${DOCS}console-editor.png` });
    await page.locator("[data-yaml-editor]").fill(testFile(target, "/error?rate=0.1&ms=5"));
    await page.click("[data-save]");
    await page.waitForURL(/#\/tests\/[\w-]+$/);
    await page.locator("[data-start]").waitFor();

    // Start it with an override: 6 users rather than the test's 4.
    await page.fill("input[name=targetUsers]", "6");
    await page.click("[data-start]");
    await page.waitForURL(/#\/runs\/[\w-]+$/);
    const runId = page.url().split("/").pop()!;
    await page.locator('[data-phase="live"]').waitFor();
    await until(
      "status",
      () => page.locator("[data-status]").first().getAttribute("data-status"),
      (s) => s === "Running",
    );

    // Live: the counters grow and the chart moves.
    const requests1 = await until(
      "requests",
      () => counter("requests"),
      (n) => n > 0,
    );
    const rps = await until(
      "rps",
      () => counter("rps"),
      (n) => n > 0,
    );
    const pixels1 = await chartPixels("rps");
    await sleep(3000);
    const requests2 = await until(
      "requests",
      () => counter("requests"),
      (n) => n > requests1,
    );
    expect(requests2).toBeGreaterThan(requests1);
    expect(rps).toBeGreaterThan(0);
    expect(await counter("users")).toBe(6);
    expect(await chartPixels("rps")).not.toBe(pixels1);
    await until(
      "endpoints",
      () => page.locator("[data-endpoints] tbody tr").count(),
      (n) => n === 3,
    );
    // A few more seconds on the charts for the README's picture.
    await until(
      "elapsed",
      () => counter("elapsed"),
      (n) => n >= 12,
      30_000,
    );
    await page.screenshot({ path: `${DOCS}console-run.png`, fullPage: true });

    // The fleet, meanwhile, in another tab: the worker busy with the run's lanes.
    const fleet = await page.context().newPage();
    await fleet.goto(`${f.stack.apiUrl}/#/fleet`);
    await fleet.locator(`[data-fleet] a[href="#/runs/${runId}"]`).waitFor();
    await fleet.screenshot({ path: `${DOCS}console-fleet.png` });
    await fleet.close();

    // Stop: it ends, with its verdict, and the page holds the final figures.
    await page.click("[data-stop]");
    const status = await until(
      "status",
      () => page.locator("[data-status]").first().getAttribute("data-status"),
      (s) => s === "Cancelled" || s === "Completed",
      30_000,
    );
    await page.locator('[data-phase="ended"]').waitFor({ timeout: 30_000 });
    const verdict = await until(
      "verdict",
      () => page.locator("[data-verdict]").first().getAttribute("data-verdict"),
      (v) => v !== "pending",
      30_000,
    );
    expect(["passed", "failed"]).toContain(verdict);
    const finalRequests = await counter("requests");
    expect(finalRequests).toBeGreaterThanOrEqual(requests2);
    const run = await f.api.run(runId);
    expect(run.status).toBe(status);
    expect(run.targetUsers).toBe(6);

    // A finished run's page is the same from the read model: reload it, the figures are there.
    await page.reload();
    await page.locator('[data-phase="ended"]').waitFor();
    expect(await counter("requests")).toBe(finalRequests);
    await page.locator("[data-report=html]").waitFor();
    await page.screenshot({ path: `${DOCS}console-run-final.png`, fullPage: true });

    // The lists, the fleet and the projections.
    await page.click('[data-nav="tests"]');
    await page.locator('[data-test-row="checkout flow"]').waitFor();
    expect(await page.locator("[data-tests-table] tbody tr").count()).toBe(3);
    await page.screenshot({ path: `${DOCS}console-tests.png` });
    await page.fill("[data-test-search]", "soak");
    await until(
      "search",
      () => page.locator("[data-tests-table] tbody tr").count(),
      (n) => n === 1,
    );

    await page.click('[data-nav="runs"]');
    await page.locator("[data-runs-table] tbody tr").first().waitFor();
    // The list follows the tenant's run changes by push (it no longer polls): a run started
    // elsewhere comes in at the top, and its state moves on in place until it ends.
    const rows = await page.locator("[data-runs-table] tbody tr").count();
    const login = (await f.api.loadTestNamed("login storm"))!;
    const other = await f.api.startRun(login.id, { targetUsers: 1, durationSec: 2 });
    await page.locator(`[data-runs-table] a[href="#/runs/${other.id}"]`).waitFor();
    expect(await page.locator("[data-runs-table] tbody tr").count()).toBe(rows + 1);
    await until(
      "pushed status",
      () => page.locator(`[data-runs-table] tr:has(a[href="#/runs/${other.id}"]) [data-status]`).getAttribute("data-status"),
      (s) => s === "Completed",
      30_000,
    );

    await page.click('[data-nav="fleet"]');
    await page.locator("[data-fleet] tbody tr").first().waitFor();

    await page.click('[data-nav="projections"]');
    await until(
      "projections",
      () => page.locator("[data-projections] tbody tr").count(),
      (n) => n >= 2,
    );
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  it("shows a queued run's place, pauses, resumes and scales a run from its page, annotates the charts, and cancels it", async () => {
    expect([...CONSOLE_RUN_STATUSES]).toEqual([...RUN_STATUSES]);
    const target = f.stack.demoTarget!.url;
    const test = await f.api.createLoadTest({
      name: "live control",
      description: "Paused, resumed and scaled from the console",
      tags: ["control"],
      targetUrl: target,
      requests: [{ name: "home", method: "GET", path: "/fixed?ms=10" }],
      defaultUsers: 2,
      defaultSpawnRate: 50,
      defaultDurationSec: 1800,
    });
    const run = await f.api.startRun(test.id, { targetUsers: 2, durationSec: 1800 });
    const status = () => page.locator("[data-status]").first().getAttribute("data-status");
    const detail = (name: string) => page.locator(`[data-detail="${name}"] dd`).textContent();
    const rpsMarks = page.locator('[data-chart="rps"] .chart-host');

    await page.goto(`${f.stack.apiUrl}/#/runs/${run.id}`);
    await until("status", status, (s) => s === "Running", 30_000);
    await until(
      "requests",
      () => counter("requests"),
      (n) => n > 0,
    );
    // A closed-model test: it is scaled in VUs, and no control was made yet.
    expect(await page.locator("[data-scale-unit]").getAttribute("data-scale-unit")).toBe("vus");
    expect(await page.locator("[data-controls]").count()).toBe(0);
    expect(await rpsMarks.getAttribute("data-annotations")).toBe("0");
    await sleep(3000);

    // Pause: the page offers Resume and says it is paused; the API says so too.
    await page.click("[data-pause]");
    await page.locator("[data-resume]").waitFor();
    await page.locator("[data-paused]").waitFor();
    expect(await page.locator("[data-pause]").count()).toBe(0);
    expect((await f.api.run(run.id)).pausedAt).not.toBeNull();
    expect(await detail("Paused since")).toMatch(/\d\d:\d\d:\d\d$/);
    await sleep(3000);

    // Resume: Pause again, the badge gone.
    await page.click("[data-resume]");
    await page.locator("[data-pause]").waitFor();
    await page.locator("[data-paused]").waitFor({ state: "detached" });
    expect((await f.api.run(run.id)).pausedAt).toBeNull();
    await sleep(2000);

    // A size the API refuses: its message and field beside the form; then a good one.
    await page.fill("input[name=scale]", "20000000");
    await page.click("[data-scale-submit]");
    expect(await page.locator("[data-action-error]").textContent()).toContain("(vus)");
    await page.fill("input[name=scale]", "3");
    await page.click("[data-scale-submit]");
    await page.locator("[data-action-error]").waitFor({ state: "detached" });
    await until(
      "input cleared",
      () => page.inputValue("input[name=scale]"),
      (v) => v === "",
    );

    // The control, listed in order and drawn on every chart as a labelled line.
    const rows = await until(
      "controls",
      () =>
        page
          .locator("[data-controls] tr")
          .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { control: string } }).dataset.control)),
      (r) => r.length === 3,
    );
    expect(rows).toEqual(["paused", "resumed", "scaled"]);
    expect(await page.locator('[data-control="scaled"]').textContent()).toContain("scaled to 3 VUs");
    for (const chart of ["rps", "latency", "errors", "users"]) {
      const host = page.locator(`[data-chart="${chart}"] .chart-host`);
      await until(
        `${chart} annotations`,
        () => host.getAttribute("data-annotations"),
        (n) => n === "3",
      );
      expect(await host.getAttribute("data-annotation-labels")).toBe("paused|resumed|scaled to 3 VUs");
    }
    const view = await f.api.run(run.id);
    expect(view.controls.map((c) => c.type)).toEqual(["paused", "resumed", "scaled"]);
    expect(view.controls[2]).toMatchObject({ vus: 3 });
    expect(asConsoleRun(view).controls).toHaveLength(3);

    // Meanwhile, with room for one run only, another waits in the queue: its page says where, since when and why; it is cancelled there.
    const limits = await f.api.fetch("/v1/tenants/default/limits", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ quotas: { maxConcurrentRuns: 1 } }),
    });
    expect(limits.status).toBe(200);
    const waiting = await f.api.startRun(test.id, { targetUsers: 1, durationSec: 60 });
    const queued = await until(
      "queued",
      () => f.api.run(waiting.id),
      (r) => r.status === "Queued",
    );
    expect(queued.queue).toMatchObject({ position: 1 });
    const other = await page.context().newPage();
    await other.goto(`${f.stack.apiUrl}/#/runs/${waiting.id}`);
    await other.locator("[data-queue]").waitFor();
    expect(await other.locator("[data-queue]").textContent()).toContain("#1 in line");
    expect(await other.locator("[data-queue-reason]").textContent()).toBe(queued.queue!.reason);
    expect(await other.locator("[data-live-control]").count()).toBe(0);
    await other.screenshot({ path: `${DOCS}console-run-queued.png` });
    await other.click("[data-stop]");
    await other.locator('[data-status="Cancelled"]').waitFor();
    expect(await other.locator('[data-detail="Cancelled by"] dd').textContent()).toBe((await f.api.run(waiting.id)).cancelledBy);
    await other.close();
    const reset = await f.api.fetch("/v1/tenants/default/limits", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(reset.status).toBe(200);

    // A few more seconds at the new size, for the picture.
    await sleep(4000);
    await page.screenshot({ path: `${DOCS}console-run-control.png`, fullPage: true });

    // Stop before its planned end: Cancelled, by whom, and how long it ran.
    await page.click("[data-stop]");
    await until("status", status, (s) => s === "Cancelled", 30_000);
    await page.locator('[data-phase="ended"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("[data-live-control]").count()).toBe(0);
    const ended = await f.api.run(run.id);
    expect(ended.status).toBe("Cancelled");
    expect(ended.cancelledBy).toBeTruthy();
    expect(await detail("Cancelled by")).toBe(ended.cancelledBy);
    expect(await detail("Ran")).toMatch(/^\d+s of 30m 00s$/);
    // The control stays listed and drawn once it ended.
    expect(await page.locator("[data-controls] tr").count()).toBe(3);
    expect(await rpsMarks.getAttribute("data-annotations")).toBe("3");
    expect(consoleErrors).toEqual([]);
  }, 180_000);
});
