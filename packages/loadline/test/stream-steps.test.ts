import { DENY_ALL_TARGETS, type Executor, type RunPlan } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import { runRows } from "./engine-rows.ts";

/**
 * ws and sse steps through the worker's engine (no NATS) against the demo target's `/ws/echo`
 * and `/sse/ticks`: rows per step, latencies in the histograms, message counts equal to what the
 * target counted, failures by kind, the target policy, the stop.
 */
let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget(0, "127.0.0.1", null, null);
});
afterAll(() => target.close());

/** Runs `steps` as one scenario against the demo target, its rows folded by name. */
const run = (steps: unknown[], executor: Executor, over: Partial<RunPlan> = {}, threads = 1) =>
  runRows(target.url, steps, executor, over, threads);

const iterations = (vus: number, n: number): Executor => ({ type: "per-vu-iterations", vus, iterations: n, maxDurationSec: 30 });

describe("a ws step against /ws/echo", () => {
  it("records connect and expect rows, and messages in and out equal to what the target echoed", async () => {
    const before = target.streams();
    const rows = await run(
      [
        {
          type: "ws",
          name: "echo",
          url: "/ws/echo",
          protocols: ["chat"],
          actions: [
            { type: "send", json: { type: "hello", vu: "{{__vu}}" } },
            {
              type: "expect",
              name: "hello",
              timeoutMs: 2000,
              checks: [{ type: "jsonPath", path: "$.type", equals: "hello" }],
              extract: [{ type: "jsonPath", var: "me", path: "$.vu" }],
            },
            { type: "send", text: "again {{me}}" },
            { type: "expect", name: "again", timeoutMs: 2000, checks: [{ type: "regex", pattern: "^again \\d+$" }] },
            { type: "hold", ms: 60, pingEveryMs: 20 },
            { type: "close" },
          ],
        },
      ],
      iterations(3, 4),
    );
    const after = target.streams();
    expect(rows.get("WS connect echo")).toMatchObject({ count: 12, failures: 0, messagesIn: 24, messagesOut: 24 });
    expect(rows.get("WS expect hello")).toMatchObject({ count: 12, failures: 0 });
    expect(rows.get("WS expect again")).toMatchObject({ count: 12, failures: 0 });
    expect(after.wsConnections - before.wsConnections).toBe(12);
    expect(after.wsMessagesIn - before.wsMessagesIn).toBe(24);
    expect(after.wsMessagesOut - before.wsMessagesOut).toBe(24);
    expect(after.wsPings - before.wsPings).toBeGreaterThan(0);
  });

  it("fails an expect whose messages fail its check as `check`, one that gets none as `timeout`", async () => {
    const rows = await run(
      [
        {
          type: "ws",
          name: "bad",
          url: "/ws/echo",
          actions: [
            { type: "send", text: "ping" },
            { type: "expect", name: "pong", timeoutMs: 200, checks: [{ type: "bodyContains", value: "pong" }] },
            { type: "expect", name: "silence", timeoutMs: 100 },
          ],
        },
      ],
      iterations(2, 1),
    );
    expect(rows.get("WS expect pong")).toMatchObject({ count: 2, failures: 2, failuresByKind: { check: 2 } });
    expect(rows.get("WS expect silence")).toMatchObject({ count: 2, failures: 2, failuresByKind: { timeout: 2 } });
    expect(rows.get("WS connect bad")).toMatchObject({ count: 2, failures: 0, messagesIn: 2, messagesOut: 2 });
  });

  it("fails the connect of a path the target does not upgrade as `connect`", async () => {
    const rows = await run([{ type: "ws", name: "nowhere", url: "/ws/nowhere", actions: [{ type: "close" }] }], iterations(1, 2));
    expect(rows.get("WS connect nowhere")).toMatchObject({ count: 2, failures: 2, failuresByKind: { connect: 2 } });
  });
});

describe("an sse step against /sse/ticks", () => {
  it("records time to first event and between events, with events in equal to what the target sent", async () => {
    const before = target.streams();
    const rows = await run(
      [
        {
          type: "sse",
          name: "ticks",
          url: "/sse/ticks?n=5&ms=10",
          count: 5,
          timeoutMs: 3000,
          checks: [{ type: "jsonPath", path: "$.n", exists: true }],
          extract: [{ type: "jsonPath", var: "n", path: "$.n" }],
        },
        { type: "request", url: "/fixed?ms=1&n={{n}}" },
      ],
      iterations(2, 3),
    );
    const after = target.streams();
    expect(rows.get("SSE first ticks")).toMatchObject({ count: 6, failures: 0, messagesIn: 6 });
    expect(rows.get("SSE next ticks")).toMatchObject({ count: 24, failures: 0, messagesIn: 24 });
    expect(after.sseEvents - before.sseEvents).toBe(30);
    // Events 10 ms apart: the time between them is about that, never the whole stream's.
    expect(rows.get("SSE next ticks")!.p50Us).toBeGreaterThan(5_000);
    expect(rows.get("SSE next ticks")!.p50Us).toBeLessThan(40_000);
    expect(after.sseStreams - before.sseStreams).toBe(6);
  });

  it("fails a count the stream ends short of as `reset`, a stream too slow as `timeout`, a failed check as `check`", async () => {
    const rows = await run(
      [
        { type: "sse", name: "short", url: "/sse/ticks?n=2&ms=5", count: 3, timeoutMs: 2000 },
        { type: "sse", name: "slow", url: "/sse/ticks?n=2&ms=1000", count: 2, timeoutMs: 150 },
        {
          type: "sse",
          name: "odd",
          url: "/sse/ticks?n=2&ms=5",
          count: 2,
          timeoutMs: 2000,
          checks: [{ type: "regex", pattern: '"n":1\\}' }],
        },
      ],
      iterations(1, 1),
    );
    expect(rows.get("SSE first short")).toMatchObject({ count: 1, failures: 0 });
    expect(rows.get("SSE next short")).toMatchObject({ count: 2, failures: 1, failuresByKind: { reset: 1 } });
    expect(rows.get("SSE first slow")).toMatchObject({ count: 1, failures: 1, failuresByKind: { timeout: 1 } });
    expect(rows.get("SSE first odd")).toMatchObject({ count: 1, failures: 0 });
    expect(rows.get("SSE next odd")).toMatchObject({ count: 1, failures: 1, failuresByKind: { check: 1 } });
  });
});

describe("ws and sse steps under the run's target policy and its stop", () => {
  it("are blocked, nothing connected, when the policy refuses the target", async () => {
    const before = target.streams();
    const rows = await run(
      [
        { type: "ws", name: "chat", url: "/ws/echo", actions: [{ type: "close" }] },
        { type: "sse", name: "ticks", url: "/sse/ticks", durationMs: 100 },
      ],
      iterations(1, 1),
      { targetPolicy: DENY_ALL_TARGETS },
    );
    expect(rows.get("WS connect chat")).toMatchObject({ count: 1, failuresByKind: { blocked: 1 } });
    expect(rows.get("SSE first ticks")).toMatchObject({ count: 1, failuresByKind: { blocked: 1 } });
    expect(target.streams().wsConnections).toBe(before.wsConnections);
    expect(target.streams().sseStreams).toBe(before.sseStreams);
  });

  it("closes held connections at the stop: the waits are interrupted, the connections counted, in an open executor and two threads", async () => {
    const t0 = performance.now();
    const before = target.streams();
    const rows = await run(
      [
        {
          type: "ws",
          name: "held",
          url: "/ws/echo",
          actions: [
            { type: "send", text: "x" },
            { type: "hold", ms: 300 },
            { type: "expect", name: "never", timeoutMs: 60_000, checks: [{ type: "bodyContains", value: "never" }] },
          ],
        },
      ],
      { type: "constant-arrival-rate", rate: 4, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 4, maxVUs: 8, gracefulStop: "200ms" },
      {},
      2,
    );
    expect(performance.now() - t0).toBeLessThan(10_000);
    const connect = rows.get("WS connect held")!;
    expect(connect.count).toBeGreaterThan(0);
    expect(connect.failures).toBe(0);
    expect(connect.messagesOut).toBe(connect.count);
    // The waits cut short count as interrupted, never as failures.
    expect(rows.get("WS expect never")).toMatchObject({ count: 0, failures: 0 });
    expect(rows.get("WS expect never")!.interrupted).toBe(connect.count);
    // Every connection the target accepted was closed by the stop: nothing left open on its side.
    await new Promise((r) => setTimeout(r, 300));
    const after = target.streams();
    expect(after.wsConnections - before.wsConnections).toBe(connect.count);
    expect(after.wsClosed - before.wsClosed).toBe(connect.count);
  });

  it("ends an event stream at the stop: its wait interrupted, not failed", async () => {
    const rows = await run([{ type: "sse", name: "forever", url: "/sse/ticks?n=1000&ms=50", durationMs: 60_000 }], {
      type: "constant-vus",
      vus: 2,
      durationSec: 1,
      gracefulStop: "100ms",
    });
    const next = rows.get("SSE next forever")!;
    expect(next.count).toBeGreaterThan(10);
    expect(next.failures).toBe(0);
    expect(next.interrupted).toBe(2);
  });
});
