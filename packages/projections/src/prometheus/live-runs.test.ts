import { describe, expect, it } from "vitest";
import { LiveRuns } from "./live-runs.ts";
import type { Sample } from "./run-series.ts";
import { OTHER_REQUESTS } from "./series-limits.ts";
import { request, window } from "./test-windows.ts";

const NOW = 1_800_000_000_000;
const S = NOW / 1000 - 10;
const limits = { maxRuns: 2, maxRequestsPerRun: 2, retentionSec: 300 };

const value = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

describe("LiveRuns", () => {
  it("sums a run's windows over workers and seconds, per request name, with its latency buckets", () => {
    const runs = new LiveRuns(limits);
    runs.add(
      [
        window({
          second: S,
          workerId: "w1",
          activeUsers: 2,
          iterations: 4,
          droppedIterations: 1,
          requests: [request("home", [800, 3000], { statusCodes: { "200": 2 } })],
        }),
        window({
          second: S,
          workerId: "w2",
          activeUsers: 5,
          requests: [request("home", [20_000], { failuresByKind: { "5xx": 1 }, statusCodes: { "503": 1 } })],
        }),
        window({
          second: S + 1,
          workerId: "w1",
          activeUsers: 4,
          requests: [request("home", [2_000_000], { failuresByKind: { timeout: 1 } })],
        }),
      ],
      NOW,
    );
    const samples = runs.samples(NOW);
    const home = { tenant: "acme", run_id: "r1", method: "GET", request: "home" };
    expect(value(samples, "loadline_run_requests_total", home)).toBe(4);
    expect(value(samples, "loadline_run_failures_total", { ...home, kind: "5xx" })).toBe(1);
    expect(value(samples, "loadline_run_failures_total", { ...home, kind: "timeout" })).toBe(1);
    expect(value(samples, "loadline_run_responses_total", { ...home, status_class: "2xx" })).toBe(2);
    expect(value(samples, "loadline_run_responses_total", { ...home, status_class: "5xx" })).toBe(1);
    const bucket = (le: string) => value(samples, "loadline_run_request_duration_seconds_bucket", { ...home, le });
    expect([bucket("0.001"), bucket("0.005"), bucket("0.025"), bucket("2.5"), bucket("+Inf")]).toEqual([1, 2, 3, 4, 4]);
    expect(value(samples, "loadline_run_request_duration_seconds_count", home)).toBe(4);
    expect(value(samples, "loadline_run_request_duration_seconds_sum", home)).toBeCloseTo(2.0238, 2);
    // Users now: each worker's newest window (w1 at S+1: 4, w2 at S: 5).
    expect(value(samples, "loadline_run_vus")).toBe(9);
    expect(value(samples, "loadline_run_iterations_total")).toBe(4);
    expect(value(samples, "loadline_run_iterations_dropped_total")).toBe(1);
  });

  it("gives at most maxRequestsPerRun names series of their own, the rest summed as _other", () => {
    const runs = new LiveRuns(limits);
    runs.add([window({ second: S, requests: ["a", "b", "c", "d"].map((n) => request(n, [1000])) })], NOW);
    runs.add([window({ second: S + 1, requests: [request("a", [1000]), request("e", [1000])] })], NOW);
    const samples = runs.samples(NOW);
    const requests = samples.filter((s) => s.name === "loadline_run_requests_total");
    expect(requests.map((s) => [s.labels.request, s.value])).toEqual([
      ["a", 2],
      ["b", 1],
      [OTHER_REQUESTS, 3],
    ]);
  });

  it("keeps at most maxRuns runs, dropping the one whose newest second is oldest, and none past the retention", () => {
    const runs = new LiveRuns(limits);
    runs.add([window({ runId: "old", second: S - 5 }), window({ runId: "mid", second: S - 2 }), window({ runId: "new", second: S })], NOW);
    const runIds = (at: number) => [...new Set(runs.samples(at).map((s) => s.labels.run_id))].sort();
    expect(runIds(NOW)).toEqual(["mid", "new"]);
    runs.add([window({ runId: "ancient", second: S - 400 })], NOW);
    expect(runIds(NOW)).toEqual(["mid", "new"]);
    expect(runIds(NOW + 289_000)).toEqual(["new"]);
    expect(runIds(NOW + 291_000)).toEqual([]);
  });

  it("folds failure kinds and status codes it does not know into closed sets", () => {
    const runs = new LiveRuns(limits);
    runs.add(
      [
        window({
          second: S,
          requests: [request("x", [1000, 1000], { failuresByKind: { weird: 1, connect: 1 }, statusCodes: { "0": 1, "99": 1 } })],
        }),
      ],
      NOW,
    );
    const samples = runs.samples(NOW);
    expect(
      samples
        .filter((s) => s.name === "loadline_run_failures_total")
        .map((s) => s.labels.kind)
        .sort(),
    ).toEqual(["connect", "other"]);
    expect(value(samples, "loadline_run_responses_total", { status_class: "other" })).toBe(2);
  });
});
