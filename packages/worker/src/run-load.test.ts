import { decodeHistogram, type MetricWindow, runPlan, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerMetrics } from "./metrics.ts";
import { RunLoad } from "./run-load.ts";
import type { RunReporter } from "./run-reporter.ts";
import { type CountingServer, countingServer, loopLateness } from "./test-support.ts";
import type { WindowSink } from "./window-publisher.ts";
import type { RunTotals } from "./windows.ts";

/*
 * A request reaches the server at least a loop turn after its intended start and at most two (the
 * executor's wake-up, the server's read), each late by no more than the loop's measured lateness
 * (loopLateness): twice it bounds how far arrivals fall behind the schedule, whatever the load.
 */

const log = createLogger("worker-test", "silent");

/** Collects what the run hands over, as the NATS publisher and reporter would receive it. */
class Recorder implements WindowSink, RunReporter {
  windows: MetricWindow[] = [];
  reports: (["ready"] | ["stopped", RunTotals])[] = [];
  enqueue(windows: readonly MetricWindow[]) {
    this.windows.push(...windows);
  }
  drain() {
    return Promise.resolve(true);
  }
  ready() {
    this.reports.push(["ready"]);
    return Promise.resolve();
  }
  stopped(totals: RunTotals) {
    this.reports.push(["stopped", totals]);
    return Promise.resolve();
  }
  failed() {
    return Promise.resolve();
  }
}

const sum = (windows: MetricWindow[], f: (r: MetricWindow["requests"][number]) => number) =>
  windows.reduce((n, w) => n + w.requests.reduce((m, r) => m + f(r), 0), 0);

let server: CountingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Prepared (warm), then begun now: a run of one worker. */
async function begun(load: RunLoad): Promise<void> {
  await load.prepare();
  await load.begin(Date.now());
}

function newLoad(targetUrl: string, rec: Recorder, over: { users?: number; spawnRate?: number } = {}) {
  const metrics = new WorkerMetrics(new Registry());
  const target = {
    targetUrl,
    requests: [
      { method: "GET" as const, path: "/a" },
      { name: "post-b", method: "POST" as const, path: "/b", body: "hello", headers: { "content-type": "text/plain" } },
    ],
  };
  const load = new RunLoad({
    runId: "r1",
    workerId: "w1",
    plan: runPlan(target, { targetUsers: over.users ?? 4, spawnRate: over.spawnRate ?? 40, durationSec: 60 }),
    sink: rec,
    reporter: rec,
    metrics,
    log,
  });
  return { load, metrics };
}

describe("RunLoad", () => {
  it("counts in its windows exactly the requests the target received", async () => {
    server = await countingServer({ delayMs: 5 });
    const rec = new Recorder();
    const { load, metrics } = newLoad(server.url, rec);
    await begun(load); // after the HTTP client warm-up
    await sleep(300);
    load.tick(Math.floor(Date.now() / 1000) + 1); // as the ticker would, after the boundary
    // The load runs in an engine thread (never the worker's own), which tells its active VUs with each tick's windows.
    await eventually(() => load.activeUsers === 4, 2000, 10);
    const totals = await load.stop("test");

    expect(load.state).toBe("stopped");
    expect(totals.requests).toBe(server.total());
    expect(totals.failures).toBe(0);
    expect(sum(rec.windows, (r) => r.count)).toBe(server.total());
    expect(rec.reports[0]).toEqual(["ready"]);
    expect(rec.reports.at(-1)).toEqual(["stopped", totals]);
    // Each user sends /a then /b in turn.
    const a = server.received.get("GET /a") ?? 0;
    const b = server.received.get("POST /b") ?? 0;
    expect(a - b).toBeGreaterThanOrEqual(0);
    expect(a - b).toBeLessThanOrEqual(4);

    const post = rec.windows.flatMap((w) => w.requests).filter((r) => r.name === "post-b");
    expect(sum(rec.windows, (r) => (r.name === "post-b" ? r.bytesOut : 0))).toBe(5 * b);
    expect(post.every((r) => r.method === "POST")).toBe(true);
    const bytesIn = sum(rec.windows, (r) => (r.name === "/a" ? r.bytesIn : 0));
    expect(bytesIn).toBe("ok:GET /a".length * a);
    const latency = decodeHistogram(post[0]!.histogram);
    expect(latency.minNonZeroValue).toBeGreaterThanOrEqual(4000); // ≥ the 5 ms the server waits, in µs

    // Consecutive seconds, each once.
    const seconds = rec.windows.map((w) => w.second);
    expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i));
    expect(await metrics.requests.get()).toMatchObject({ values: [{ value: server.total() }] });
    expect(await metrics.activeUsers.get()).toMatchObject({ values: [{ value: 0 }] });
  });

  it("counts HTTP errors and refused connections as failures", async () => {
    server = await countingServer({ status: (req) => (req.url === "/b" ? 500 : 200) });
    const rec = new Recorder();
    const { load } = newLoad(server.url, rec, { users: 1 });
    await begun(load); // after the HTTP client warm-up
    await sleep(100);
    const totals = await load.stop("test");
    expect(totals.requests).toBe(server.total());
    expect(totals.failures).toBe(server.received.get("POST /b"));

    const refused = new Recorder();
    const port = new URL(server.url).port;
    await server.close();
    server = undefined;
    const { load: dead } = newLoad(`http://127.0.0.1:${port}`, refused, { users: 2 });
    await begun(dead);
    await sleep(150);
    const deadTotals = await dead.stop("test");
    expect(deadTotals.requests).toBeGreaterThan(0);
    expect(deadTotals.failures).toBe(deadTotals.requests);
  });

  it("interrupts requests still in flight after a shortened grace, counting them as interrupted only", async () => {
    server = await countingServer({ delayMs: 10_000 });
    const rec = new Recorder();
    const { load } = newLoad(server.url, rec, { users: 3, spawnRate: 1000 });
    await begun(load); // after the HTTP client warm-up
    await eventually(() => server!.total() === 3, 5000, 10);
    const lateness = loopLateness();
    const t0 = performance.now();
    // Shorter than the workload's own graceful stop (the default 5 s), as for a worker declared lost.
    const totals = await load.stop("test", { graceMs: 200 });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(200 - 2);
    expect(took).toBeLessThan(200 + 1000 + 2 * lateness());
    // Not requests, not failures: interrupted, in the windows, with no latency recorded.
    expect(totals).toEqual({ requests: 0, failures: 0 });
    const requests = rec.windows.flatMap((w) => w.requests);
    expect(requests.reduce((n, r) => n + (r.interrupted ?? 0), 0)).toBe(3);
    expect(requests.every((r) => r.count === 0 && r.failures === 0 && decodeHistogram(r.histogram).totalCount === 0)).toBe(true);
    expect(rec.windows.reduce((n, w) => n + (w.interruptedIterations ?? 0), 0)).toBe(3);
    expect(rec.windows.reduce((n, w) => n + (w.iterations ?? 0), 0)).toBe(0);
    expect(server.total()).toBe(3);
  });

  it("reports ready at once when it has no user to start", async () => {
    const rec = new Recorder();
    const { load } = newLoad("http://127.0.0.1:9", rec, { users: 0 });
    await begun(load); // after the HTTP client warm-up
    const totals = await load.stop("test");
    expect(totals).toEqual({ requests: 0, failures: 0 });
    expect(rec.reports).toEqual([["ready"], ["stopped", totals]]);
    expect(rec.windows.length).toBeGreaterThanOrEqual(1);
  });

  it("refuses to start a plan whose scenarios do not compile, and stays idle", () => {
    const rec = new Recorder();
    const metrics = new WorkerMetrics(new Registry());
    const step = {
      type: "request" as const,
      method: "GET" as const,
      url: "/",
      timeoutMs: 1000,
      checks: [{ type: "header" as const, name: "x", matches: "(" }],
      extract: [],
    };
    const load = new RunLoad({
      runId: "r1",
      workerId: "w1",
      plan: {
        targetUrl: "http://127.0.0.1:9",
        workload: { type: "constant-vus", vus: 1, durationSec: 1 },
        scenarios: [{ name: "bad", weight: 1, variables: {}, steps: [step] }],
      },
      sink: rec,
      reporter: rec,
      metrics,
      log,
    });
    expect(() => load.prepare()).toThrow();
    expect(load.state).toBe("idle");
  });

  it("begins at the agreed instant, not before", async () => {
    server = await countingServer();
    const rec = new Recorder();
    const { load } = newLoad(server.url, rec, { users: 2 });
    await load.prepare();
    const lateness = loopLateness();
    const origin = Date.now() + 400;
    await load.begin(origin);
    await eventually(() => server!.total() > 0, 10_000, 5);
    await load.stop("test");
    const late = 2 * lateness();
    // Arrivals are performance.now() times, as the engine's own clock (it turns the origin into one the same way):
    // the first came no earlier than the origin, and right after it (the first user starts at once).
    const first = server.arrivals[0]! - (origin - performance.timeOrigin);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(250 + late);
  });

  it("takes a lost worker's lanes mid-run: they join at the run's point, without catching up", async () => {
    server = await countingServer();
    const rec = new Recorder();
    const load = new RunLoad({
      runId: "r1",
      workerId: "w1",
      plan: {
        targetUrl: server.url,
        workload: { type: "constant-arrival-rate", rate: 200, timeUnitSec: 1, durationSec: 60, preAllocatedVUs: 10 },
        scenarios: [
          {
            name: "s",
            weight: 1,
            variables: {},
            steps: [{ type: "request", method: "GET", url: "/", timeoutMs: 5000, checks: [], extract: [] }],
          },
        ],
      },
      share: { laneCount: 2, lanes: [0] },
      sink: rec,
      reporter: rec,
      metrics: new WorkerMetrics(new Registry()),
      log,
    });
    await load.prepare();
    const lateness = loopLateness();
    const origin = Date.now();
    await load.begin(origin);
    const zero = origin - performance.timeOrigin; // the executors' time zero, as performance.now() time
    await sleep(1000);
    const halfAt = performance.now() - zero;
    const half = server.total();
    load.addLanes([1]); // joins now: at halfAt, a few µs later
    await sleep(1000);
    const stopAt = performance.now() - zero;
    const totals = await load.stop("test");
    // The stop takes effect in the engine's thread a little after it was asked (it waits for the prepared engine,
    // then is posted there), and surely before it resolves: an arrival falling due in between may run.
    const stoppedBy = performance.now() - zero;
    const late = 2 * lateness();
    const dropped = rec.windows.reduce((n, w) => n + (w.droppedIterations ?? 0), 0);
    // 200/s: iteration i is due at 5·i ms, lane 0 runs the even ones, lane 1 the odd ones. Each arrives (or, no VU
    // free, is dropped) after it is due by the loop's lateness at most; those due before the stop all run.
    const due = (lane: number, fromMs: number, toMs: number) => {
      let n = 0;
      for (let i = lane; 5 * i <= toMs; i += 2) if (5 * i >= fromMs) n++;
      return n;
    };
    // Lane 0 alone, half of 200/s, for the first second.
    expect(half).toBeGreaterThanOrEqual(due(0, 0, halfAt - late) - dropped);
    expect(half).toBeLessThanOrEqual(due(0, 0, halfAt));
    expect(totals.requests).toBe(server.total());
    // Then both lanes, lane 1 from where the run was when it joined: not the second of it that was missed (a burst of ~100).
    const ran = server.total() + dropped;
    expect(ran).toBeGreaterThanOrEqual(due(0, 0, stopAt - late) + due(1, halfAt + late, stopAt - late));
    expect(ran).toBeLessThanOrEqual(due(0, 0, stoppedBy) + due(1, halfAt, stoppedBy));
  });
});
