import { describe, expect, it } from "vitest";
import { eventExamples } from "../event-examples.ts";
import type { AgentTelemetry } from "../schemas/agent.ts";
import { flattenTelemetry, labelsInclude, runSecondOf } from "./telemetry-series.ts";

const telemetry = (over: Partial<AgentTelemetry> = {}): AgentTelemetry => ({
  ...(eventExamples["agent.telemetry"] as AgentTelemetry),
  ...over,
});

describe("flattenTelemetry", () => {
  it("names every figure by its path: host, each process by name, nginx, cgroup, prometheus", () => {
    const values = flattenTelemetry(
      telemetry({
        cgroup: { cpuPercent: 150, memoryBytes: 1000, throttledPercent: 2 },
        prometheus: { 'http_requests_total{code="200"}': 42, up: 1 },
      }),
    );
    expect(values).toMatchObject({
      "host.cpu.busy": 37.6,
      "host.cpu.user": 31.2,
      "host.cpu.cores": 4,
      "host.memory.usedBytes": 3_134_316_544,
      "host.load.one": 1.42,
      "host.network.rxBytesPerSec": 1_250_000,
      "host.disk.writeBytesPerSec": 204_800,
      "process.checkout-api.cpuPercent": 118.5,
      "process.checkout-api.rssBytes": 412_000_000,
      "process.checkout-api.threads": 23,
      "nginx.requestsPerSec": 2_410,
      "cgroup.cpuPercent": 150,
      "cgroup.throttledPercent": 2,
      'prometheus.http_requests_total{code="200"}': 42,
      "prometheus.up": 1,
    });
    expect(Object.keys(values).some((k) => k.includes("pids"))).toBe(false);
    expect(Object.values(values).every((v) => typeof v === "number")).toBe(true);
  });

  it("gives no series for a source absent this interval, and none for figures that are not finite numbers", () => {
    const { nginx: _nginx, ...rest } = telemetry();
    const values = flattenTelemetry({ ...rest, processes: [], prometheus: { nan: Number.NaN } });
    expect(Object.keys(values).filter((k) => !k.startsWith("host."))).toEqual([]);
  });
});

describe("matching telemetry to runs", () => {
  const run = { startedAt: 1_000_000, finishedAt: 1_060_000 };

  it("takes an agent whose labels include every label of the selector", () => {
    expect(labelsInclude({ service: "api", host: "a" }, { service: "api" })).toBe(true);
    expect(labelsInclude({ service: "web" }, { service: "api" })).toBe(false);
    expect(labelsInclude({ host: "a" }, { service: "api", host: "a" })).toBe(false);
    expect(labelsInclude({ service: "api" }, {})).toBe(false);
    expect(labelsInclude({}, { toString: "x" })).toBe(false);
  });

  it("places telemetry on the run's seconds since its start, rounded down, only within its span", () => {
    expect(runSecondOf(run, 1_000_000)).toBe(0);
    expect(runSecondOf(run, 1_001_999)).toBe(1);
    expect(runSecondOf(run, 1_060_000)).toBe(60);
    expect(runSecondOf(run, 999_999)).toBeNull();
    expect(runSecondOf(run, 1_060_001)).toBeNull();
    expect(runSecondOf({ ...run, finishedAt: null }, 9_000_000)).toBe(8000);
    expect(runSecondOf(run, Number.NaN)).toBeNull();
  });
});
