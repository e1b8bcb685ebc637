import { eventually, OPEN_PLATFORM } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The run lifecycle through the API on the whole stack: a tenant that may run one run at a time
 * queues the next ones (first in, first out), refuses past its queue, starts the next when room
 * frees; live control (pause, resume, scale) is recorded on the run; a user's stop before the
 * planned end ends Cancelled (who, how long), a run at its planned end Completed after Analyzing.
 */
let f: StackFixture;
let authorization: string;
beforeAll(async () => {
  f = await startTestStack({
    platform: { ...OPEN_PLATFORM, quotas: { ...OPEN_PLATFORM.quotas, maxConcurrentRuns: 1, maxQueuedRuns: 2, maxQueueWaitSec: 600 } },
  });
  authorization = `Bearer ${f.stack.adminKey}`;
});
afterAll(() => f?.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${f.stack.apiUrl}${path}`, {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const run = async (id: string) => (await call("GET", `/v1/runs/${id}`)).body;
const until = (id: string, status: string, ms = 30_000) =>
  eventually(async () => ((await run(id)).status === status ? run(id) : false), ms);

async function newTest(durationSec: number): Promise<string> {
  const created = await call("POST", "/v1/load-tests", {
    name: "lifecycle",
    targetUrl: f.stack.demoTarget!.url,
    requests: [{ method: "GET", path: "/fixed?ms=5" }],
    defaultUsers: 2,
    defaultSpawnRate: 100,
    defaultDurationSec: durationSec,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe("the run lifecycle on the API", () => {
  it("queues runs beyond the tenant's one at a time, controls the live one, and cancels by a user's stop", async () => {
    const testId = await newTest(120);
    const first = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    expect(first.status).toBe(201);
    const second = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    const third = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    expect(second.body).toMatchObject({ status: "Queued", queue: { position: 1, reason: expect.stringContaining("maxConcurrentRuns") } });
    expect(third.body).toMatchObject({ status: "Queued", queue: { position: 2, reason: expect.stringContaining("queued before it") } });
    const fourth = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    expect(fourth.status).toBe(403);
    expect(fourth.body.error).toMatchObject({ field: "runs", message: expect.stringContaining("maxQueuedRuns") });

    const id = first.body.id as string;
    await until(id, "Running");
    const paused = await call("POST", `/v1/runs/${id}/pause`, {});
    expect(paused.status).toBe(200);
    expect(paused.body.pausedAt).not.toBeNull();
    expect((await call("POST", `/v1/runs/${id}/pause`, {})).status).toBe(200); // already paused: nothing new
    const resumed = await call("POST", `/v1/runs/${id}/resume`, {});
    expect(resumed.body.pausedAt).toBeNull();
    const scaled = await call("POST", `/v1/runs/${id}/scale`, { vus: 4 });
    expect(scaled.status).toBe(200);
    expect(scaled.body.controls.map((c: { type: string }) => c.type)).toEqual(["paused", "resumed", "scaled"]);
    expect(scaled.body.controls[2]).toMatchObject({ vus: 4, vuFactor: 2, by: "bootstrap" });
    // Bad control: named fields, never a 5xx.
    const noRate = await call("POST", `/v1/runs/${id}/scale`, { rate: 50 });
    expect(noRate.status).toBe(400);
    expect(noRate.body.error.field).toBe("rate");
    expect((await call("POST", `/v1/runs/${id}/scale`, {})).body.error.field).toBe("vus");
    expect((await call("POST", `/v1/runs/${id}/scale`, { vus: -1 })).status).toBe(400);
    expect((await call("POST", `/v1/runs/${third.body.id}/pause`, {})).status).toBe(409); // queued: nothing to pause

    // Stopped once load has run: a stop within the start lead (run.started names an instant 100 ms
    // ahead) ends the load before it began, and then ranSec is rightly 0 (CI saw it, the calls above being quick).
    await eventually(async () => (await run(id)).lastMetrics !== null, 30_000);
    const stopped = await call("POST", `/v1/runs/${id}/stop`, {});
    expect(stopped.status).toBeLessThan(300);
    const cancelled = await until(id, "Cancelled");
    expect(cancelled).toMatchObject({ cancelledBy: "bootstrap", stopReason: "requested" });
    expect(cancelled.ranSec).toBeGreaterThan(0);

    // Room freed: the earlier queued run starts; the later one moves up.
    await until(second.body.id, "Running");
    expect((await run(third.body.id)).queue).toMatchObject({ position: 1 });
    await call("POST", `/v1/runs/${third.body.id}/stop`, {});
    expect(await run(third.body.id)).toMatchObject({ status: "Cancelled", ranSec: 0, cancelledBy: "bootstrap", queue: null });
    await call("POST", `/v1/runs/${second.body.id}/stop`, {});
    await until(second.body.id, "Cancelled");
  }, 90_000);

  it("completes a run at its planned end after analysing it", async () => {
    const testId = await newTest(1);
    const started = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    const id = started.body.id as string;
    const done = await until(id, "Completed");
    expect(done).toMatchObject({ stopReason: "duration", cancelledBy: null });
    expect(done.ranSec).toBeGreaterThanOrEqual(1);
    const audit = await call("GET", `/v1/audit?limit=100`);
    const types = (audit.body.items as { aggregateId: string; type: string }[])
      .filter((e) => e.aggregateId === id)
      .map((e) => e.type)
      .reverse();
    expect(types.slice(-2)).toEqual(["run.analyzing", "run.completed"]);
  }, 60_000);
});
