import { createServer, type IncomingMessage } from "node:http";
import { createLogger } from "@loadline/service";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteWriter } from "./remote-writer.ts";
import type { TimedSample } from "./sealed-seconds.ts";

const log = createLogger("remote-writer-test", "silent");
const sample = (value: number): TimedSample => ({ family: "x_total", name: "x_total", labels: {}, value, timestampMs: 1000 * value });

/** An endpoint that answers each request with the next status of `answers` (then 204), and keeps what it got. */
let answers: number[] = [];
const received: { headers: IncomingMessage["headers"]; bytes: number }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push({ headers: req.headers, bytes: Buffer.concat(chunks).length });
    res.writeHead(answers.shift() ?? 204).end();
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/write`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const value = async (registry: Registry, name: string, labels: Record<string, string> = {}) =>
  ((await registry.getSingleMetric(name)?.get())?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);

describe("RemoteWriter", () => {
  it("sends with the protocol's headers, retrying 5xx and 429 with backoff until taken", async () => {
    answers = [503, 429];
    received.length = 0;
    const registry = new Registry();
    const writer = new RemoteWriter({ config: { url, headers: { "X-Scope-OrgID": "acme" } }, log, registry, retryDelayMs: 10 });
    writer.enqueue([sample(1), sample(2)]);
    await writer.flush(AbortSignal.timeout(5000));
    expect(received).toHaveLength(3);
    expect(received[2]!.headers).toMatchObject({
      "content-encoding": "snappy",
      "content-type": "application/x-protobuf",
      "x-prometheus-remote-write-version": "0.1.0",
      "x-scope-orgid": "acme",
    });
    expect(writer.queued).toBe(0);
    expect(await value(registry, "loadline_remote_write_samples_sent_total")).toBe(2);
    expect(await value(registry, "loadline_remote_write_failures_total", { kind: "retried" })).toBe(2);
  });

  it("drops a batch refused for good (4xx), and the oldest samples past its queue's bound", async () => {
    answers = [400];
    received.length = 0;
    const registry = new Registry();
    const writer = new RemoteWriter({ config: { url, headers: {} }, log, registry, maxQueued: 3, batchSize: 2 });
    writer.enqueue([1, 2, 3, 4, 5].map(sample));
    expect(writer.queued).toBe(3);
    await writer.flush(AbortSignal.timeout(5000));
    expect(received).toHaveLength(2);
    expect(await value(registry, "loadline_remote_write_samples_dropped_total", { reason: "queue_full" })).toBe(2);
    expect(await value(registry, "loadline_remote_write_samples_dropped_total", { reason: "refused" })).toBe(2);
    expect(await value(registry, "loadline_remote_write_samples_sent_total")).toBe(1);
  });

  it("gives up retrying when told to stop, keeping what it could not send", async () => {
    answers = Array.from({ length: 100 }, () => 500);
    const writer = new RemoteWriter({ config: { url, headers: {} }, log, retryDelayMs: 20 });
    writer.enqueue([sample(1)]);
    await writer.flush(AbortSignal.timeout(300));
    expect(writer.queued).toBe(1);
    answers = [];
  });
});
