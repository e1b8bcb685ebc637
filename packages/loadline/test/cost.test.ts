import { DEFAULT_PRICE_MODEL } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * What a run cost, on the whole stack against the demo target: the cost's usage is the metrics'
 * sums and the workers' threads × the seconds they held the run; a benchmark runs exactly its
 * jobs and answers throughput, mean latency and cost (docs/cost.md).
 */
let f: StackFixture;
let authorization: string;
beforeAll(async () => {
  f = await startTestStack();
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

async function newTest(durationSec: number): Promise<string> {
  const created = await call("POST", "/v1/load-tests", {
    name: "cost",
    targetUrl: f.stack.demoTarget!.url,
    requests: [{ method: "GET", path: "/fixed?ms=5" }],
    defaultUsers: 2,
    defaultSpawnRate: 100,
    defaultDurationSec: durationSec,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const completed = (id: string) =>
  eventually(async () => {
    const run = (await call("GET", `/v1/runs/${id}`)).body;
    return run.status === "Completed" ? run : false;
  }, 30_000);

describe("a run's cost", () => {
  it("prices the metrics' requests and bytes, and each worker's threads for the seconds it held the run", async () => {
    const testId = await newTest(2);
    const started = await call("POST", `/v1/load-tests/${testId}/runs`, {});
    expect(started.status).toBe(201);
    await completed(started.body.id);
    // Completed is the run's state; its windows are projected by another consumer and may still be
    // arriving, and a run's cost is read fresh on every GET: read both once the read side caught up.
    await f.api.waitForProjections(10_000);
    const run = (await call("GET", `/v1/runs/${started.body.id}`)).body;
    const aggregate = (await call("GET", `/v1/runs/${run.id}/metrics/aggregate`)).body;
    expect(aggregate.requests).toBeGreaterThan(0);

    const { cost } = run;
    expect(cost.currency).toBe(DEFAULT_PRICE_MODEL.currency);
    expect(cost.model).toEqual(DEFAULT_PRICE_MODEL);
    expect(cost.usage).toMatchObject({
      requests: aggregate.requests,
      egressBytes: aggregate.bytesIn + aggregate.bytesOut,
      iterations: aggregate.iterations,
      estimated: false,
    });
    expect(aggregate.bytesIn).toBeGreaterThan(0);

    // Every worker's threads recorded on its assignment; compute = threads × held seconds × price.
    expect(run.workers.length).toBeGreaterThan(0);
    const held = run.workers.reduce((sum: number, w: { vcpus: number; assignedAt: string }) => {
      expect(w.vcpus).toBeGreaterThanOrEqual(1);
      return sum + w.vcpus * ((Date.parse(run.finishedAt) - Date.parse(w.assignedAt)) / 1000);
    }, 0);
    expect(cost.usage.vcpuSeconds).toBeCloseTo(held, 2);
    expect(cost.breakdown.compute).toBeCloseTo((held / 3600) * DEFAULT_PRICE_MODEL.vcpuHour, 5);
    expect(cost.breakdown.egress).toBeCloseTo((cost.usage.egressBytes / 1e9) * DEFAULT_PRICE_MODEL.egressGb, 5);
    expect(cost.total).toBeCloseTo(cost.breakdown.compute + cost.breakdown.egress + cost.breakdown.requests, 5);
    expect(cost.perIteration).toBeCloseTo(cost.total / aggregate.iterations, 5);

    // The aggregate carries the same (whole-run) cost, whatever its selection.
    expect(aggregate.cost).toEqual(cost);
    const selected = (await call("GET", `/v1/runs/${run.id}/metrics/aggregate?requests=nothing`)).body;
    expect(selected.cost).toEqual(cost);

    // And the HTML report has its section.
    const report = await fetch(`${f.stack.apiUrl}/v1/runs/${run.id}/report?format=html`, { headers: { authorization } });
    expect(await report.text()).toContain('<section id="cost">');
  });
});

describe("the benchmark preset", () => {
  let testId: string;
  beforeAll(async () => {
    testId = await newTest(60);
  });

  it("runs exactly N jobs and answers throughput, mean latency and cost (seed 002's num_jobs, held with ?wait=)", async () => {
    const answer = await call("POST", "/v1/benchmarks?wait=60", { loadTestId: testId, num_jobs: 25 });
    expect(answer.status).toBe(200);
    const b = answer.body;
    expect(b).toMatchObject({ status: "Completed", jobs: 25, iterations: 25, currency: "USD" });
    expect(b.throughput).toBeGreaterThan(0);
    expect(b.throughput).toBeCloseTo(25 / b.durationSec, 5);
    expect(b.meanLatencyMs).toBeGreaterThanOrEqual(5);
    expect(b.totalCost).toBeGreaterThan(0);
    expect(b.costPerJob).toBeCloseTo(b.totalCost / 25, 5);
    // Seed 002's names beside.
    expect(b.mean_latency).toBeCloseTo(b.meanLatencyMs / 1000, 6);
    expect(b.total_cost).toBe(b.totalCost);

    const aggregate = (await call("GET", `/v1/runs/${b.runId}/metrics/aggregate`)).body;
    expect(aggregate.iterations).toBe(25);
    expect(aggregate.requests).toBe(25);
    const again = await call("GET", `/v1/benchmarks/${b.runId}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "Completed", final: true, jobs: 25, iterations: 25, totalCost: b.totalCost });
  });

  it("answers 202 with the run's links at once without ?wait=, its progress until done, then its figures", async () => {
    const answer = await call("POST", "/v1/benchmarks", { loadTestId: testId, jobs: 40, concurrency: 4 });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ jobs: 40, links: { run: `/v1/runs/${answer.body.runId}` } });
    // Completed, then final once the metrics projection counted its last windows: only then its figures.
    const done = await eventually(async () => {
      const b = (await call("GET", `/v1/benchmarks/${answer.body.runId}`)).body;
      if (b.status === "Completed" && !b.final) expect(b).not.toHaveProperty("throughput");
      return b.final ? b : false;
    }, 30_000);
    expect(done).toMatchObject({ status: "Completed", final: true, iterations: 40, jobs: 40 });
    const run = (await call("GET", `/v1/runs/${answer.body.runId}`)).body;
    expect(run.targetUsers).toBe(4);
  });

  it("refuses bad input with 4xx JSON naming the field", async () => {
    const field = async (body: unknown, path = "/v1/benchmarks") => {
      const res = await call("POST", path, body);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      return res.body.error.field;
    };
    expect(await field({ loadTestId: testId })).toBe("jobs");
    expect(await field({ loadTestId: testId, jobs: 0 })).toBe("jobs");
    expect(await field({ loadTestId: testId, jobs: 1.5 })).toBe("jobs");
    expect(await field({ loadTestId: testId, jobs: 5, num_jobs: 5 })).toBe("jobs");
    expect(await field({ loadTestId: testId, jobs: 5, concurrency: -1 })).toBe("concurrency");
    expect(await field({ loadTestId: testId, jobs: 5, maxDurationSec: 0 })).toBe("maxDurationSec");
    expect(await field({ jobs: 5 })).toBe("loadTestId");
    expect(await field({ loadTestId: "nope", jobs: 5 })).toBe("loadTestId");
    expect(await field({ loadTestId: testId, jobs: 5, color: "red" })).toBeDefined();
    expect(await field({ loadTestId: testId, jobs: 5 }, "/v1/benchmarks?wait=121")).toBe("wait");

    const plain = await call("POST", `/v1/load-tests/${testId}/runs`, { durationSec: 1 });
    expect((await call("GET", `/v1/benchmarks/${plain.body.id}`)).status).toBe(404);
    expect((await call("GET", "/v1/benchmarks/nope")).status).toBe(404);
  });
});
