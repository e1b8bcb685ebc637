import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

describe("an HTTP/2 run through the whole stack (NATS, Postgres, orchestrator, worker, projections)", () => {
  it("loads the demo target's h2 port over h2, and the endpoint rows say so with the target's own counts", async () => {
    const target = f.stack.demoTarget!;
    expect(target.h2Url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const test = await f.api.createLoadTest({
      name: "h2",
      targetUrl: target.h2Url!,
      http: { version: "2", tls: { ca: target.h2Certificate! } },
      requests: [{ name: "fixed", method: "GET", path: "/fixed?ms=10" }],
      defaultUsers: 20,
      defaultSpawnRate: 20,
      defaultDurationSec: 3,
    });
    const before = target.total();
    const sessions = target.h2Sessions();
    const run = await f.api.waitForEnd((await f.api.startRun(test.id)).id, 30_000);
    expect(run.status).toBe("Completed");
    await f.api.waitForProjections(10_000);

    const received = target.total() - before;
    const aggregate = await f.api.aggregate(run.id);
    expect(received).toBeGreaterThan(500);
    expect(aggregate.requests).toBe(received);
    expect(aggregate.failures).toBe(0);
    expect(aggregate.endpoints).toEqual([expect.objectContaining({ name: "fixed", protocol: "h2", requests: received })]);
    const { endpoints } = await f.api.endpoints(run.id);
    expect(endpoints).toEqual([expect.objectContaining({ name: "fixed", protocol: "h2", requests: received })]);
    // 20 VUs multiplexed: a connection per engine thread at most, not one per VU.
    expect(target.h2Sessions() - sessions).toBeLessThan(20);
    expect(target.h2Sessions() - sessions).toBeGreaterThan(0);
  });
});
