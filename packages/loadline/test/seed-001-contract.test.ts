import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";
import { SeedApiError, SeedLoadManagerClient, type SeedRun } from "./seed-001-client.ts";

/**
 * Issue 20: seed 001's client (seed-001-client.ts, written from the seed's API section) against a
 * real Loadline stack (NATS, Postgres, a worker): its flows 1, 2, 4 and 6 work unchanged. Its tests
 * here are Loadline's `requests` or `scenarios`; a locustfile is taken too (the Locust engine,
 * docs/locust.md), and locust-stack.test.ts runs flow 1 with one end to end. A Locust cluster has
 * no meaning here (the workers run it) and is refused, naming it.
 */

let f: StackFixture;
let client: SeedLoadManagerClient;
/** The credential's actor: what createdBy is, whatever the body says. */
let actor: string;
const TENANT = "seed001";

beforeAll(async () => {
  f = await startTestStack();
  // An editor of a tenant of its own, as a seed client would be given.
  const res = await f.api.fetch("/v1/api-keys", {
    method: "POST",
    headers: { "content-type": "application/json", "x-tenant-id": TENANT },
    body: JSON.stringify({ name: "seed-001-client", role: "editor" }),
  });
  const key = (await res.json()) as { id: string; key: string };
  expect(res.status).toBe(201);
  actor = `key:${key.id}`;
  client = new SeedLoadManagerClient(f.stack.apiUrl, key.key);
});
afterAll(() => f.close());

/** The seed's statuses as docs/seed-contract.md maps Loadline's onto them. */
const SEED_STATUS_OF: Record<string, string> = {
  Queued: "Pending",
  Pending: "Pending",
  Starting: "Running",
  Running: "Running",
  Stopping: "Stopping",
  Analyzing: "Stopping",
  Completed: "Finished",
  Cancelled: "Finished",
  Failed: "Failed",
};
const ENDED = ["Finished", "Failed"];

const requests = () => [{ method: "GET", path: "/fixed?ms=2" }];

async function until(runId: string, done: (run: SeedRun) => boolean, timeoutMs = 30_000): Promise<SeedRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.getRun(runId);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const refusal = async (call: () => Promise<unknown>): Promise<SeedApiError> => {
  try {
    await call();
  } catch (e) {
    if (e instanceof SeedApiError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
};

const day = (iso: string, plusDays = 0) => new Date(Date.parse(iso.slice(0, 10)) + plusDays * 86_400_000).toISOString().slice(0, 10);

describe("seed 001's client against Loadline (issue 20)", () => {
  let testId: string;

  it("flow 1: creates a load test with the seed's fields; createdBy is the credential's actor, not the body's", async () => {
    const test = await client.createLoadTest({
      name: "API Test",
      description: "seed 001 flow 1",
      tags: ["seed"],
      targetUrl: f.stack.demoTarget!.url,
      envId: "staging",
      defaultUsers: 2,
      defaultSpawnRate: 2,
      defaultDurationSec: 30,
      maxDurationSec: 60,
      createdBy: "user@example.com",
      metadata: { team: "payments", ticket: 42 },
      requests: requests(),
    });
    expect(test).toMatchObject({
      id: expect.any(String),
      name: "API Test",
      status: "Created",
      createdAt: expect.any(String),
      createdBy: actor,
      updatedBy: actor,
      envId: "staging",
      metadata: { team: "payments", ticket: 42 },
      defaultUsers: 2,
    });
    testId = test.id;
  });

  it("flow 1: takes a locustfile; a Locust cluster is refused with a 400 that names it and says why", async () => {
    const seedTest = { name: "locust", targetUrl: f.stack.demoTarget!.url, locustfile: "from locust import HttpUser", createdBy: "u" };
    const withDefaults = { ...seedTest, defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
    expect(await client.createLoadTest(withDefaults)).toMatchObject({ name: "locust", status: "Created" });
    const e = await refusal(() => client.createLoadTest({ ...withDefaults, locustClusterId: "eu-1" }));
    expect(e.status).toBe(400);
    expect(e.body).toMatchObject({
      error: { code: "invalid_request", field: "locustClusterId", message: expect.stringMatching(/own workers/) },
    });
  });

  it("scopes by tenant and environment: its own tenantId is taken, another's refused; the lists filter by envId", async () => {
    const own = await client.createLoadTest({
      name: "own",
      tenantId: TENANT,
      envId: "prod",
      targetUrl: f.stack.demoTarget!.url,
      requests: requests(),
      defaultUsers: 1,
      defaultSpawnRate: 1,
      defaultDurationSec: 1,
    });
    expect(own.envId).toBe("prod");
    const other = await refusal(() =>
      client.createLoadTest({ name: "x", tenantId: "globex", targetUrl: f.stack.demoTarget!.url, requests: requests() }),
    );
    expect([other.status, (other.body as { error: { field: string } }).error.field]).toEqual([403, "tenantId"]);
    expect((await client.listLoadTests("staging")).map((t) => t.id)).toEqual([testId]);
    expect((await client.listLoadTests("prod")).map((t) => t.id)).toEqual([own.id]);
  });

  it("flows 2, 3, 4 and 6: starts a run with overrides, reads its lastMetrics, stops it, and charts it", async () => {
    const started = await client.startRun(testId, {
      targetUsers: 2,
      spawnRate: 2,
      durationSeconds: 30,
      name: "nightly",
      createdBy: "user@example.com",
      metadata: { build: "1.2.3" },
    });
    expect(started).toMatchObject({
      id: expect.any(String),
      loadTestId: testId,
      name: "nightly",
      envId: "staging", // its test's
      targetUsers: 2,
      spawnRate: 2,
      durationSeconds: 30,
      createdBy: actor,
      metadata: { build: "1.2.3" },
    });
    expect(SEED_STATUS_OF[started.status]).toMatch(/^(Pending|Running)$/);
    expect((await client.listRuns("staging")).map((r) => r.id)).toEqual([started.id]);

    // Flow 3: the seed's names of the newest metrics.
    const running = await until(started.id, (r) => SEED_STATUS_OF[r.status] === "Running" && (r.lastMetrics?.totalRequests ?? 0) > 0);
    expect(running.lastMetrics).toMatchObject({
      totalRPS: expect.any(Number),
      totalRequests: expect.any(Number),
      totalFailures: 0,
      currentUsers: expect.any(Number), // 1 then 2, at 2 a second
      p50ResponseMs: expect.any(Number),
      p95ResponseMs: expect.any(Number),
      p99ResponseMs: expect.any(Number),
      avgResponseMs: expect.any(Number),
    });
    expect(running.lastMetrics!.p50ResponseMs).toBeGreaterThanOrEqual(2);
    expect(Date.parse(running.updatedAt)).toBeGreaterThanOrEqual(Date.parse(running.createdAt));
    expect(running.updatedBy).toEqual(expect.any(String));

    // Flow 4.
    expect(await client.stopRun(started.id)).toMatchObject({ success: true });
    const ended = await until(started.id, (r) => ENDED.includes(SEED_STATUS_OF[r.status]!));
    // A run stopped before its planned end ends Cancelled (one that ran it all, Completed): the seed's Finished either way.
    expect(["Completed", "Cancelled"]).toContain(ended.status);
    expect(SEED_STATUS_OF[ended.status]).toBe("Finished");
    expect(ended.finishedAt).toEqual(expect.any(String));

    // Flow 6, with the seed's day-wide range.
    const series = await client.timeseries(started.id, day(ended.createdAt), day(ended.finishedAt!, 1));
    expect(series.dataPoints.length).toBeGreaterThan(0);
    const total = series.dataPoints.reduce((sum, p) => sum + p.totalRequests, 0);
    expect(series.summary).toMatchObject({ totalRequests: total });
    expect(series.summary.avgRPS).toBeGreaterThan(0);
    expect(series.summary.maxRPS).toBeGreaterThanOrEqual(series.summary.avgRPS);
    expect(series.summary.avgP95).toBeGreaterThanOrEqual(series.summary.avgP50);
    expect(series.summary.avgP50).toBeGreaterThanOrEqual(2);

    const aggregate = await client.aggregate(started.id);
    expect(aggregate.totalRequests).toBe(total);
    expect(aggregate.minRPS).toBeLessThanOrEqual(aggregate.avgRPS);
    expect(aggregate.maxRPS).toBeGreaterThanOrEqual(aggregate.avgRPS);
    expect(aggregate.avgP95).toBeGreaterThanOrEqual(aggregate.avgP50);

    const scatter = await client.scatter(started.id);
    expect(scatter.dataPoints.length).toBeGreaterThan(0);
    expect(scatter.dataPoints[0]).toMatchObject({
      timestamp: expect.any(String),
      p50ResponseMs: expect.any(Number),
      p99ResponseMs: expect.any(Number),
    });
  }, 60_000);

  it("runs a test that leaves the defaults out, its scenarios and workload saying how to load", async () => {
    const test = await client.createLoadTest({
      name: "no defaults",
      targetUrl: f.stack.demoTarget!.url,
      envId: "staging",
      scenarios: [{ name: "browse", steps: [{ type: "request", url: "/fixed?ms=1" }] }],
      workload: { type: "constant-vus", vus: 1, durationSec: 2 },
    });
    expect(test).toMatchObject({ defaultUsers: null, defaultSpawnRate: null, defaultDurationSec: null });
    const run = await client.startRun(test.id, {});
    expect(run).toMatchObject({ targetUsers: 1, durationSeconds: 2 });
    const ended = await until(run.id, (r) => ENDED.includes(SEED_STATUS_OF[r.status]!));
    expect(ended.status).toBe("Completed");
    expect((await client.aggregate(run.id)).totalRequests).toBeGreaterThan(0);
  }, 60_000);

  it("takes durationSeconds or durationSec, refusing the two when they disagree", async () => {
    const e = await refusal(() => client.startRun(testId, { durationSeconds: 5, durationSec: 6 } as never));
    expect([e.status, (e.body as { error: { field: string } }).error.field]).toEqual([400, "durationSeconds"]);
  });
});
