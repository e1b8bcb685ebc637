import { DENY_ALL_TARGETS, type Executor } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROTO } from "../src/demo-proto.ts";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import { runRows } from "./engine-rows.ts";

/**
 * grpc steps through the worker's engine (no NATS) against the demo target's gRPC service, in a
 * closed and an open executor, one and two threads: rows per step, counts equal to what the
 * service counted, the target policy, the stop.
 */
let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget(0, "127.0.0.1", null);
});
afterAll(() => target.close());

const say = (over: Record<string, unknown> = {}) => ({
  type: "grpc",
  name: "say",
  target: target.grpcUrl,
  proto: DEMO_PROTO,
  service: "demo.Echo",
  method: "Say",
  message: { text: "hi {{__vu}}" },
  metadata: { "x-user": "vu{{__vu}}" },
  checks: [{ type: "jsonPath", path: "$.user", exists: true }],
  ...over,
});
const ticks = (message: object, stream: object) => ({
  type: "grpc",
  name: "ticks",
  target: target.grpcUrl,
  proto: DEMO_PROTO,
  service: "demo.Echo",
  method: "Ticks",
  message,
  stream,
  deadlineMs: 60_000,
});

describe("grpc steps in the engine", () => {
  it("counts every call and message in an open executor over two threads, as the service counted them", async () => {
    const before = target.grpc();
    const executor: Executor = { type: "constant-arrival-rate", rate: 20, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 4, maxVUs: 8 };
    const rows = await runRows(target.url, [say(), ticks({ count: 3, every_ms: 2 }, {})], executor, {}, 2);
    const after = target.grpc();
    const calls = after.sayCalls - before.sayCalls;
    // A loaded machine may drop some arrivals: what was called, was counted.
    expect(calls).toBeGreaterThan(0);
    expect(rows.get("gRPC say")).toMatchObject({ count: calls, failures: 0, messagesIn: calls, messagesOut: calls });
    expect(rows.get("gRPC first ticks")).toMatchObject({ count: after.tickStreams - before.tickStreams, failures: 0 });
    expect(rows.get("gRPC next ticks")).toMatchObject({ count: 2 * (after.tickStreams - before.tickStreams), failures: 0 });
  });

  it("records the statuses a call ended with: `grpc` for NOT_FOUND, `timeout` for a deadline", async () => {
    const rows = await runRows(
      target.url,
      [say({ name: "missing", message: { fail_code: 5 } }), say({ name: "late", message: { delay_ms: 500 }, deadlineMs: 50 })],
      { type: "per-vu-iterations", vus: 2, iterations: 2, maxDurationSec: 30 },
    );
    expect(rows.get("gRPC missing")).toMatchObject({ count: 4, failures: 4, failuresByKind: { grpc: 4 } });
    expect(rows.get("gRPC late")).toMatchObject({ count: 4, failures: 4, failuresByKind: { timeout: 4 } });
  });

  it("is blocked, nothing called, when the tenant's policy refuses the target", async () => {
    const before = target.grpc();
    const rows = await runRows(
      target.url,
      [say()],
      { type: "per-vu-iterations", vus: 1, iterations: 2, maxDurationSec: 30 },
      {
        targetPolicy: DENY_ALL_TARGETS,
      },
    );
    expect(rows.get("gRPC say")).toMatchObject({ count: 2, failures: 2, failuresByKind: { blocked: 2 } });
    expect(target.grpc()).toEqual(before);
  });

  it("cancels a stream at the stop: its wait interrupted, not failed", async () => {
    const rows = await runRows(target.url, [ticks({ count: 10_000, every_ms: 20 }, {})], {
      type: "constant-vus",
      vus: 2,
      durationSec: 1,
      gracefulStop: "100ms",
    });
    const next = rows.get("gRPC next ticks")!;
    expect(next.count).toBeGreaterThan(10);
    expect(next.failures).toBe(0);
    expect(next.interrupted).toBe(2);
  });
});
