import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunReport, runReportSchema, sleep } from "@loadline/core";
import { createLogger, loadConfig } from "@loadline/service";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { report } from "../src/commands/report.ts";
import { run } from "../src/commands/run.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * Reports of a real run against the demo target, in every format, through the API; the HTML one
 * rendered by headless Chromium, which must draw every chart (the screenshot is left in
 * /tmp/report-screenshot.png to look at).
 */
const SCREENSHOT = "/tmp/report-screenshot.png";

// What the callbacks below use of the page's globals (they run in the browser; this package's types have no DOM).
type Box = { width: number; height: number };
type El = {
  nodeName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
  getBBox(): Box;
  getBoundingClientRect(): Box;
  getTotalLength(): number;
};
declare const document: El;
declare const DOMParser: new () => { parseFromString(text: string, type: string): El & { documentElement: El } };
const CHARTS = ["rps", "latency", "errors", "users", "distribution"] as const;

let f: StackFixture;
let browser: Browser;
let runId: string;
const dir = mkdtempSync(join(tmpdir(), "loadline-report-"));
const log = createLogger("test", "silent");
const ctx = () => ({ config: loadConfig({}), log, port: 0, dataDir: f.dataDir });

const spec = () => ({
  name: "report <e2e>",
  targetUrl: f.stack.demoTarget!.url,
  scenarios: [
    {
      name: "browse",
      steps: [
        { type: "request", name: "fixed", method: "GET", url: "/fixed?ms=20", checks: [{ type: "status", in: [200] }] },
        { type: "request", name: "error", method: "GET", url: "/error?rate=0.2&ms=5", checks: [{ type: "status", in: [200] }] },
        { type: "request", name: "random", method: "GET", url: "/random?min=5&max=40", checks: [{ type: "latency", belowMs: 25 }] },
      ],
    },
  ],
  defaultUsers: 8,
  defaultSpawnRate: 100,
  defaultDurationSec: 5,
  thresholds: { "latency{name:fixed}": ["p(95) < 5000"], "error_rate{name:error}": ["rate < 0.05"] },
});

/** The run once its verdict is in (its thresholds judged after its last windows). */
async function judged(id: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (((await f.api.run(id)) as { verdict?: string }).verdict === "pending") {
    if (Date.now() > deadline) throw new Error(`run ${id} not judged after 20 s`);
    await sleep(200);
  }
}

const get = (format: string) => f.api.fetch(`/v1/runs/${runId}/report?format=${format}`);

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error(`these tests need Chromium at ${CHROMIUM_PATH} (Debian: apt-get install -y chromium)`);
  [f, browser] = await Promise.all([startTestStack(), launchChromium()]);
  const test = await f.api.createLoadTest(spec() as never);
  const started = await f.api.startRun(test.id);
  runId = started.id;
  await f.api.waitForEnd(runId, 60_000);
  await f.api.waitForProjections(10_000);
  await judged(runId);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function page(): Promise<Page> {
  return browser.newPage({ viewport: { width: 1280, height: 900 } });
}

describe("GET /v1/runs/{id}/report", () => {
  it("answers JSON the schema accepts, with the run's figures, thresholds and checks", async () => {
    const started = performance.now();
    const res = await get("json");
    const tookMs = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="loadline-${runId}.json"`);
    const body: RunReport = runReportSchema.parse(await res.json());
    const aggregate = await f.api.aggregate(runId);
    expect(body.run).toMatchObject({ id: runId, status: "Completed", verdict: "failed" });
    expect(body.summary.requests).toBe(aggregate.requests);
    expect(body.summary.latency).toEqual(aggregate.latency);
    expect(body.endpoints.map((e) => e.name).sort()).toEqual(["error", "fixed", "random"]);
    expect(body.timeseries.points.length).toBeGreaterThanOrEqual(5);
    expect(body.timeseries.points.reduce((n, p) => n + p.requests, 0)).toBe(aggregate.requests);
    expect(body.latencyDistribution.requests).toBe(aggregate.requests);
    expect(body.thresholds.map((t) => [t.metric, t.passed])).toEqual([
      ["latency{name:fixed}", true],
      ["error_rate{name:error}", false],
    ]);
    expect(body.checks.failed).toBeGreaterThan(0);
    expect(body.checks.requests.map((c) => [c.name, c.checks])).toEqual([
      ["fixed", ["status in 200"]],
      ["error", ["status in 200"]],
      ["random", ["latency < 25 ms"]],
    ]);
    expect(body.test?.name).toBe("report <e2e>");
    expect(body.workers.length).toBeGreaterThan(0);
    expect(tookMs).toBeLessThan(2000);
  });

  it("answers CSV: the timeseries and the endpoints, each under its header row", async () => {
    const res = await get("csv");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="loadline-${runId}.csv"`);
    const lines = (await res.text()).split("\r\n");
    expect(lines[0]).toMatch(/^time,elapsed_s,requests,failures,rps,error_rate,p50_ms,/);
    const blank = lines.indexOf("");
    expect(blank).toBeGreaterThan(5);
    expect(lines[blank + 1]).toMatch(/^name,method,requests,failures,error_rate,rps,p50_ms,/);
    expect(lines.slice(blank + 2, blank + 6).map((l) => l.split(",")[0])).toEqual(["error", "fixed", "random", "(all requests)"]);
  });

  it("answers JUnit XML with a test case per threshold and per check, failing the broken ones", async () => {
    const res = await get("junit");
    expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="loadline-${runId}.xml"`);
    const xml = await res.text();
    const p = await page();
    try {
      // The browser's own XML parser: what a CI system reads must be well-formed.
      const parsed = await p.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, "application/xml");
        if (doc.querySelector("parsererror")) return { error: doc.querySelector("parsererror")!.textContent };
        return {
          root: doc.documentElement.nodeName,
          cases: [...doc.querySelectorAll("testcase")].map((c) => ({
            classname: c.getAttribute("classname"),
            name: c.getAttribute("name"),
            failed: c.querySelector("failure") !== null,
          })),
        };
      }, xml);
      expect(parsed).toMatchObject({ root: "testsuites" });
      expect(parsed.cases).toEqual([
        { classname: "loadline.run", name: "run completed", failed: false },
        { classname: "loadline.thresholds", name: "latency{name:fixed}: p(95) < 5000", failed: false },
        { classname: "loadline.thresholds", name: "error_rate{name:error}: rate < 0.05", failed: true },
        { classname: "loadline.checks", name: "checks", failed: true },
        { classname: "loadline.checks", name: "GET fixed: status in 200", failed: false },
        { classname: "loadline.checks", name: "GET error: status in 200", failed: expect.any(Boolean) },
        { classname: "loadline.checks", name: "GET random: latency < 25 ms", failed: true },
      ]);
    } finally {
      await p.close();
    }
  });

  it("answers one self-contained HTML page whose every chart draws in headless Chromium", async () => {
    const res = await get("html");
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="loadline-${runId}.html"`);
    const html = await res.text();
    const p = await page();
    try {
      const requested: string[] = [];
      p.on("request", (r) => requested.push(r.url()));
      await p.setContent(html, { waitUntil: "load" });
      await p.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(requested).toEqual([]); // nothing fetched: it opens offline
      expect(await p.title()).toContain("report <e2e>");
      expect(await p.locator("[data-verdict]").getAttribute("data-verdict")).toBe("failed");
      for (const id of CHARTS) {
        const drawn = await p.evaluate((chart) => {
          const svg = document.querySelector(`svg[data-chart="${chart}"]`);
          if (!svg) return null;
          const lines = [...svg.querySelectorAll("path.line")];
          const box = svg.querySelector("g.series")?.getBBox();
          const shown = svg.getBoundingClientRect();
          return {
            lines: lines.length,
            ds: lines.map((l) => (l.getAttribute("d") ?? "").length),
            lengths: lines.map((l) => l.getTotalLength()),
            box: box ? { width: box.width, height: box.height } : null,
            shown: { width: shown.width, height: shown.height },
          };
        }, id);
        expect(drawn, id).not.toBeNull();
        expect(drawn!.lines, id).toBeGreaterThan(0);
        for (const d of drawn!.ds) expect(d, id).toBeGreaterThan(10);
        for (const length of drawn!.lengths) expect(length, id).toBeGreaterThan(0);
        expect(drawn!.box!.width, id).toBeGreaterThan(0);
        expect(drawn!.box!.height, id).toBeGreaterThan(0);
        expect(drawn!.shown.width, id).toBeGreaterThan(200);
        expect(drawn!.shown.height, id).toBeGreaterThan(80);
      }
      const tables = await p.evaluate(() => document.querySelectorAll("#endpoints tbody tr").length);
      expect(tables).toBe(3);
    } finally {
      await p.close();
    }
  });

  it("answers the HTML printed as PDF", async () => {
    const res = await get("pdf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="loadline-${runId}.pdf"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(10_000);
  }, 30_000);

  it("refuses an unknown format naming it, and an unknown run", async () => {
    const bad = await get("docx");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("format");
    const missing = await f.api.fetch("/v1/runs/nope/report?format=json");
    expect(missing.status).toBe(404);
  });
});

describe("the CLI", () => {
  it("loadline report writes a run's report, its format from --format or the file's extension", async () => {
    const xml = join(dir, "junit.xml");
    expect(await report(ctx(), runId, { out: xml, apiUrl: f.stack.apiUrl })).toBe(0);
    expect(readFileSync(xml, "utf8")).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    const json = join(dir, "report.out");
    expect(await report(ctx(), runId, { out: json, format: "json", apiUrl: f.stack.apiUrl })).toBe(0);
    expect(runReportSchema.parse(JSON.parse(readFileSync(json, "utf8"))).run.id).toBe(runId);
    expect(await report(ctx(), runId, { out: json, format: "docx", apiUrl: f.stack.apiUrl })).toBe(2);
    expect(await report(ctx(), "nope", { out: json, apiUrl: f.stack.apiUrl })).toBe(1);
  });

  it("loadline run --report FILE writes the report of the run it made", async () => {
    const file = join(dir, "test.json");
    const { thresholds: _, ...plain } = spec();
    writeFileSync(file, JSON.stringify({ ...plain, name: "run --report", defaultDurationSec: 2, defaultUsers: 2 }));
    const html = join(dir, "report.html");
    expect(await run(ctx(), file, f.stack.apiUrl, html)).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain("<h1>run --report</h1>");
    expect(await run(ctx(), file, f.stack.apiUrl, join(dir, "report.docx"))).toBe(2);
  }, 60_000);
});
