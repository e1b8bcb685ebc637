import { type MetricWindow, metricWindowSchema, parseEvent } from "@loadline/core";
import { ensureStreams, subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerMetrics } from "./metrics.ts";
import { readStream } from "./test-support.ts";
import { WindowPublisher } from "./window-publisher.ts";

const log = createLogger("worker-test", "silent");
const window = (second: number, count = 1): MetricWindow => ({
  runId: "run1",
  workerId: "w1",
  second,
  activeUsers: 1,
  requests: [{ name: "GET /", method: "GET", count, failures: 0, bytesIn: 1, bytesOut: 0, histogram: "" }],
});

let env: TestNats;
beforeAll(async () => {
  env = await testNats({ streams: false }); // no stream yet: publishes fail until it is made
});
afterAll(async () => {
  await env.cleanup();
});

describe("WindowPublisher", () => {
  it("keeps the windows it could not publish and retries them in order, once each", async () => {
    const metrics = new WorkerMetrics(new Registry());
    const publisher = new WindowPublisher({
      js: jetstream(env.nc, { timeout: 1000 }),
      ns: env.ns,
      tenantId: "acme",
      log,
      metrics,
      maxQueued: 3,
    });

    publisher.enqueue([window(100), window(101)]);
    expect(await publisher.flush()).toBe(false);
    expect(publisher.pending).toBe(2);
    publisher.enqueue([window(102), window(103)]); // over the bound: the oldest goes
    await publisher.flush();
    expect(publisher.pending).toBe(3);
    expect(await metrics.windowsDropped.get()).toMatchObject({ values: [{ value: 1 }] });
    expect((await metrics.publishFailures.get()).values[0]!.value).toBeGreaterThanOrEqual(2);

    await ensureStreams(await jetstreamManager(env.nc), env.ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
    expect(await publisher.drain(5000)).toBe(true);
    publisher.enqueue([window(103)]); // a retry of a window that did land
    expect(await publisher.drain(5000)).toBe(true);

    const stored = await readStream(env.nc, env.ns.streams.metrics, subjects.allMetrics(env.ns));
    expect(stored.map((m) => m.subject)).toEqual(Array(3).fill(subjects.metrics(env.ns, "acme", "run1", "w1")));
    const events = stored.map((m) => parseEvent(m.data));
    expect(events.map((e) => (e.type === "metrics.window" ? e.data.second : -1))).toEqual([101, 102, 103]);
    const first = events[0]!;
    expect(first).toMatchObject({
      type: "metrics.window",
      tenantId: "acme",
      aggregate: { type: "run", id: "run1" },
      actor: "worker:w1",
      causationId: null,
      correlationId: "run1",
    });
    expect(metricWindowSchema.parse(first.data)).toEqual(window(101));
    expect(await metrics.windowsPublished.get()).toMatchObject({ values: [{ value: 4 }] });
  });
});
