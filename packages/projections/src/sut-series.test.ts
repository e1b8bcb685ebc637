import { type AgentTelemetry, eventExamples } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { isDefaultSeries, mergeSutSeconds, type SutRun, sutSecondsOf } from "./sut-series.ts";

const telemetry = (over: Partial<AgentTelemetry> = {}): AgentTelemetry => ({
  ...(eventExamples["agent.telemetry"] as AgentTelemetry),
  ...over,
});

describe("the default series", () => {
  it("takes every process's cpuPercent and the host's main figures as the default series", () => {
    expect(["host.cpu.busy", "host.network.txBytesPerSec", "process.nginx.cpuPercent"].every(isDefaultSeries)).toBe(true);
    expect(["host.cpu.user", "process.nginx.rssBytes", "nginx.requestsPerSec"].some(isDefaultSeries)).toBe(false);
  });
});

describe("matching telemetry to runs", () => {
  const run: SutRun = { tenantId: "t", runId: "r1", labels: { service: "api" }, startedAt: 1_000_000, finishedAt: 1_060_000 };

  it("lands in every matching run of the agent's tenant, and no other tenant's", () => {
    const runs: SutRun[] = [run, { ...run, runId: "r2", labels: { service: "web" } }, { ...run, runId: "r3", tenantId: "other" }];
    const seconds = sutSecondsOf(runs, "t", "a1", { service: "api" }, 1_005_500, { x: 1 });
    expect(seconds).toEqual([{ tenantId: "t", runId: "r1", agentId: "a1", second: 5, values: { x: 1 } }]);
  });

  it("merges two intervals ending in the same second, the later figures winning", () => {
    const s = { tenantId: "t", runId: "r1", agentId: "a1", second: 3 };
    const merged = mergeSutSeconds([
      { ...s, values: { a: 1, b: 1 } },
      { ...s, second: 4, values: { a: 9 } },
      { ...s, values: { b: 2, c: 3 } },
    ]);
    expect(merged).toEqual([
      { ...s, values: { a: 1, b: 2, c: 3 } },
      { ...s, second: 4, values: { a: 9 } },
    ]);
  });
});
