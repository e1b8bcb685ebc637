import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type MetricWindow, newId } from "@loadline/core";
import { connectNats, JetStreamEventStore } from "@loadline/nats";
import { openDatabase } from "@loadline/projections";
// The read-side benchmarks' synthetic load: 20 names' histograms from a pool, varying by worker and second.
import {
  appendSeededLoadTest,
  appendSeededRun,
  histogramPool,
  publishWindow,
  rollUpSeconds,
  type SeededRun,
  type SyntheticLoad,
  syntheticRequests,
  syntheticWindow,
  syntheticWorkerIds,
} from "@loadline/projections/testing";
import { jetstream } from "@nats-io/jetstream";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The bar for the console: "It must stay fluid with a 1-hour, 20-endpoint run (3,600
 * points × several series)". A finished one-hour run of 5 workers × 20 request names is seeded
 * into the read model through the metrics projection's own rollUp (as bench/read-side and
 * bench/report do), its run page opened in Chromium, and measured: the time until every chart
 * draws its 3,600 points, the JS heap, and the frame times while the pointer hovers, drags a zoom
 * across and resets a chart. The numbers are printed; the bounds are generous (a shared CI box).
 */
const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));
const SECONDS = 3600;
const ENDPOINTS = 20;
const CHARTS = ["rps", "latency", "errors", "users"];
/**
 * Workers the run had. What the page reads does not depend on it (one merged second, twenty
 * names); seeding does, and one worker's windows roll up some 5× faster than the benchmarks' five.
 */
const WORKERS = 1;
const t00 = Date.now();
const say = (m: string) => console.log(`[${((Date.now() - t00) / 1000).toFixed(1)} s] ${m}`);

// What the callbacks below use of the page's globals (they run in the browser; this package's types have no DOM).
declare const window: {
  __frames: number[];
  __recording: boolean;
  requestAnimationFrame(cb: (t: number) => void): number;
  performance: { now(): number; memory?: { usedJSHeapSize: number } };
};
declare const localStorage: { setItem(k: string, v: string): void };
declare const document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> };

let f: StackFixture;
let browser: Browser;
let page: Page;
let cdp: CDPSession;
let runId: string;
const consoleErrors: string[] = [];

const sizeOf = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`);

beforeAll(async () => {
  f = await startTestStack();
  const who = (await (await fetch(`${f.stack.apiUrl}/v1/whoami`, { headers: { Authorization: `Bearer ${f.stack.adminKey}` } })).json()) as {
    tenantId: string;
  };
  const load: SyntheticLoad = {
    runId: newId(),
    workerIds: syntheticWorkerIds(WORKERS),
    requests: syntheticRequests(ENDPOINTS),
    pool: histogramPool({ size: 200, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 }),
    activeUsersPerWorker: 50,
  };
  runId = load.runId;
  const firstSecond = Math.floor(Date.now() / 1000) - SECONDS - 120;
  const run: SeededRun = {
    tenantId: who.tenantId,
    runId,
    workerIds: load.workerIds,
    requests: load.requests,
    usersPerWorker: load.activeUsersPerWorker,
    firstSecond,
    seconds: SECONDS,
    name: "one hour, 20 endpoints",
  };

  // The run's events through the stack's own event store and events projection.
  const nc = await connectNats(f.stack.natsUrl, "console-long-run-seed");
  try {
    const store = new JetStreamEventStore(nc, f.stack.ns);
    const { id: loadTestId } = await appendSeededLoadTest(store, run);
    await appendSeededRun(store, loadTestId, run);
    // Its seconds rolled up straight into the read model, marked as changed at the metrics
    // stream's first sequence; one window of another run then moves the metrics projection's
    // checkpoint there, so the live stream (which reads up to the checkpoint) sends them all.
    const database = await openDatabase({ url: f.databaseUrl, poolSize: 2 });
    try {
      const t0 = performance.now();
      const windows = await rollUpSeconds(database.db, who.tenantId, (w, s) => syntheticWindow(load, w, s), WORKERS, firstSecond, SECONDS, {
        chunk: 120,
        seq: 1,
        analyze: true,
      });
      say(
        `seeded ${windows} windows (${SECONDS} s × ${WORKERS} workers × ${ENDPOINTS} names) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } finally {
      await database.close();
    }
    const other: MetricWindow = { ...syntheticWindow({ ...load, runId: newId() }, 0, firstSecond) };
    await publishWindow(jetstream(nc), f.stack.ns, who.tenantId, other);
  } finally {
    await nc.drain();
  }
  await f.api.waitForProjections(30_000);
  expect((await f.api.run(runId)).status).toBe("Completed");

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("console", (m) => {
    // A failed load is said by the response below, with its address.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) consoleErrors.push(`${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("Network.enable");
  mkdirSync(DOCS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

/** The live stream's bytes for this run, as a client with no last id reads it (whole: the run is over, the stream ends). */
async function streamBytes(endpoints: boolean): Promise<number> {
  const res = await fetch(`${f.stack.apiUrl}/v1/runs/${runId}/live${endpoints ? "" : "?endpoints=false"}`, {
    headers: { Authorization: `Bearer ${f.stack.adminKey}`, Accept: "text/event-stream" },
    signal: AbortSignal.timeout(60_000),
  });
  return (await res.arrayBuffer()).byteLength;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

describe.skipIf(!chromiumAvailable())("the console with a one-hour, 20-endpoint run", () => {
  it("shows the whole run quickly, in little memory, and stays fluid while a chart is explored", async () => {
    // Signed in (the credential where the console keeps it), then the run page opened cold.
    await page.goto(`${f.stack.apiUrl}/`);
    await page.evaluate((key) => localStorage.setItem("loadline.credential", key), f.stack.adminKey);
    await page.goto("about:blank");
    // The run's stream as the page reads it: its bytes, when its first came and when it ended.
    // Every request for it counts (the page resumes a dropped stream by its last id), and its last
    // byte is the last data received: loadingFinished may come late, or not at all for a stream cut short.
    const stream = { ids: new Set<string>(), bytes: 0, sentAt: 0, firstAt: 0, endAt: 0 };
    cdp.on("Network.requestWillBeSent", (e) => {
      if (!e.request.url.includes(`/runs/${runId}/live`)) return;
      stream.ids.add(e.requestId);
      stream.sentAt ||= Date.now();
    });
    cdp.on("Network.dataReceived", (e) => {
      if (!stream.ids.has(e.requestId)) return;
      stream.firstAt ||= Date.now();
      stream.endAt = Date.now();
      stream.bytes += e.dataLength;
    });
    const started = Date.now();
    await page.goto(`${f.stack.apiUrl}/#/runs/${runId}`);
    const drawn = () => page.$$eval("[data-chart] .chart-host", (els) => els.map((el) => el.getAttribute("data-points")));
    await page
      .waitForFunction(
        ([charts, n]) => {
          const drawn = Array.from(document.querySelectorAll("[data-chart] .chart-host")).map((el) => el.getAttribute("data-points"));
          return drawn.length === charts && drawn.every((p) => p === String(n));
        },
        [CHARTS.length, SECONDS] as const,
        { timeout: 30_000 },
      )
      .catch(async (err: Error) => {
        throw new Error(`${err.message}: the charts draw ${JSON.stringify(await drawn())} points`);
      });
    const chartsAt = Date.now();
    const chartsMs = chartsAt - started;
    await page.locator('[data-phase="ended"]').waitFor();
    await page
      .locator("[data-endpoints] tbody tr")
      .nth(ENDPOINTS - 1)
      .waitFor();
    const readyMs = Date.now() - started;
    expect(await page.locator("[data-endpoints] tbody tr").count()).toBe(ENDPOINTS);

    // The heap once the page settled, as the page sees it and after a full collection.
    const heapSeen = await page.evaluate(() => window.performance.memory?.usedJSHeapSize ?? 0);
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    const heapUsed = metric("JSHeapUsedSize");
    const nodes = metric("Nodes");

    // Frames while the pointer sweeps the latency chart for 2 s, drags a zoom and resets it.
    const chart = page.locator('[data-chart="latency"] .u-over');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.evaluate(() => {
      window.__frames = [];
      window.__recording = true;
      let last = window.performance.now();
      const tick = (t: number) => {
        window.__frames.push(t - last);
        last = t;
        if (window.__recording) window.requestAnimationFrame(tick);
      };
      window.requestAnimationFrame(tick);
    });
    const y = box.y + box.height / 2;
    const sweepEnd = Date.now() + 2000;
    for (let i = 0; Date.now() < sweepEnd; i++) {
      const x = box.x + 2 + ((i * 7) % Math.floor(box.width - 4));
      await page.mouse.move(x, y + ((i % 20) - 10));
    }
    // A zoom: drag across a quarter of the chart; then back out by double click.
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, y, { steps: 20 });
    await page.mouse.up();
    for (let i = 0; i < 60; i++) await page.mouse.move(box.x + box.width * 0.2 + i * 8, y);
    await page.mouse.dblclick(box.x + box.width / 2, y);
    for (let i = 0; i < 60; i++) await page.mouse.move(box.x + box.width * 0.8 - i * 8, y);
    const frames = await page.evaluate(() => {
      window.__recording = false;
      return window.__frames.slice(1);
    });
    const p95 = percentile(frames, 95);
    const worst = Math.max(...frames);

    await page.mouse.move(box.x + box.width * 0.62, y);
    await page.screenshot({ path: `${DOCS}console-long-run.png`, fullPage: true });

    // The stream as the page reads it, and as it would with every second's per-endpoint figures.
    const [full, totals] = [await streamBytes(true), await streamBytes(false)];
    console.log(
      [
        `one-hour run, ${WORKERS} worker(s) × ${ENDPOINTS} names, finished: its run page in Chromium`,
        `  live stream: ${sizeOf(full)} with per-endpoint seconds, ${sizeOf(totals)} with ?endpoints=false (${(full / totals).toFixed(1)}×); the page read ${sizeOf(stream.bytes)}`,
        `  the server: stream asked ${stream.sentAt - started} ms after navigation, first byte ${stream.firstAt - stream.sentAt} ms later, last ${stream.endAt - stream.sentAt} ms after asking`,
        `  the page: charts at ${SECONDS} points ${chartsAt - stream.endAt} ms after the stream's last byte`,
        `  charts at ${SECONDS} points: ${chartsMs} ms after navigation; page ready (ended, ${ENDPOINTS} endpoints): ${readyMs} ms`,
        `  JS heap: ${sizeOf(heapSeen)} (performance.memory), ${sizeOf(heapUsed)} after GC (CDP); ${nodes} DOM nodes`,
        `  frames while hovering, zooming, resetting: ${frames.length} frames, p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${worst.toFixed(1)} ms`,
      ].join("\n"),
    );

    expect(totals * 5).toBeLessThan(full);
    // The page's own share (the stream's end to every chart drawn), and the whole wait, most of
    // which is the server reading the hour before it sends the first second.
    expect(chartsAt - stream.endAt).toBeLessThan(1500);
    expect(readyMs).toBeLessThan(10_000);
    expect(heapUsed).toBeLessThan(64 * 1024 * 1024);
    expect(frames.length).toBeGreaterThan(30);
    expect(p95).toBeLessThan(50);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
