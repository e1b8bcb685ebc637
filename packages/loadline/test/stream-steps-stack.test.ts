import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

const VUS = 3;
const ITERATIONS = 4;

describe("a run mixing HTTP, WebSocket and SSE steps through the whole stack (NATS, Postgres, orchestrator, worker, projections)", () => {
  it("shows the ws and sse rows among the endpoints, their counts the demo target's own", async () => {
    const target = f.stack.demoTarget!;
    const test = await f.api.createLoadTest({
      name: "streams",
      targetUrl: target.url,
      scenarios: [
        {
          name: "mixed",
          weight: 1,
          variables: {},
          steps: [
            { type: "request", name: "fixed", method: "GET", url: "/fixed?ms=2", timeoutMs: 5000, checks: [], extract: [] },
            {
              type: "ws",
              name: "chat",
              url: "/ws/echo",
              connectTimeoutMs: 5000,
              actions: [
                { type: "send", json: { type: "hello", vu: "{{__vu}}" } },
                {
                  type: "expect",
                  name: "hello",
                  timeoutMs: 5000,
                  checks: [{ type: "jsonPath", path: "$.type", equals: "hello" }],
                  extract: [],
                },
                { type: "close" },
              ],
            },
            { type: "sse", name: "ticks", url: "/sse/ticks?n=3&ms=5", count: 3, timeoutMs: 5000, checks: [], extract: [] },
          ],
        },
      ],
      workload: { type: "per-vu-iterations", vus: VUS, iterations: ITERATIONS, maxDurationSec: 60 },
      defaultUsers: VUS,
      defaultSpawnRate: 100,
      defaultDurationSec: 60,
    });
    const before = target.streams();
    const fixedBefore = target.received()["/fixed"] ?? 0;
    const run = await f.api.waitForEnd((await f.api.startRun(test.id)).id, 60_000);
    expect(run.status).toBe("Completed");
    await f.api.waitForProjections(10_000);
    const after = target.streams();

    const n = VUS * ITERATIONS;
    const expected = {
      fixed: (target.received()["/fixed"] ?? 0) - fixedBefore,
      "WS connect chat": after.wsConnections - before.wsConnections,
      "WS expect hello": after.wsMessagesOut - before.wsMessagesOut,
      "SSE first ticks": after.sseStreams - before.sseStreams,
      "SSE next ticks": after.sseEvents - before.sseEvents - (after.sseStreams - before.sseStreams),
    };
    expect(expected).toEqual({ fixed: n, "WS connect chat": n, "WS expect hello": n, "SSE first ticks": n, "SSE next ticks": 2 * n });

    const aggregate = await f.api.aggregate(run.id);
    expect(aggregate.failures).toBe(0);
    const rows = Object.fromEntries(aggregate.endpoints.map((e) => [e.name, e.requests]));
    expect(rows).toEqual(expected);
    const { endpoints } = await f.api.endpoints(run.id);
    expect(Object.fromEntries(endpoints.map((e) => [e.name, e.requests]))).toEqual(expected);
    // Messages in and out, per row, stored with the rollups: every event the target sent was read, every send sent.
    const messages = (prefix: string, field: "messagesIn" | "messagesOut") =>
      endpoints.filter((e) => e.name.startsWith(prefix)).reduce((n, e) => n + (e[field] ?? 0), 0);
    expect(messages("SSE ", "messagesIn")).toBe(after.sseEvents - before.sseEvents);
    expect(messages("WS ", "messagesOut")).toBe(n);
    expect(messages("WS ", "messagesIn")).toBe(after.wsMessagesOut - before.wsMessagesOut);
    expect(endpoints.find((e) => e.name === "fixed")?.messagesIn).toBeUndefined();
  });
});
