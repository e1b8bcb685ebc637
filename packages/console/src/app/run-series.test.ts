import { describe, expect, it } from "vitest";
import { RunSeries } from "./run-series.ts";
import type { LiveSecond } from "./types.ts";

function second(s: number, requests: number, extra: Partial<LiveSecond["all"]> = {}): LiveSecond {
  const point = {
    time: new Date(s * 1000).toISOString(),
    requests,
    failures: 0,
    rps: requests,
    errorRate: 0,
    p50: 10,
    p90: 20,
    p95: 30,
    p99: 40,
    p999: 50,
    min: 1,
    max: 60,
    mean: 12,
    users: 5,
    interrupted: 0,
    interruptedIterations: 0,
  };
  return {
    second: s,
    time: point.time,
    all: {
      ...point,
      droppedIterations: 0,
      checksPassed: 0,
      checksFailed: 0,
      statusCodes: { "200": requests },
      failuresByKind: {},
      ...extra,
    },
    endpoints: [],
  };
}

describe("RunSeries", () => {
  it("appends seconds in columns and keeps running totals", () => {
    const s = new RunSeries();
    s.add(second(100, 10));
    s.add(
      second(101, 20, {
        failures: 2,
        errorRate: 0.1,
        failuresByKind: { "5xx": 2 },
        statusCodes: { "200": 18, "500": 2 },
        droppedIterations: 3,
      }),
    );
    expect(s.cols.t).toEqual([100, 101]);
    expect(s.cols.rps).toEqual([10, 20]);
    expect(s.cols.errorRate).toEqual([0, 10]);
    expect(s.totals).toMatchObject({
      requests: 30,
      failures: 2,
      dropped: 3,
      statusCodes: { "200": 28, "500": 2 },
      failuresByKind: { "5xx": 2 },
    });
    expect(s.latest?.second).toBe(101);
  });

  it("replaces a second sent again (a late window), in the columns and the totals", () => {
    const s = new RunSeries();
    s.add(second(100, 10));
    s.add(second(101, 20));
    const v = s.version;
    s.add(second(100, 15, { statusCodes: { "200": 14, "503": 1 }, failures: 1, failuresByKind: { "5xx": 1 } }));
    expect(s.version).toBeGreaterThan(v);
    expect(s.length).toBe(2);
    expect(s.cols.t).toEqual([100, 101]);
    expect(s.cols.requests).toEqual([15, 20]);
    expect(s.totals.requests).toBe(35);
    expect(s.totals.failures).toBe(1);
    expect(s.totals.statusCodes).toEqual({ "200": 34, "503": 1 });
  });

  it("puts a second arriving out of order in its place, and replaces it later by its second", () => {
    const s = new RunSeries();
    s.add(second(100, 1));
    s.add(second(103, 4));
    s.add(second(101, 2));
    expect(s.cols.t).toEqual([100, 101, 103]);
    expect(s.cols.requests).toEqual([1, 2, 4]);
    s.add(second(103, 40));
    s.add(second(101, 20));
    expect(s.cols.requests).toEqual([1, 20, 40]);
    expect(s.totals.requests).toBe(61);
    expect(s.latest?.all.requests).toBe(40);
  });

  it("forgets a status code whose count went back to zero", () => {
    const s = new RunSeries();
    s.add(second(100, 2, { statusCodes: { "500": 2 } }));
    s.add(second(100, 2, { statusCodes: { "200": 2 } }));
    expect(s.totals.statusCodes).toEqual({ "200": 2 });
  });

  it("holds an hour of seconds and answers the peak users", () => {
    const s = new RunSeries();
    for (let i = 0; i < 3600; i++) s.add(second(1000 + i, 100, { users: i % 50 }));
    expect(s.length).toBe(3600);
    expect(s.totals.requests).toBe(360_000);
    expect(s.peakUsers()).toBe(49);
  });
});
