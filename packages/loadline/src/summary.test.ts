import type { AggregateView, EndpointView, RunView } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { formatSummary } from "./summary.ts";

const latency = { count: 10, min: 1, max: 9.5, mean: 5, p50: 5, p90: 8, p95: 9, p99: 9.4, p999: 9.5 };
const stats = {
  requests: 10,
  failures: 1,
  errorRate: 0.1,
  rps: 2,
  bytesIn: 100,
  bytesOut: 0,
  latency,
  serviceTime: null,
  failuresByKind: { "5xx": 1, check: 0 },
  statusCodes: { "200": 9, "500": 1 },
  interrupted: 0,
};
const counters = { iterations: 10, droppedIterations: 2, interruptedIterations: 0, checksPassed: 7, checksFailed: 3 };

describe("formatSummary", () => {
  it("prints a row per request name and a total, with aligned columns", () => {
    const run = { id: "r1", status: "Completed", targetUsers: 20, reason: null } as RunView;
    const endpoints: EndpointView[] = [{ ...stats, name: "fixed", method: "GET" }];
    const total: AggregateView = { ...stats, ...counters, runId: "r1", from: null, to: null, seconds: 5, endpoints };
    const lines = formatSummary(run, total).split("\n");
    expect(lines[0]).toBe("run r1: Completed, 20 users, 5 s");
    expect(lines[1]).toMatch(/^name\s+requests\s+rps\s+errors\s+p50 ms\s+p90 ms\s+p95 ms\s+p99 ms\s+p99\.9 ms\s+max ms$/);
    expect(lines[3]).toMatch(/^GET fixed\s+10\s+2\.0\s+1 \(10\.00%\)\s+5\.00\s+8\.00\s+9\.00\s+9\.40\s+9\.50\s+9\.50$/);
    expect(lines[5]).toMatch(/^TOTAL/);
    expect(new Set(lines.slice(1, 6).map((l) => l.length)).size).toBe(1);
    expect(lines[7]).toBe("iterations 10  |  dropped 2  |  checks 7 passed, 3 failed  |  failures: 5xx 1");
    expect(lines).toHaveLength(8); // nothing to warn of
  });

  it("names the protocol of an endpoint served over h2 (HTTP/1.1 being the rule, it is not named)", () => {
    const run = { id: "r2", status: "Completed", targetUsers: 20, reason: null } as RunView;
    const endpoints: EndpointView[] = [
      { ...stats, name: "h2", method: "GET", protocol: "h2" },
      { ...stats, name: "plain", method: "GET", protocol: "http/1.1" },
    ];
    const lines = formatSummary(run, { ...stats, ...counters, runId: "r2", from: null, to: null, seconds: 5, endpoints }).split("\n");
    expect(lines[3]).toMatch(/^GET h2 \[h2\]\s+10/);
    expect(lines[4]).toMatch(/^GET plain\s+10/);
  });

  it("says how many requests and iterations the stop interrupted, when it did", () => {
    const run = { id: "r3", status: "Completed", targetUsers: 20, reason: null } as RunView;
    const total: AggregateView = {
      ...stats,
      ...counters,
      interrupted: 12,
      interruptedIterations: 9,
      runId: "r3",
      from: null,
      to: null,
      seconds: 5,
      endpoints: [],
    };
    expect(formatSummary(run, total).split("\n").at(-1)).toBe(
      "iterations 10  |  dropped 2  |  interrupted at the stop: 12 requests, 9 iterations  |  checks 7 passed, 3 failed  |  failures: 5xx 1",
    );
  });

  it("warns when the generator saturated some seconds: which worker, how many, from when, its worst figures", () => {
    const run = { id: "r4", status: "Completed", targetUsers: 20, reason: null } as RunView;
    const worker = (workerId: string, saturatedSeconds: number) => ({
      workerId,
      seconds: 10,
      saturatedSeconds,
      saturated: saturatedSeconds > 0 ? ["2026-12-06T02:00:03.000Z"] : [],
      loopDelayP95Ms: 61.5,
      loopDelayMaxMs: 80,
      timerSlipP95Ms: 72.25,
      timerSlipMaxMs: 79,
      gcPauseMs: 3.5,
      busy: 0.99,
    });
    const base: AggregateView = { ...stats, ...counters, runId: "r4", from: null, to: null, seconds: 10, endpoints: [] };
    const quiet = formatSummary(run, { ...base, generator: { saturatedSeconds: 0, workers: [worker("w1", 0)] } });
    expect(quiet).not.toMatch(/SATURATED/);
    const lines = formatSummary(run, { ...base, generator: { saturatedSeconds: 4, workers: [worker("w1", 0), worker("w2", 4)] } }).split(
      "\n",
    );
    expect(lines.slice(-3)).toEqual([
      "",
      "GENERATOR SATURATED: 4 worker-second(s) were limited by the load generator, not the target; their load or latency is the generator's.",
      "  w2: 4 of 10 s from 2026-12-06T02:00:03.000Z  (event-loop delay p95 61.50 ms, timer slip p95 72.25 ms, busiest thread 99%, GC 3.50 ms)",
    ]);
  });

  it("says so when the run completed degraded: how much of the load ran at the top, why at the bottom", () => {
    const reason =
      "lane 1 of 2 was not run for 9.8 s of 15.0 s: worker w2 was last heard from 00:05.2 into the run, and nobody took it before the end";
    const run = { id: "r2", status: "Completed", targetUsers: 20, reason, coverage: 0.67339, degraded: true } as RunView;
    const total: AggregateView = { ...stats, ...counters, runId: "r2", from: null, to: null, seconds: 15, endpoints: [] };
    const lines = formatSummary(run, total).split("\n");
    expect(lines[0]).toBe("run r2: Completed, DEGRADED (67.3% of the planned load ran), 20 users, 15 s");
    expect(lines.at(-1)).toBe(`DEGRADED: ${reason}. These figures are of less load than was asked.`);
    // Rounded down: a run that missed a sliver of its load never shows as all of it.
    const sliver = formatSummary({ ...run, coverage: 0.9999 }, total).split("\n")[0];
    expect(sliver).toContain("(99.9% of the planned load ran)");
  });
});

describe("the summary's cost line", () => {
  const cost = {
    currency: "USD",
    total: 0.0042,
    breakdown: { compute: 0.004, egress: 0.0002, requests: 0 },
    perThousandRequests: 0.00042,
    perIteration: 0.00042,
    usage: { vcpuSeconds: 360, egressBytes: 2_000_000, requests: 10_000, iterations: 10, estimated: false },
    model: { currency: "USD", vcpuHour: 0.04, egressGb: 0.09, perMillionRequests: 0 },
  };
  const total: AggregateView = { ...stats, ...counters, runId: "r1", from: null, to: null, seconds: 5, endpoints: [] };

  it("prints what the run cost, of what, and per iteration, after the counters", () => {
    const run = { id: "r1", status: "Completed", targetUsers: 20, reason: null, cost } as RunView;
    const lines = formatSummary(run, total).split("\n");
    expect(lines).toContain(
      "cost 0.0042 USD (compute 0.004, network 0.0002, requests 0)  |  0.00042 USD per iteration  |  0.00042 USD per 1,000 requests  |  360 vCPU-s",
    );
  });

  it("says when the compute is estimated, and prints nothing of cost for an API without it", () => {
    const estimated = { ...cost, usage: { ...cost.usage, estimated: true } };
    const run = { id: "r1", status: "Completed", targetUsers: 20, reason: null, cost: estimated } as RunView;
    expect(formatSummary(run, total)).toContain("(estimated: workers without recorded vCPUs count 1)");
    const old = { id: "r1", status: "Completed", targetUsers: 20, reason: null } as RunView;
    expect(formatSummary(old, total)).not.toContain("cost");
  });

  it("prints the setup's and the teardown's requests, apart from the load's", () => {
    const phases = {
      setup: {
        workerId: "w1",
        at: "2026-12-05T10:00:00.000Z",
        requests: [{ name: "sign in", method: "POST", status: 200, durationMs: 41.25, failure: null }],
      },
      teardown: {
        workerId: "w1",
        at: "2026-12-05T10:01:00.000Z",
        requests: [{ name: "bye", method: "DELETE", status: null, durationMs: 3, failure: "connect" as const }],
      },
    };
    const run = { id: "r4", status: "Completed", targetUsers: 2, reason: null, phases } as RunView;
    const total: AggregateView = { ...stats, ...counters, runId: "r4", from: null, to: null, seconds: 5, endpoints: [] };
    const lines = formatSummary(run, total).split("\n");
    expect(lines.slice(-2)).toEqual(["setup: POST sign in 200 in 41.25 ms", "teardown: DELETE bye connect in 3 ms"]);
  });
});
