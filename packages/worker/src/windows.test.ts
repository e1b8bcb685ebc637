import { decodeHistogram, GENERATOR_BOUNDS, metricWindowSchema } from "@loadline/core";
import { describe, expect, it, vi } from "vitest";
import { GeneratorProbe } from "./engine/generator-probe.ts";
import { currentSecond, type RequestSample, WindowAccumulator } from "./windows.ts";

type TestSample = Partial<RequestSample> & { latencyUs?: number; serviceUs?: number; ok?: boolean };

/** A request as the tests write it: ok false means a 500. */
const sample = (over: TestSample = {}): [RequestSample, number, number] => {
  const { latencyUs = 1500, serviceUs = latencyUs, ok = true, ...rest } = over;
  return [
    {
      name: "GET /a",
      method: "GET",
      status: ok ? 200 : 500,
      failure: ok ? null : "5xx",
      bytesIn: 10,
      bytesOut: 0,
      checksPassed: 0,
      checksFailed: 0,
      ...rest,
    },
    latencyUs,
    serviceUs,
  ];
};

describe("WindowAccumulator", () => {
  it("builds one window per finished second, per request name", () => {
    const acc = new WindowAccumulator("r1", "w1", 100);
    acc.setActiveUsers(2, 100);
    acc.record(100, ...sample());
    acc.record(100, ...sample({ latencyUs: 2500, ok: false, bytesIn: 5 }));
    acc.record(100, ...sample({ name: "login", method: "POST", bytesOut: 7 }));
    acc.record(101, ...sample());

    const windows = acc.closeBefore(101);
    expect(windows).toHaveLength(1);
    const w = metricWindowSchema.parse(windows[0]);
    expect(w).toMatchObject({ runId: "r1", workerId: "w1", second: 100, activeUsers: 2 });
    expect(w.requests.map(({ histogram: _, serviceHistogram: __, ...r }) => r)).toEqual([
      {
        name: "GET /a",
        method: "GET",
        count: 2,
        failures: 1,
        bytesIn: 15,
        bytesOut: 0,
        failuresByKind: { "5xx": 1 },
        statusCodes: { "200": 1, "500": 1 },
      },
      { name: "login", method: "POST", count: 1, failures: 0, bytesIn: 10, bytesOut: 7, failuresByKind: {}, statusCodes: { "200": 1 } },
    ]);
    const h = decodeHistogram(w.requests[0]!.histogram);
    expect(h.totalCount).toBe(2);
    expect(h.maxValue).toBeGreaterThanOrEqual(2490);
    expect(acc.openSecond).toBe(101);
  });

  it("gives a window to every second, even without requests, exactly once", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.setActiveUsers(3, 10);
    acc.record(12, ...sample());
    const first = acc.closeBefore(14);
    expect(first.map((w) => [w.second, w.requests.length, w.activeUsers])).toEqual([
      [10, 0, 3],
      [11, 0, 3],
      [12, 1, 3],
      [13, 0, 3],
    ]);
    expect(acc.closeBefore(14)).toEqual([]);
    expect(acc.closeBefore(12)).toEqual([]);
  });

  it("counts a sample for an already closed second in the first open one", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.closeBefore(12);
    acc.record(10, ...sample()); // the clock stepped back
    const [w] = acc.closeBefore(13);
    expect(w!.second).toBe(12);
    expect(w!.requests[0]!.count).toBe(1);
  });

  it("reports the peak of active users during a second", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.setActiveUsers(1, 10);
    acc.setActiveUsers(4, 10);
    acc.setActiveUsers(0, 10);
    const [w10, w11] = acc.closeBefore(12);
    expect(w10!.activeUsers).toBe(4);
    expect(w11!.activeUsers).toBe(0);
  });

  it("finishes with the partial current second and nothing after", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.record(10, ...sample());
    acc.closeBefore(11);
    acc.record(11, ...sample({ ok: false }));
    const last = acc.finish(11);
    expect(last.map((w) => w.second)).toEqual([11]);
    expect(acc.totals).toEqual({ requests: 2, failures: 1 });
    expect(acc.closeBefore(20)).toEqual([]);
    expect(() => acc.record(12, ...sample())).toThrow();
  });

  it("finishes with a sample stamped ahead of the current second too", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.record(12, ...sample());
    const windows = acc.finish(11);
    expect(windows.map((w) => w.second)).toEqual([10, 11, 12]);
    expect(windows.reduce((n, w) => n + (w.requests[0]?.count ?? 0), 0)).toBe(1);
  });
});

describe("WindowAccumulator, extended figures", () => {
  it("keeps latency and service time apart, and counts failures by kind and responses by status", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.record(10, ...sample({ latencyUs: 300_000, serviceUs: 1000 }));
    acc.record(10, ...sample({ status: null, failure: "connect", latencyUs: 50, bytesIn: 0 }));
    acc.record(10, ...sample({ status: 200, failure: "check", checksPassed: 1, checksFailed: 2 }));
    acc.record(10, ...sample({ method: "POST", status: 404, failure: "4xx", checksPassed: 3 }));
    const [w] = acc.closeBefore(11);
    const get = w!.requests.find((r) => r.method === "GET")!;
    expect(get).toMatchObject({ count: 3, failures: 2, failuresByKind: { connect: 1, check: 1 }, statusCodes: { "200": 2 } });
    expect(decodeHistogram(get.histogram).maxValue).toBeGreaterThanOrEqual(299_000);
    expect(decodeHistogram(get.serviceHistogram!).maxValue).toBeLessThan(2000);
    expect(w!.requests.find((r) => r.method === "POST")).toMatchObject({
      count: 1,
      failures: 1,
      failuresByKind: { "4xx": 1 },
      statusCodes: { "404": 1 },
    });
    expect(w).toMatchObject({ checksPassed: 4, checksFailed: 2 });
    expect(acc.totals).toEqual({ requests: 4, failures: 3 });
  });

  it("counts iterations finished and dropped per second", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.recordIteration(10);
    acc.recordIteration(10);
    acc.recordDropped(11, 3);
    acc.recordIteration(11);
    const windows = acc.closeBefore(13);
    expect(windows.map((w) => [w.second, w.iterations, w.droppedIterations])).toEqual([
      [10, 2, 0],
      [11, 1, 3],
      [12, 0, 0],
    ]);
    expect(windows.every((w) => metricWindowSchema.safeParse(w).success)).toBe(true);
  });

  it("flags saturated a second whose drops came late (the generator's), not one whose drops mostly started on time", () => {
    // Not begun measuring: the probe's own figures are all quiet, so only the drops decide.
    const acc = new WindowAccumulator("r1", "w1", 10, new GeneratorProbe());
    const late = GENERATOR_BOUNDS.droppedLateMs;
    acc.recordDropped(10, 5, late - 0.1);
    acc.recordDropped(11, 1, 0.2);
    acc.recordDropped(11, 2, late);
    // A slow target's second: its drops on time, and a few a stall of the generator made late.
    acc.recordDropped(12, 90, 0.3);
    acc.recordDropped(12, 10, late + 20);
    const windows = acc.closeBefore(14);
    expect(windows.map((w) => [w.second, w.droppedIterations, w.generator?.saturated])).toEqual([
      [10, 5, false],
      [11, 3, true],
      [12, 100, false],
      [13, 0, false],
    ]);
    acc.finish(14);
  });

  it("counts a request interrupted at the stop apart: not a request, not a failure, no latency, no bytes", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.record(10, ...sample({ latencyUs: 2000 }));
    // Held 15 s by an overloaded target when the stop gave up on it.
    acc.record(10, ...sample({ status: null, failure: null, bytesIn: 0, interrupted: true, latencyUs: 15_000_000 }));
    acc.record(10, ...sample({ name: "/slow", status: null, failure: null, bytesIn: 0, interrupted: true, latencyUs: 15_000_000 }));
    acc.recordIteration(10);
    acc.recordIteration(10, true);
    acc.recordIteration(10, true);
    const [w] = acc.closeBefore(11);
    expect(metricWindowSchema.safeParse(w).success).toBe(true);
    expect(w!.requests.map(({ histogram: _, serviceHistogram: __, ...r }) => r)).toEqual([
      {
        name: "GET /a",
        method: "GET",
        count: 1,
        failures: 0,
        bytesIn: 10,
        bytesOut: 0,
        failuresByKind: {},
        statusCodes: { "200": 1 },
        interrupted: 1,
      },
      { name: "/slow", method: "GET", count: 0, failures: 0, bytesIn: 0, bytesOut: 0, failuresByKind: {}, statusCodes: {}, interrupted: 1 },
    ]);
    for (const r of w!.requests) expect(decodeHistogram(r.serviceHistogram!).maxValue).toBeLessThan(10_000);
    expect(decodeHistogram(w!.requests[0]!.histogram).totalCount).toBe(1);
    expect(decodeHistogram(w!.requests[0]!.histogram).maxValue).toBeLessThan(10_000);
    expect(decodeHistogram(w!.requests[1]!.histogram).totalCount).toBe(0);
    expect(w).toMatchObject({ iterations: 1, interruptedIterations: 2 });
    expect(acc.totals).toEqual({ requests: 1, failures: 0 });
    // A second with none leaves the fields out, as windows before them did.
    acc.record(11, ...sample());
    const [next] = acc.closeBefore(12);
    expect(next!.requests[0]).not.toHaveProperty("interrupted");
    expect(next).not.toHaveProperty("interruptedIterations");
  });

  it("reuses its histograms: a second's figures do not leak into the next", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.record(10, ...sample({ latencyUs: 5000 }));
    acc.closeBefore(11);
    acc.record(11, ...sample({ latencyUs: 100 }));
    const [w] = acc.closeBefore(12);
    const h = decodeHistogram(w!.requests[0]!.histogram);
    expect(h.totalCount).toBe(1);
    expect(h.maxValue).toBeLessThan(200);
  });
});

describe("WindowAccumulator.forget", () => {
  it("forgets a rehearsal's requests, iterations and users: the run's first window holds only the run's", () => {
    const acc = new WindowAccumulator("r1", "w1", 10);
    acc.setActiveUsers(7, 10);
    acc.record(10, ...sample({ latencyUs: 9000 }));
    acc.recordIteration(10, false);
    acc.forget();
    expect(acc.totals).toEqual({ requests: 0, failures: 0 });
    acc.skipTo(12); // the run begins later, as ThreadLoad.begin does
    acc.record(12, ...sample({ latencyUs: 100 }));
    const [w, ...rest] = acc.closeBefore(13);
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ second: 12, activeUsers: 0, iterations: 0 });
    const h = decodeHistogram(w!.requests[0]!.histogram);
    expect(h.totalCount).toBe(1);
    expect(h.maxValue).toBeLessThan(200);
    expect(acc.totals).toEqual({ requests: 1, failures: 0 });
  });

  it("stops the generator probe it started (a run never begun leaves none running), and measures again from the run's begin", () => {
    const probe = new GeneratorProbe();
    const stop = vi.spyOn(probe, "stop");
    const acc = new WindowAccumulator("r1", "w1", currentSecond(), probe);
    acc.beginMeasuring();
    acc.recordTimerSlip(40);
    acc.forget();
    expect(stop).toHaveBeenCalledTimes(1);
    acc.beginMeasuring();
    acc.recordTimerSlip(2);
    const [w] = acc.finish(currentSecond());
    expect(w!.generator!.timerSlipMaxMs).toBeLessThan(3);
  });
});

describe("currentSecond", () => {
  it("says which seconds were paused: from the pause's to the resume's, quiet ones too, and only those", () => {
    const acc = new WindowAccumulator("r1", "w1", 100);
    acc.setActiveUsers(3, 100);
    acc.setPaused(true, 101);
    acc.setActiveUsers(0, 101);
    acc.setPaused(true, 101); // the same again: nothing changes
    // 102 and 103 get no measurement at all; the resume comes in 104, before any of them closed.
    acc.setPaused(false, 104);
    acc.setActiveUsers(3, 104);
    const windows = acc.closeBefore(106);
    expect(windows.map((w) => [w.second, w.paused ?? false, w.activeUsers])).toEqual([
      [100, false, 3],
      [101, true, 3],
      [102, true, 0],
      [103, true, 0],
      [104, true, 3],
      [105, false, 3],
    ]);
    expect(windows.map((w) => metricWindowSchema.parse(w).paused)).toEqual([undefined, true, true, true, true, undefined]);
    // A pause that lasts past a tick: the seconds closed meanwhile say so.
    acc.setPaused(true, 106);
    expect(acc.closeBefore(108).map((w) => w.paused)).toEqual([true, true]);
  });

  it("is the epoch second", () => {
    expect(currentSecond(1_700_000_000_999)).toBe(1_700_000_000);
  });
});
