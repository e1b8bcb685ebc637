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
};
const counters = { iterations: 10, droppedIterations: 2, checksPassed: 7, checksFailed: 3 };

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
  });
});
