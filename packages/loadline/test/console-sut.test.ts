import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "@loadline/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../src/report-pdf.ts";
import { type Service, startService, stopService, waitReady } from "../src/testing/index.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The system under test in the console, in a real browser (Debian's chromium, headless): a run of
 * a test whose `sut` is the demo target's agents, with a timeline step that has a real agent
 * process slow the target 2 s in. Its page draws the SUT's charts on the run's clock, the action
 * as a labelled marker on every chart, and its outcome in the actions table; the fleet page lists
 * the tenant's agents, one of them lost. Screenshots go to docs/. Traffic goes to 127.0.0.1 only.
 */
const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));
const CHAOS_AGENT = "sut-chaos-1";
const GONE_AGENT = "cache-1";

/** POSTs {ms, forSec} to the target's control endpoint (argv[1]); exits 1 when refused (as agent-timeline.test.ts). */
const SLOW_SCRIPT = [
  "const [url, ms, sec] = process.argv.slice(1);",
  "fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: Number(ms), forSec: Number(sec) }) })",
  "  .then(async (r) => { console.log(r.status, await r.text()); if (!r.ok) process.exit(1); })",
  "  .catch((e) => { console.error(String(e)); process.exit(1); });",
].join("\n");

let f: StackFixture;
let browser: Browser;
let page: Page;
let dir: string;
const agents: Service[] = [];
const consoleErrors: string[] = [];

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

/** A real agent process on this stack's NATS and namespace, with its config file, ready. */
async function startAgent(id: string, labels: string, config: object): Promise<Service> {
  const file = join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(config));
  const agent = await startService(
    "agent",
    {
      NATS_URL: f.stack.natsUrl,
      LL_NAMESPACE: f.stack.ns.prefix,
      LL_AGENT_CONFIG: file,
      LL_AGENT_ID: id,
      LL_AGENT_LABELS: labels,
      HOST: "127.0.0.1",
    },
    id,
  );
  agents.push(agent);
  await waitReady(agent);
  return agent;
}

beforeAll(async () => {
  f = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), "loadline-console-sut-"));
  const target = f.stack.demoTarget!;
  // Beside the demo target (its labels, as the stack's own agent), allowed to slow it down.
  await startAgent(CHAOS_AGENT, "service=demo-target,role=chaos", {
    actions: [
      {
        name: "slow-down",
        description: "Make the demo target answer slower for a while",
        command: [process.execPath, "-e", SLOW_SCRIPT, `${target.url}/__control/slow`, "{{ms}}", "{{seconds}}"],
        params: {
          ms: { type: "number", integer: true, min: 0, max: 5_000, required: true },
          seconds: { type: "number", min: 0, max: 60, required: true },
        },
        timeoutSec: 10,
      },
    ],
  });
  // Another, stopped at once: the fleet shows it lost.
  const gone = await startAgent(GONE_AGENT, "service=cache,env=test", {
    actions: [{ name: "flush", description: "Flush the cache", command: [process.execPath, "-e", ""], timeoutSec: 5 }],
  });
  expect(await stopService(gone)).toBe(0);

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (m) => {
    // The console serves no favicon: the browser's own request for one is not the page's fault.
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) consoleErrors.push(`${m.text()} ${m.location().url}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  mkdirSync(DOCS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  for (const a of agents) if (a.child.exitCode === null && a.child.signalCode === null) await stopService(a, 5_000);
  await f?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!chromiumAvailable())("the system under test in the console", () => {
  it("draws the SUT's charts and the timeline's action on a run's page, and lists the agents on the fleet page", async () => {
    const test = await f.api.createLoadTest({
      name: "slow target",
      description: "The demo target slowed 2 s in by its agent",
      targetUrl: f.stack.demoTarget!.url,
      requests: [{ name: "fixed", method: "GET", path: "/fixed?ms=10" }],
      defaultUsers: 4,
      defaultSpawnRate: 100,
      defaultDurationSec: 14,
      sut: { labels: { service: "demo-target" } },
      timeline: [{ atSec: 2, agent: { role: "chaos" }, action: "slow-down", params: { ms: 120, seconds: 4 } }],
    });

    await page.goto(`${f.stack.apiUrl}/`);
    await page.fill("#key", f.stack.adminKey);
    await page.click("button[type=submit]");
    await page.locator("[data-who]").waitFor();

    const run = await f.api.startRun(test.id);
    await page.goto(`${f.stack.apiUrl}/#/runs/${run.id}`);
    await page.locator('[data-phase="live"]').waitFor({ timeout: 30_000 });

    // While it runs: the SUT's charts come, and the action is marked on them and on the load's.
    await page.locator("[data-sut] [data-chart]").first().waitFor({ timeout: 20_000 });
    const label = `slow-down @${CHAOS_AGENT}: done`;
    for (const chart of ["rps", "latency", "sut-cpu"]) {
      await until(
        `${chart} marks`,
        () => page.locator(`[data-chart="${chart}"] .chart-host`).getAttribute("data-annotation-labels"),
        (l) => l === label,
      );
    }

    // Ended: the page holds the final figures, from the read model.
    await page.locator('[data-phase="ended"]').waitFor({ timeout: 45_000 });
    expect((await f.api.run(run.id)).status).toBe("Completed");
    const sutCharts = await page
      .locator("[data-sut] [data-chart]")
      .evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { chart: string } }).dataset.chart));
    expect(sutCharts).toEqual(["sut-cpu", "sut-memory", "sut-network", "sut-load"]);
    for (const chart of sutCharts) {
      const host = page.locator(`[data-chart="${chart}"] .chart-host`);
      expect(Number(await host.getAttribute("data-points")), chart).toBeGreaterThanOrEqual(8);
      expect(await host.getAttribute("data-annotation-labels"), chart).toBe(label);
    }
    // Both agents labelled service=demo-target are the SUT: each has its CPU on the chart.
    const legend = await page.locator('[data-chart="sut-cpu"] .u-legend').textContent();
    expect(legend).toContain(CHAOS_AGENT);

    // The actions table: the step's action, on the chaos agent, completed.
    const row = page.locator("[data-actions] tbody tr");
    expect(await row.count()).toBe(1);
    const cells = await row.locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["slow-down", CHAOS_AGENT, "completed"]);
    expect(cells[5]).toBe("exit 0");
    await page.screenshot({ path: `${DOCS}console-run-sut.png`, fullPage: true });

    // The fleet: the tenant's agents, active first, with the actions they allow; the stopped one lost.
    await page.click('[data-nav="fleet"]');
    const chaos = page.locator(`[data-agents] [data-agent="${CHAOS_AGENT}"]`);
    await chaos.waitFor();
    expect(await chaos.locator("[data-agent-state]").textContent()).toBe("active");
    expect(await chaos.locator('[data-agent-action="slow-down"]').textContent()).toBe("slow-down(ms, seconds)");
    expect(await chaos.textContent()).toContain("role=chaos");
    await page.locator(`[data-agents] [data-agent="${GONE_AGENT}"] [data-agent-state="lost"]`).waitFor();
    const ids = await page
      .locator("[data-agents] tbody tr")
      .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { agent: string } }).dataset.agent));
    expect(ids).toHaveLength(3);
    expect(ids.at(-1)).toBe(GONE_AGENT);
    await page.screenshot({ path: `${DOCS}console-fleet-agents.png`, fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
