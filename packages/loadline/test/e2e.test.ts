import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadTestSpecSchema, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { connectNats, JetStreamEventStore, type NatsConnection } from "@loadline/nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
let nc: NatsConnection;
beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "e2e-test");
});
afterAll(async () => {
  await nc.close();
  await f.close();
});

/** What the run's workers said they sent when they stopped (`run.worker-stopped`), from the event store. */
async function reportedByWorkers(runId: string): Promise<number> {
  const { events } = await new JetStreamEventStore(nc, f.stack.ns).read("default", { type: "run", id: runId });
  return events.reduce((sum, { event }) => sum + (event.type === "run.worker-stopped" ? event.data.requests : 0), 0);
}

describe("a run through the REST API, end to end", () => {
  it("loads a counting target for its duration and reports exact, complete figures", async () => {
    const target = f.stack.demoTarget!;
    const test = await f.api.createLoadTest({
      name: "e2e",
      targetUrl: target.url,
      requests: [{ name: "fixed", method: "GET", path: "/fixed?ms=20" }],
      defaultUsers: 10,
      defaultSpawnRate: 20,
      defaultDurationSec: 5,
    });
    const before = target.total();
    const created = await f.api.startRun(test.id);
    expect(created).toMatchObject({ loadTestId: test.id, targetUsers: 10, spawnRate: 20, durationSec: 5 });
    expect(["Pending", "Starting", "Running"]).toContain(created.status);

    const run = await f.api.waitForEnd(created.id, 30_000);
    expect(run.status).toBe("Completed");
    const ranFor = (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000;
    expect(ranFor).toBeGreaterThanOrEqual(5);
    expect(ranFor).toBeLessThan(8);

    // Once the last windows are projected, the run's count is exactly the target's own count and
    // what the worker reported when it stopped: requests in flight at the stop finish before it does.
    await f.api.waitForProjections(10_000);
    const received = target.total() - before;
    const aggregate = await f.api.aggregate(run.id);
    expect(received).toBeGreaterThan(1000);
    expect(aggregate.requests).toBe(received);
    expect(await reportedByWorkers(run.id)).toBe(received);
    expect(aggregate.failures).toBe(0);
    expect(aggregate.latency.p50).toBeGreaterThanOrEqual(20);
    expect(aggregate.latency.p50).toBeLessThanOrEqual(30);

    // A point for each second, one second apart, adding up to the total.
    const { points } = await f.api.timeseries(run.id);
    expect(points.length).toBeGreaterThanOrEqual(5);
    expect(points.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < points.length; i++) expect(Date.parse(points[i]!.time) - Date.parse(points[i - 1]!.time)).toBe(1000);
    expect(points.reduce((sum, p) => sum + p.requests, 0)).toBe(aggregate.requests);
    expect(Math.max(...points.map((p) => p.users))).toBe(10);

    const { endpoints } = await f.api.endpoints(run.id);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({ name: "fixed", method: "GET", requests: aggregate.requests });

    const view = await f.api.run(run.id);
    expect(view.lastMetrics).not.toBeNull();
  });

  it("stops a run on request, and refuses to stop it again once it has ended", async () => {
    const test = await f.api.createLoadTest({
      name: "stop me",
      targetUrl: f.stack.demoTarget!.url,
      requests: [{ method: "GET", path: "/fixed?ms=5" }],
      defaultUsers: 2,
      defaultSpawnRate: 10,
      defaultDurationSec: 600,
    });
    const run = await f.api.startRun(test.id);
    await sleep(1500);
    const stopping = await f.api.stopRun(run.id);
    expect(["Stopping", "Completed", "Cancelled"]).toContain(stopping.status);
    const ended = await f.api.waitForEnd(run.id, 15_000);
    expect(["Completed", "Cancelled"]).toContain(ended.status);
    await expect(f.api.stopRun(run.id)).rejects.toMatchObject({ status: 409 });
  });

  it("gives iterations in flight their graceful stop, counts those still running after it as interrupted, and ends within it and a second", async () => {
    // /quick answers after 100 ms; /stuck never does: the target knows how many it held.
    const received: Record<string, number> = {};
    const held: ServerResponse[] = [];
    const target = createServer((req, res) => {
      received[req.url ?? ""] = (received[req.url ?? ""] ?? 0) + 1;
      req.resume();
      if (req.url === "/stuck") held.push(res);
      else setTimeout(() => res.end("ok"), 100);
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    try {
      const step = (url: string) => ({ type: "request" as const, method: "GET" as const, url });
      const spec = loadTestSpecSchema.parse({
        name: "graceful",
        targetUrl: `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
        scenarios: [
          { name: "quick", steps: [step("/quick")] },
          { name: "stuck", steps: [step("/stuck")] },
        ],
        workload: { type: "constant-vus", vus: 4, durationSec: 600, gracefulStop: "1s" },
        defaultUsers: 4,
        defaultSpawnRate: 100,
        defaultDurationSec: 600,
      });
      const test = await f.api.createLoadTest(spec);
      const run = await f.api.startRun(test.id);
      await eventually(() => received["/stuck"] === 2 && (received["/quick"] ?? 0) >= 4, 15_000, 20);
      // The stack runs in this process: how late its loop runs widens the bound.
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      await f.api.stopRun(run.id);
      const ended = await f.api.waitForEnd(run.id, 15_000);
      delay.disable();
      expect(ended.status).toBe("Cancelled"); // a user's stop before its planned end
      const { events } = await new JetStreamEventStore(nc, f.stack.ns).read("default", { type: "run", id: run.id });
      const stoppingAt = Date.parse(events.find((e) => e.event.type === "run.stopping")!.event.time);
      const tookMs = Date.parse(ended.finishedAt!) - stoppingAt;
      expect(tookMs).toBeGreaterThanOrEqual(1000 - 2);
      expect(tookMs).toBeLessThanOrEqual(1000 + 1000 + (2 * delay.max) / 1e6);

      await f.api.waitForProjections(10_000);
      const aggregate = await f.api.aggregate(run.id);
      // The two held past the grace: interrupted, never failures, never in the latencies.
      expect(aggregate).toMatchObject({ requests: received["/quick"], failures: 0, interrupted: 2, interruptedIterations: 2 });
      expect(aggregate.latency.max).toBeLessThan(1000);
      const { endpoints } = await f.api.endpoints(run.id);
      expect(endpoints.map((e) => [e.name, e.requests, e.interrupted])).toEqual([
        ["/quick", received["/quick"], 0],
        ["/stuck", 0, 2],
      ]);
    } finally {
      for (const res of held) res.destroy();
      target.closeAllConnections();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
