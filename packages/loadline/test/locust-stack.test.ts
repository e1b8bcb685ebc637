import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";
import { SeedLoadManagerClient, type SeedRun } from "./seed-001-client.ts";

/*
 * Seed 001's flow 1 with a locustfile, through the whole stack (NATS, Postgres, orchestrator, a
 * worker running real Locust, projections): the run completes and its figures are the demo
 * target's own counts, every request Locust made, its errors failures of their kind.
 */

let f: StackFixture;
let seed: SeedLoadManagerClient;
beforeAll(async () => {
  f = await startTestStack();
  seed = new SeedLoadManagerClient(f.stack.apiUrl, f.stack.adminKey);
});
afterAll(() => f.close());

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class ApiUser(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def fixed(self):
        self.client.get("/fixed?ms=3", name="fixed")

    @task
    def failing(self):
        self.client.get("/error?rate=1&ms=1", name="always-fails")
`;

const received = (path: string): number => f.stack.demoTarget!.received()[path] ?? 0;

/**
 * What the target received against what Loadline counted: every request counted, and of those
 * interrupted any number. Locust's stop kills a user that is waiting at once, and the request it
 * was just starting may die before it leaves (CI saw 1 and 3 such in flow 1, the counted ones
 * exactly the target's): an interrupted request may or may not have arrived, as
 * locust-engine.test.ts's expectReceived says.
 */
function expectReceived(counted: { requests: number; interrupted: number } | undefined, got: number, what: string): void {
  const seen = JSON.stringify({ what, received: got, counted: counted?.requests, interrupted: counted?.interrupted });
  expect(counted, seen).toBeDefined();
  expect(got, seen).toBeGreaterThanOrEqual(counted!.requests);
  expect(got, seen).toBeLessThanOrEqual(counted!.requests + counted!.interrupted);
}

async function untilEnded(runId: string, timeoutMs = 60_000): Promise<SeedRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await seed.getRun(runId);
    if (run.status === "Completed" || run.status === "Failed" || run.status === "Cancelled") return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("a locustfile run by Locust on the stack's worker", () => {
  it("runs seed 001's flow 1 end to end: the aggregate's requests are the demo target's own count", async () => {
    const before = { fixed: received("/fixed"), error: received("/error") };
    // Flow 1 as the seed writes it: name, targetUrl, locustfile and the defaults (no engine: a locustfile says it).
    const test = await seed.createLoadTest({
      name: "API Test",
      targetUrl: f.stack.demoTarget!.url,
      locustfile: LOCUSTFILE,
      defaultUsers: 2,
      defaultSpawnRate: 10,
      defaultDurationSec: 30,
      createdBy: "user@example.com",
    });
    expect(test).toMatchObject({ name: "API Test", status: "Created", defaultUsers: 2 });
    // Flow 2: the run's users and spawn rate over the test's defaults.
    const started = await seed.startRun(test.id, { targetUsers: 3, spawnRate: 30, durationSeconds: 2 });
    expect(started).toMatchObject({ targetUsers: 3, spawnRate: 30, durationSeconds: 2 });
    const ended = await untilEnded(started.id);
    expect(ended.status).toBe("Completed");
    await f.api.waitForProjections(10_000);

    const fixed = received("/fixed") - before.fixed;
    const failing = received("/error") - before.error;
    expect(fixed).toBeGreaterThan(10);
    const aggregate = await f.api.aggregate(started.id);
    const rows = Object.fromEntries(aggregate.endpoints.map((e) => [e.name, e]));
    // Each row beside the target's own count, its failures by kind too.
    expectReceived(rows.fixed, fixed, "fixed");
    expectReceived(rows["always-fails"], failing, "always-fails");
    expect(aggregate.requests).toBe(rows.fixed!.requests + rows["always-fails"]!.requests);
    expect(rows.fixed).toMatchObject({ method: "GET", failures: 0, failuresByKind: {}, protocol: "http/1.1" });
    const failed = rows["always-fails"]!.requests;
    expect(rows["always-fails"]).toMatchObject({ failures: failed, failuresByKind: { "5xx": failed } });
    expect(aggregate.latency.p50).toBeGreaterThanOrEqual(3);

    // Flow 6, by the seed's names.
    expect((await seed.aggregate(started.id)).totalRequests).toBe(aggregate.requests);
    const series = await seed.timeseries(started.id);
    expect(series.dataPoints.reduce((n, p) => n + p.totalRequests, 0)).toBe(aggregate.requests);
    expect(Math.max(...series.dataPoints.map((p) => p.currentUsers))).toBe(3);
  }, 90_000);

  it("flow 4: stops a locust run under way; what it sent is all counted", async () => {
    const before = { fixed: received("/fixed"), error: received("/error") };
    const test = await seed.createLoadTest({
      name: "stopped",
      targetUrl: f.stack.demoTarget!.url,
      locustfile: LOCUSTFILE,
      defaultUsers: 2,
      defaultSpawnRate: 10,
      defaultDurationSec: 60,
    });
    const started = await seed.startRun(test.id, {});
    const deadline = Date.now() + 30_000;
    while (((await seed.getRun(started.id)).lastMetrics?.totalRequests ?? 0) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await seed.stopRun(started.id)).toMatchObject({ success: true });
    const ended = await untilEnded(started.id);
    expect(ended.status).toBe("Cancelled");
    await f.api.waitForProjections(10_000);
    const aggregate = await f.api.aggregate(started.id);
    expect(aggregate.requests).toBeGreaterThan(0);
    expectReceived(aggregate, received("/fixed") - before.fixed + received("/error") - before.error, "stopped run");
  }, 90_000);

  it("runs the bench's locustfile (FastHttpUser): its 404s are failures of kind 4xx, counted as the target counted them", async () => {
    const locustfile = readFileSync(new URL("../../../bench/locustfile.py", import.meta.url), "utf8");
    const before = received("/");
    const test = await f.api.createLoadTest({
      name: "bench locustfile",
      targetUrl: f.stack.demoTarget!.url,
      engine: "locust",
      locustfile,
      workload: { type: "constant-vus", vus: 2, durationSec: 1 },
    });
    const run = await f.api.waitForEnd((await f.api.startRun(test.id)).id, 60_000);
    expect(run.status).toBe("Completed");
    await f.api.waitForProjections(10_000);
    const aggregate = await f.api.aggregate(run.id);
    expect(aggregate.requests).toBeGreaterThan(0);
    expectReceived(aggregate, received("/") - before, "bench locustfile");
    expect(aggregate).toMatchObject({
      failures: aggregate.requests,
      failuresByKind: { "4xx": aggregate.requests },
      statusCodes: { "404": aggregate.requests },
    });
  }, 90_000);
});
