import { fileURLToPath } from "node:url";
import { type AggregateView, type MetricWindow, newId } from "@loadline/core";
import { connectNats } from "@loadline/nats";
import { publishWindow } from "@loadline/projections/testing";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { formatSummary } from "../src/summary.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * Issue 24 on the stack: the worker's windows carry the generator's health, the read side keeps
 * it per worker and second, and the run's aggregate and summary say when the generator itself
 * saturated a second (packages/worker/src/generator-health.test.ts forces that in the engine).
 */
let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f?.close());

describe("the generator's health in the run's record", () => {
  it("is measured every second of a quiet run and warns of nothing; a saturated window from NATS is named in the aggregate and the summary", async () => {
    const test = await f.api.createLoadTest({
      name: "generator health",
      targetUrl: f.stack.demoTarget!.url,
      scenarios: [
        {
          name: "open",
          weight: 1,
          variables: {},
          executor: { type: "constant-arrival-rate", rate: 20, timeUnitSec: 1, durationSec: 3, preAllocatedVUs: 4, maxVUs: 8 },
          steps: [{ type: "request", name: "fixed", method: "GET", url: "/fixed?ms=1", timeoutMs: 10_000, checks: [], extract: [] }],
        },
      ],
      defaultUsers: 1,
      defaultSpawnRate: 1,
      defaultDurationSec: 3,
    });
    const started = await f.api.startRun(test.id, {});
    const run = await f.api.waitForEnd(started.id, 30_000);
    expect(run.status, run.reason ?? "").toBe("Completed");
    await f.api.waitForProjections(15_000);
    const quiet = await f.api.aggregate(run.id);
    expect(quiet.generator, JSON.stringify(quiet.generator)).toMatchObject({ saturatedSeconds: 0 });
    const [worker] = quiet.generator!.workers;
    expect(quiet.generator!.workers).toHaveLength(1);
    expect(worker!.seconds).toBeGreaterThanOrEqual(3);
    expect(worker!.timerSlipP95Ms).not.toBeNull(); // an open executor's arrivals were measured
    expect(worker!.busy).toBeGreaterThan(0);
    expect(formatSummary(run, quiet)).not.toMatch(/SATURATED/);

    // A second of another worker of the run, saturated, as it arrives on NATS (no request in it).
    const second = Math.floor(Date.parse(quiet.from!) / 1000) + 1;
    const saturated: MetricWindow = {
      runId: run.id,
      workerId: `w-${newId().slice(-6)}`,
      second,
      activeUsers: 8,
      requests: [],
      iterations: 0,
      droppedIterations: 0,
      checksPassed: 0,
      checksFailed: 0,
      generator: {
        loopDelayP95Ms: 75,
        loopDelayMaxMs: 90,
        timerSlipP95Ms: 81,
        timerSlipMaxMs: 95,
        gcPauseMs: 4,
        busy: 0.99,
        saturated: true,
      },
    };
    const nc = await connectNats(f.stack.natsUrl, "generator-health-test");
    try {
      await publishWindow(jetstream(nc), f.stack.ns, run.tenantId, saturated);
    } finally {
      await nc.drain();
    }
    await f.api.waitForProjections(15_000);
    const total = await f.api.aggregate(run.id);
    expect(total.requests).toBe(quiet.requests); // the window added no request
    expect(total.generator!.saturatedSeconds).toBe(1);
    const hog = total.generator!.workers.find((w) => w.workerId === saturated.workerId);
    expect(hog).toMatchObject({ seconds: 1, saturatedSeconds: 1, saturated: [new Date(second * 1000).toISOString()], busy: 0.99 });
    // Only the workers asked for: the quiet one alone says nothing.
    const res = await f.api.fetch(`/v1/runs/${run.id}/metrics/aggregate?workers=${worker!.workerId}`);
    const own = (await res.json()) as AggregateView;
    expect(own.generator!.saturatedSeconds).toBe(0);
    const summary = formatSummary(run, total);
    expect(summary).toMatch(/GENERATOR SATURATED: 1 worker-second/);
    expect(summary).toContain(`  ${saturated.workerId}: 1 of 1 s from ${new Date(second * 1000).toISOString()}`);

    // The console's run page says it too, in a real browser.
    if (!chromiumAvailable()) return;
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await page.goto(`${f.stack.apiUrl}/`);
      await page.fill("#key", f.stack.adminKey);
      await page.click("button[type=submit]");
      await page.locator("[data-who]").waitFor();
      await page.goto(`${f.stack.apiUrl}/#/runs/${run.id}`);
      const warning = page.locator("[data-generator-saturated]");
      await warning.waitFor({ timeout: 15_000 });
      expect(await warning.getAttribute("data-generator-saturated")).toBe("1");
      expect(await warning.innerText()).toContain(`${saturated.workerId}: 1 of 1 s, the first at`);
      await page.screenshot({ path: fileURLToPath(new URL("../../../docs/console-generator-saturated.png", import.meta.url)) });
    } finally {
      await browser.close();
    }
  });
});
