import { getEventListeners } from "node:events";
import type { Executor } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { currentSecond, WindowAccumulator } from "../windows.ts";
import { GeneratorProbe } from "./generator-probe.ts";
import { rehearsalMs, rehearse } from "./rehearsal.ts";
import type { Workload } from "./workloads.ts";

const WHOLE = { index: 0, count: 1 };
const workload = (executor: Executor): Workload => ({ executor, scenarios: [3, 5], weights: [2, 1], firstVuId: 1 });
const open = workload({ type: "constant-arrival-rate", rate: 2000, timeUnitSec: 1, durationSec: 60, preAllocatedVUs: 4, maxVUs: 20 });
const closed = workload({ type: "constant-vus", vus: 4, durationSec: 60 });
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap").length;
const runWindows = () => new WindowAccumulator("r1", "w1", currentSecond(), new GeneratorProbe());
const part = (w: Workload, lane = WHOLE, interrupt = new AbortController().signal) => ({ workload: w, lane, interrupt });
const running = new AbortController().signal;

describe("rehearse", () => {
  it("runs an open part at its rate with the run's signal against a server of its own, and leaves the run's windows empty", async () => {
    const before = sockets();
    const windows = runWindows();
    const run = new AbortController();
    const started = performance.now();
    const rehearsing = rehearse([part(open, WHOLE, run.signal)], windows, running, 300);
    // Its requests listen on the run's signal: the code they optimise is the code the run's requests take.
    await expect.poll(() => getEventListeners(run.signal, "abort").length, { interval: 1 }).toBeGreaterThan(0);
    const sent = await rehearsing;
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    // 2,000/s for 0.3 s, every answer parsed; slack for a cold start on a busy machine.
    expect(sent.failures).toBe(0);
    expect(sent.requests).toBeGreaterThan(300);
    expect(sent.requests).toBeLessThanOrEqual(601);
    expect(getEventListeners(run.signal, "abort")).toHaveLength(0);
    expect(run.signal.aborted).toBe(false);
    expect(windows.totals).toEqual({ requests: 0, failures: 0 });
    for (const w of windows.finish(currentSecond())) expect(w).toMatchObject({ requests: [], iterations: 0, activeUsers: 0 });
    await expect.poll(sockets, { timeout: 2000 }).toBe(before);
  });

  it("takes each lane's share of the rate, as the run does", async () => {
    const sent = await rehearse([part(open, { index: 0, count: 2 }), part(open, { index: 1, count: 2 })], runWindows(), running, 300);
    expect(sent.requests).toBeGreaterThan(300);
    expect(sent.requests).toBeLessThanOrEqual(602);
  });

  it("rehearses nothing for closed executors", async () => {
    const before = sockets();
    const started = performance.now();
    const sent = await rehearse([part(closed)], runWindows(), running, 300);
    expect(sent).toEqual({ requests: 0, failures: 0 });
    expect(performance.now() - started).toBeLessThan(100);
    expect(sockets()).toBe(before);
  });

  it("lasts for 6,000 arrivals at the thread's peak rate, from 300 ms for fast runs to 3 s for slow ones", () => {
    expect(rehearsalMs(20_000)).toBe(300);
    expect(rehearsalMs(60_000)).toBe(300);
    expect(rehearsalMs(4_000)).toBe(1500);
    expect(rehearsalMs(2_000)).toBe(3000);
    expect(rehearsalMs(500)).toBe(3000);
    expect(rehearsalMs(0)).toBe(3000);
  });

  it("ends as soon as the run stops", async () => {
    const stopping = new AbortController();
    const started = performance.now();
    const rehearsing = rehearse([part(open)], runWindows(), stopping.signal, 10_000);
    setTimeout(() => stopping.abort(), 100);
    await rehearsing;
    expect(performance.now() - started).toBeLessThan(2000);
    const early = await rehearse([part(open)], runWindows(), stopping.signal, 300);
    expect(early).toEqual({ requests: 0, failures: 0 });
  });
});
