import type { MetricComparison, RunComparisonView } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { formatComparison } from "./compare-summary.ts";

const m = (previous: number, current: number, threshold: number, verdict: MetricComparison["verdict"]): MetricComparison => ({
  previous,
  current,
  delta: current - previous,
  relative: previous === 0 ? null : (current - previous) / previous,
  threshold,
  z: null,
  verdict,
});
const metrics = (slower: number, errors: [number, number]) => ({
  p50: m(20, 20 * slower, 1, slower > 1.1 ? "worse" : "same"),
  p90: m(35, 35 * slower, 2, slower > 1.1 ? "worse" : "same"),
  p95: m(40, 40 * slower, 3, slower > 1.1 ? "worse" : "same"),
  p99: m(50, 50 * slower, 8, slower > 1.1 ? "worse" : "same"),
  p999: m(66, 66 * slower, 50, "same"),
  errorRate: m(errors[0], errors[1], 0.01, errors[1] > errors[0] + 0.01 ? "worse" : "same"),
  rps: m(40, 40.4, 2, "same"),
});

const comparison: RunComparisonView = {
  runId: "r2",
  comparedWith: { runId: "r1", loadTestId: "t1", via: "baseline", startedAt: "2026-12-01T10:00:00.000Z" },
  sameTest: true,
  verdict: "worse",
  counts: { worse: 6, better: 0, same: 15 },
  overall: { requests: { current: 4800, previous: 4800 }, metrics: metrics(1.5, [0.00125, 0.05]) },
  endpoints: [
    { name: "home", method: "GET", in: "both", requests: { current: 2400, previous: 2400 }, metrics: metrics(2, [0, 0]) },
    { name: "login", method: "POST", in: "both", requests: { current: 2400, previous: 2400 }, metrics: metrics(1.009, [0.0025, 0.1]) },
    { name: "logout", method: "POST", in: "current", requests: { current: 10, previous: 0 }, metrics: null },
  ],
  method: { relativeFloor: 0.05, k: 3, bucketSec: { current: 10, previous: 10 } },
};

describe("formatComparison", () => {
  it("heads with the verdict, then the whole run's figures, then each endpoint's changes", () => {
    const lines = formatComparison(comparison).split("\n");
    expect(lines[0]).toBe("compared with run r1 (the load test's baseline): WORSE (6 worse, 0 better, 15 the same)");
    expect(lines[2]).toMatch(/^TOTAL\s+previous\s+current\s+change\s+noise ±\s+verdict$/);
    expect(lines[4]).toMatch(/^p50 ms\s+20\.00\s+30\.00\s+\+50%\s+1\.00\s+worse$/);
    expect(lines[9]).toMatch(/^errors\s+0\.13%\s+5\.00%\s+\+3900%\s+1\.00%\s+worse$/);
    expect(lines[10]).toMatch(/^rps\s+40\.0\s+40\.4\s+\+1\.0%\s+2\.0\s+same$/);
    // The rows of the first table line up.
    expect(new Set(lines.slice(2, 11).map((l) => l.length)).size).toBeLessThanOrEqual(2);
    expect(lines[12]).toMatch(/^endpoint\s+p50 ms\s+p90 ms\s+p95 ms\s+p99 ms\s+p99\.9 ms\s+errors\s+rps$/);
    expect(lines[14]).toMatch(/^GET home\s+\+100% worse\s+\+100% worse\s+\+100% worse\s+\+100% worse\s+\+100%\s+±0\.00%\s+\+1\.0%$/);
    expect(lines[15]).toMatch(/^POST login\s+\+0\.9%\s+\+0\.9%\s+\+0\.9%\s+\+0\.9%\s+\+0\.9%\s+\+3900% worse\s+\+1\.0%$/);
    expect(lines[16]).toMatch(/^POST logout\s+only in this run$/);
    expect(lines.at(-1)).toBe("a change counts beyond 5% and 3 standard errors of the runs' own noise (docs/compare.md)");
  });

  it("says when the other run is of another test, and when there is nothing to compare", () => {
    const text = formatComparison({
      ...comparison,
      comparedWith: { ...comparison.comparedWith, via: "run", loadTestId: "t9" },
      sameTest: false,
      verdict: "same",
      counts: { worse: 0, better: 0, same: 0 },
      overall: { requests: { current: 0, previous: 4800 }, metrics: null },
      endpoints: [],
    });
    expect(text.split("\n").slice(0, 4)).toEqual([
      "compared with run r1 (a run): SAME (0 worse, 0 better, 0 the same)",
      "  note: run r1 is of another load test (t9)",
      "",
      "TOTAL: nothing to compare (requests: 0 now, 4800 before)",
    ]);
  });
});
