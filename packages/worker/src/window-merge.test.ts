import { decodeHistogram, encodeHistogram, type MetricWindow, newLatencyHistogram } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { mergeWindows } from "./window-merge.ts";

const histogramOf = (...values: number[]) => {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h);
};

const part = (over: Partial<MetricWindow>): MetricWindow => ({
  runId: "r1",
  workerId: "w1",
  second: 100,
  activeUsers: 2,
  requests: [],
  iterations: 3,
  droppedIterations: 1,
  checksPassed: 4,
  checksFailed: 0,
  ...over,
});

describe("mergeWindows", () => {
  it("adds the threads' parts of one second exactly", () => {
    const a = part({
      requests: [
        {
          name: "/a",
          method: "GET",
          count: 2,
          failures: 1,
          bytesIn: 10,
          bytesOut: 0,
          histogram: histogramOf(1000, 3000),
          serviceHistogram: histogramOf(900, 1000),
          failuresByKind: { "5xx": 1 },
          statusCodes: { "200": 1, "500": 1 },
        },
      ],
    });
    const b = part({
      activeUsers: 3,
      checksFailed: 2,
      requests: [
        {
          name: "/a",
          method: "GET",
          count: 1,
          failures: 1,
          bytesIn: 0,
          bytesOut: 5,
          histogram: histogramOf(9000),
          serviceHistogram: histogramOf(8000),
          failuresByKind: { connect: 1 },
          statusCodes: {},
        },
        {
          name: "/a",
          method: "POST",
          count: 1,
          failures: 0,
          bytesIn: 1,
          bytesOut: 1,
          histogram: histogramOf(50),
          serviceHistogram: histogramOf(50),
          failuresByKind: {},
          statusCodes: { "201": 1 },
        },
      ],
    });
    const w = mergeWindows([a, b]);
    expect(w).toMatchObject({ second: 100, activeUsers: 5, iterations: 6, droppedIterations: 2, checksPassed: 8, checksFailed: 2 });
    expect(w.requests).toHaveLength(2);
    const get = w.requests.find((r) => r.method === "GET")!;
    expect(get).toMatchObject({
      count: 3,
      failures: 2,
      bytesIn: 10,
      bytesOut: 5,
      failuresByKind: { "5xx": 1, connect: 1 },
      statusCodes: { "200": 1, "500": 1 },
    });
    const h = decodeHistogram(get.histogram);
    expect(h.totalCount).toBe(3);
    expect(h.maxValue).toBeGreaterThanOrEqual(8990);
    expect(decodeHistogram(get.serviceHistogram!).totalCount).toBe(3);
  });

  it("adds the interrupted requests and iterations, leaving them out when no part has any", () => {
    const request = { name: "/a", method: "GET", count: 1, failures: 0, bytesIn: 0, bytesOut: 0, histogram: histogramOf(100) };
    const w = mergeWindows([
      part({ requests: [{ ...request, interrupted: 2 }], interruptedIterations: 2 }),
      part({ requests: [request] }),
      part({ requests: [{ ...request, interrupted: 1 }], interruptedIterations: 1 }),
    ]);
    expect(w.requests).toMatchObject([{ count: 3, failures: 0, interrupted: 3 }]);
    expect(w.interruptedIterations).toBe(3);
    const none = mergeWindows([part({ requests: [request] }), part({ requests: [request] })]);
    expect(none.requests[0]).not.toHaveProperty("interrupted");
    expect(none).not.toHaveProperty("interruptedIterations");
  });

  it("says a second was paused when any thread's part does", () => {
    expect(mergeWindows([part({}), part({ paused: true })]).paused).toBe(true);
    expect(mergeWindows([part({}), part({})])).not.toHaveProperty("paused");
  });

  it("refuses parts of different seconds", () => {
    expect(() => mergeWindows([part({}), part({ second: 101 })])).toThrow();
  });
});
