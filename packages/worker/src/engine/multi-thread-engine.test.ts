import { decodeHistogram, type MetricWindow, type RunPlan, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startSecondTicker } from "../second-ticker.ts";
import { type CountingServer, countingServer } from "../test-support.ts";
import { ALL_LANES, startNow } from "./load-engine.ts";
import { MultiThreadEngine, threadEntryUrl } from "./multi-thread-engine.ts";

let server: CountingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("MultiThreadEngine", () => {
  it("runs the load over 2 threads and publishes one merged window per second counting what the target got", async () => {
    server = await countingServer({ delayMs: 5 });
    const plan: RunPlan = {
      targetUrl: server.url,
      workload: { type: "constant-arrival-rate", rate: 150, timeUnitSec: 1, durationSec: 2, preAllocatedVUs: 4, maxVUs: 20 },
      scenarios: [
        {
          name: "s",
          weight: 1,
          variables: {},
          steps: [{ type: "request", method: "GET", url: "/a?w={{__worker}}", timeoutMs: 5000, checks: [], extract: [] }],
        },
      ],
    };
    const windows: MetricWindow[] = [];
    const errors: unknown[] = [];
    const engine = new MultiThreadEngine({
      runId: "r1",
      workerId: "w1",
      plan,
      share: ALL_LANES,
      threads: 2,
      onWindows: (w) => windows.push(...w),
      onError: (err) => errors.push(err),
    });
    const ticker = startSecondTicker((second) => engine.tick(second));
    await startNow(engine);
    await engine.finished;
    const totals = await engine.stop(2000);
    ticker.stop();

    expect(errors).toEqual([]);
    expect(server.total()).toBe(300);
    expect([...server.received.keys()]).toEqual(["GET /a?w=w1"]); // {{__worker}}: every thread knows its worker's id
    expect(totals).toEqual({ requests: 300, failures: 0 });
    const seconds = windows.map((w) => w.second);
    expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i)); // one window per second, no gap, no repeat
    expect(windows.every((w) => w.requests.length <= 1)).toBe(true); // the threads' parts merged into one row
    const rows = windows.flatMap((w) => w.requests);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(300);
    expect(rows.every((r) => decodeHistogram(r.histogram).totalCount === r.count)).toBe(true);
    expect(rows.every((r) => decodeHistogram(r.serviceHistogram!).totalCount === r.count)).toBe(true);
    expect(windows.reduce((n, w) => n + (w.iterations ?? 0), 0)).toBe(300);
  });
  it("carries the live control to every thread: a scale ×2 doubles the VUs over both, a pause holds them all", async () => {
    server = await countingServer({ delayMs: 20 });
    const plan: RunPlan = {
      targetUrl: server.url,
      workload: { type: "constant-vus", vus: 6, durationSec: 5 },
      scenarios: [
        {
          name: "s",
          weight: 1,
          variables: {},
          steps: [{ type: "request", method: "GET", url: "/a", timeoutMs: 5000, checks: [], extract: [] }],
        },
      ],
    };
    const windows: MetricWindow[] = [];
    const errors: unknown[] = [];
    const engine = new MultiThreadEngine({
      runId: "r1",
      workerId: "w1",
      plan,
      share: ALL_LANES,
      threads: 2,
      onWindows: (w) => windows.push(...w),
      onError: (err) => errors.push(err),
    });
    const ticker = startSecondTicker((second) => engine.tick(second));
    await startNow(engine);
    const s = server;
    await eventually(() => s.inFlight() === 6, 3000, 5);
    engine.control({ paused: false, vuFactor: 2, rates: [] });
    await eventually(() => s.inFlight() === 12, 3000, 2);
    engine.control({ paused: true, vuFactor: 2, rates: [] });
    await eventually(() => s.inFlight() === 0, 3000, 2);
    await sleep(50); // an iteration that ended as the pause came may have its request on the way: it is the last
    const sent = s.total();
    await sleep(2100); // a whole second of the clock paused, at least
    expect(s.total()).toBe(sent);
    engine.control({ paused: false, vuFactor: 2, rates: [] });
    await engine.finished;
    const totals = await engine.stop(2000);
    ticker.stop();

    expect(errors).toEqual([]);
    expect(s.total()).toBeGreaterThan(sent);
    expect(s.maxInFlight()).toBe(12);
    expect(totals.requests).toBe(s.total());
    expect(windows.reduce((n, w) => n + w.requests.reduce((m, r) => m + r.count, 0), 0)).toBe(s.total());
    // The threads' windows merged: 12 VUs at the most, a paused second said so, and with nothing started in it.
    expect(Math.max(...windows.map((w) => w.activeUsers))).toBe(12);
    const quiet = windows.filter((w) => w.paused && w.activeUsers === 0);
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((w) => w.requests.length === 0 && w.iterations === 0)).toBe(true);
  });
});

describe("threadEntryUrl", () => {
  it("is the TypeScript entry beside this module when run from source", () => {
    expect(threadEntryUrl().pathname).toMatch(/\/src\/engine\/thread-entry\.ts$/);
  });
});
