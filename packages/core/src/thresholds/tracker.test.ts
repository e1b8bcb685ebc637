// The tracker on constructed windows of known histograms: whole-run figures equal the read side's for the
// same windows (any workers, order, duplicates), sliding windows equal a fresh merge of their own seconds,
// a crossing sticks, aborts wait for their delay, baselines, and memory that stays bounded.
import { describe, expect, it } from "vitest";
import { encodeHistogram } from "../histogram/codec.ts";
import { newLatencyHistogram } from "../histogram/latency-histogram.ts";
import { summarizeMerged } from "../histogram/summary.ts";
import { latencies, recorded } from "../histogram/test-support.ts";
import { latencyCurve, requestStats, runCounters } from "../metrics-math.ts";
import { seededRandom } from "../random.ts";
import type { MetricWindow, RequestWindow } from "../schemas/metrics.ts";
import { parseThresholds } from "./parse.ts";
import type { Thresholds } from "./threshold-types.ts";
import { SecondSet, type ThresholdBaseline, ThresholdTracker, type ThresholdTrackerOptions } from "./tracker.ts";

const RUN = "run-1";

/** A request window whose latency histogram holds exactly `samples` (µs), one request each. */
function req(name: string, samples: readonly number[], over: Partial<RequestWindow> = {}): RequestWindow {
  return {
    name,
    method: "GET",
    count: samples.length,
    failures: 0,
    bytesIn: 0,
    bytesOut: 0,
    histogram: encodeHistogram(recorded(samples)),
    ...over,
  };
}

/** `count` requests of `us` µs each. */
function repeated(name: string, us: number, count: number, over: Partial<RequestWindow> = {}): RequestWindow {
  const h = newLatencyHistogram();
  if (count > 0) h.recordValueWithCount(us, count);
  return { ...req(name, [], over), count, histogram: encodeHistogram(h), ...over };
}

function win(workerId: string, second: number, requests: RequestWindow[], over: Partial<MetricWindow> = {}): MetricWindow {
  return { runId: RUN, workerId, second, activeUsers: 1, requests, ...over };
}

function tracker(thresholds: Thresholds, opts: ThresholdTrackerOptions = {}): ThresholdTracker {
  return new ThresholdTracker(parseThresholds(thresholds), opts);
}

/** Observed values by "key: expression". */
function observed(t: ThresholdTracker): Record<string, number | null> {
  return Object.fromEntries(t.results().map((r) => [`${r.metric}: ${r.expression}`, r.observed]));
}

/** Random windows: `workers` × `seconds` × some names, with failures, statuses, service times, checks. */
function randomRun(seed: number, workers: number, seconds: number, names = ["home", "login", "search"]): MetricWindow[] {
  const random = seededRandom(seed);
  const windows: MetricWindow[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let w = 0; w < workers; w++) {
      const requests = names
        .filter(() => random() < 0.9)
        .map((name) => {
          const samples = latencies(random, 1 + Math.floor(random() * 40));
          const failures = Math.floor(random() * Math.min(4, samples.length));
          const timeouts = Math.floor(failures / 2);
          const ok = samples.length - failures;
          return req(name, samples, {
            method: name === "login" && random() < 0.5 ? "POST" : "GET",
            failures,
            failuresByKind: { ...(timeouts ? { timeout: timeouts } : {}), ...(failures - timeouts ? { "5xx": failures - timeouts } : {}) },
            statusCodes: { ...(ok ? { "200": ok } : {}), ...(failures - timeouts ? { "503": failures - timeouts } : {}) },
            serviceHistogram: encodeHistogram(recorded(samples.map((v) => Math.max(1, Math.floor(v / 2))))),
            interrupted: random() < 0.1 ? 1 : 0,
          });
        });
      windows.push(
        win(`w${w}`, 1_700_000_000 + s, requests, {
          iterations: Math.floor(random() * 20),
          droppedIterations: random() < 0.2 ? 1 : 0,
          interruptedIterations: random() < 0.05 ? 1 : 0,
          checksPassed: Math.floor(random() * 30),
          checksFailed: Math.floor(random() * 3),
        }),
      );
    }
  }
  return windows;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Rules that never fail, to read every figure. */
const EVERYTHING: Thresholds = {
  latency: ["p(50) < 1e12", "p(90) < 1e12", "p(95) < 1e12", "p(99) < 1e12", "p(99.9) < 1e12", "min < 1e12", "max < 1e12", "avg < 1e12"],
  "latency{name:login}": ["p(97.5) < 1e12", "p(0) < 1e12", "p(100) < 1e12", "med < 1e12"],
  "latency{name:login,method:POST}": ["p(95) < 1e12"],
  service_time: ["p(95) < 1e12", "max < 1e12"],
  error_rate: ["rate < 1e12"],
  "error_rate{name:search}": ["rate < 1e12"],
  failures: ["count < 1e12", "rate < 1e12"],
  "failures{kind:timeout}": ["count < 1e12", "rate < 1e12"],
  "status{class:2xx}": ["count < 1e12", "rate < 1e12"],
  "status{code:503}": ["count < 1e12"],
  checks: ["rate < 1e12", "passes < 1e12", "fails < 1e12"],
  rps: ["value < 1e12"],
  "rps{name:home}": ["avg < 1e12"],
  requests: ["count < 1e12", "rate < 1e12"],
  iterations: ["count < 1e12", "rate < 1e12"],
  dropped_iterations: ["count < 1e12"],
  interrupted_iterations: ["count < 1e12"],
  interrupted_requests: ["count < 1e12"],
};

describe("ThresholdTracker: whole-run figures", () => {
  it("equal the read side's (requestStats, runCounters, latencyCurve) for the same windows", () => {
    const windows = randomRun(1, 3, 20);
    const t = tracker(EVERYTHING);
    for (const w of windows) t.add(w);
    const seconds = 20;
    const all = windows.flatMap((w) => w.requests);
    const login = all.filter((r) => r.name === "login");
    const stats = requestStats(all, seconds);
    const loginStats = requestStats(login, seconds);
    const counters = runCounters(windows);
    const loginCurve = new Map(latencyCurve(login).percentiles.map((p) => [p.percentile, p.latencyMs]));
    const sum = (record: Record<string, number>, keys: string[]) => keys.reduce((a, k) => a + (record[k] ?? 0), 0);
    const responses = sum(stats.statusCodes, Object.keys(stats.statusCodes));
    expect(observed(t)).toEqual({
      "latency: p(50) < 1e12": stats.latency.p50,
      "latency: p(90) < 1e12": stats.latency.p90,
      "latency: p(95) < 1e12": stats.latency.p95,
      "latency: p(99) < 1e12": stats.latency.p99,
      "latency: p(99.9) < 1e12": stats.latency.p999,
      "latency: min < 1e12": stats.latency.min,
      "latency: max < 1e12": stats.latency.max,
      "latency: avg < 1e12": stats.latency.mean,
      "latency{name:login}: p(97.5) < 1e12": loginCurve.get(97.5),
      "latency{name:login}: p(0) < 1e12": loginCurve.get(0),
      "latency{name:login}: p(100) < 1e12": loginCurve.get(100),
      "latency{name:login}: med < 1e12": loginStats.latency.p50,
      "latency{name:login,method:POST}: p(95) < 1e12": requestStats(
        login.filter((r) => r.method === "POST"),
        seconds,
      ).latency.p95,
      "service_time: p(95) < 1e12": stats.serviceTime!.p95,
      "service_time: max < 1e12": stats.serviceTime!.max,
      "error_rate: rate < 1e12": stats.errorRate,
      "error_rate{name:search}: rate < 1e12": requestStats(
        all.filter((r) => r.name === "search"),
        seconds,
      ).errorRate,
      "failures: count < 1e12": stats.failures,
      "failures: rate < 1e12": stats.failures / stats.requests,
      "failures{kind:timeout}: count < 1e12": stats.failuresByKind.timeout,
      "failures{kind:timeout}: rate < 1e12": stats.failuresByKind.timeout! / stats.requests,
      "status{class:2xx}: count < 1e12": stats.statusCodes["200"],
      "status{class:2xx}: rate < 1e12": stats.statusCodes["200"]! / responses,
      "status{code:503}: count < 1e12": stats.statusCodes["503"],
      "checks: rate < 1e12": counters.checksPassed / (counters.checksPassed + counters.checksFailed),
      "checks: passes < 1e12": counters.checksPassed,
      "checks: fails < 1e12": counters.checksFailed,
      "rps: value < 1e12": stats.rps,
      "rps{name:home}: avg < 1e12": requestStats(
        all.filter((r) => r.name === "home"),
        seconds,
      ).rps,
      "requests: count < 1e12": stats.requests,
      "requests: rate < 1e12": stats.rps,
      "iterations: count < 1e12": counters.iterations,
      "iterations: rate < 1e12": counters.iterations / seconds,
      "dropped_iterations: count < 1e12": counters.droppedIterations,
      "interrupted_iterations: count < 1e12": counters.interruptedIterations,
      "interrupted_requests: count < 1e12": stats.interrupted,
    });
    // The percentiles really are the merged ones, not some approximation that happens to agree.
    expect(stats.latency.p999).toBe(summarizeMerged(all.map((r) => r.histogram)).p999);
    expect(t.results().every((r) => r.passed)).toBe(true);
  });

  it("exact on known values: 1..1000 µs split over workers and seconds", () => {
    // Every value below 2048 µs has its own bucket: the percentiles are the order statistics.
    const t = tracker({
      latency: ["p(95) < 0.9", "p(50) < 1", "max < 1", "min > 0", "mean < 1", "p(99.9) < 1"],
      error_rate: ["rate < 0.01"],
    });
    for (let w = 0; w < 4; w++) {
      for (let s = 0; s < 5; s++) {
        const samples = Array.from({ length: 50 }, (_, i) => 1 + w * 250 + s * 50 + i);
        t.add(win(`w${w}`, 100 + s, [req("home", samples, { failures: w === 0 && s === 0 ? 20 : 0 })]));
      }
    }
    expect(t.results()).toEqual([
      { metric: "latency", expression: "p(95) < 0.9", observed: 0.95, passed: false, abortOnFail: false },
      { metric: "latency", expression: "p(50) < 1", observed: 0.5, passed: true, abortOnFail: false },
      { metric: "latency", expression: "max < 1", observed: 1, passed: false, abortOnFail: false },
      { metric: "latency", expression: "min > 0", observed: 0.001, passed: true, abortOnFail: false },
      { metric: "latency", expression: "mean < 1", observed: 0.501, passed: true, abortOnFail: false },
      { metric: "latency", expression: "p(99.9) < 1", observed: 0.999, passed: true, abortOnFail: false },
      { metric: "error_rate", expression: "rate < 0.01", observed: 0.02, passed: false, abortOnFail: false },
    ]);
    expect(t.crossed().map((r) => r.expression)).toEqual(["p(95) < 0.9", "max < 1", "rate < 0.01"]);
  });

  it("the same whatever the order, with duplicates and late windows", () => {
    const windows = randomRun(2, 4, 15);
    const inOrder = tracker(EVERYTHING);
    for (const w of windows) inOrder.add(w);
    const mixed = tracker(EVERYTHING);
    // Shuffled, each sent twice (a redelivery), the first ten seconds of one worker arriving last.
    const late = windows.filter((w) => w.workerId === "w3" && w.second < 1_700_000_010);
    const rest = windows.filter((w) => !late.includes(w));
    for (const w of [...shuffled([...rest, ...rest], 3), ...late, ...late]) mixed.add(w);
    expect(mixed.results()).toEqual(inOrder.results());
    // A second already given by a worker counts once: the first copy, as the read side keeps it.
    const once = tracker({ requests: ["count < 1e12"] });
    once.add(win("a", 1, [repeated("x", 1000, 5)]));
    once.add(win("a", 1, [repeated("x", 1000, 7)]));
    once.add(win("b", 1, [repeated("x", 1000, 7)]));
    expect(once.results()[0]!.observed).toBe(12);
  });

  it("scopes by scenario through scenarioOf, and by name and method", () => {
    const scenarioOf = (name: string) => ({ home: "browse", search: "browse", login: "auth" })[name];
    const t = tracker(
      {
        "requests{scenario:browse}": ["count > 0"],
        "requests{scenario:auth}": ["count > 0"],
        "requests{name:login,method:POST}": ["count > 0"],
      },
      { scenarioOf },
    );
    t.add(
      win("a", 1, [
        repeated("home", 1000, 3),
        repeated("search", 1000, 4),
        repeated("login", 1000, 5),
        repeated("login", 1000, 6, { method: "POST" }),
      ]),
    );
    expect(t.results().map((r) => r.observed)).toEqual([7, 11, 6]);
    // Without scenarioOf, no request is in a scenario.
    const none = tracker({ "requests{scenario:browse}": ["count > 0"] });
    none.add(win("a", 1, [repeated("home", 1000, 3)]));
    expect(none.results()[0]).toMatchObject({ observed: 0, passed: false });
  });

  it("nothing measured: observed null, passed; a count of nothing measured yet is 0", () => {
    const t = tracker({
      latency: ["p(95) < 1"],
      error_rate: ["rate < 0.1"],
      checks: ["rate > 0.9"],
      requests: ["count > 10"],
      rps: ["value > 1"],
    });
    expect(t.results().map((r) => [r.observed, r.passed])).toEqual([
      [null, true],
      [null, true],
      [null, true],
      [null, true],
      [null, true],
    ]);
    t.add(win("a", 1, [])); // a window, but no requests and no checks
    expect(t.results().map((r) => [r.observed, r.passed])).toEqual([
      [null, true],
      [null, true],
      [null, true],
      [0, false],
      [0, false],
    ]);
  });

  it("refuses a histogram that does not decode before counting anything", () => {
    const t = tracker({ latency: ["max < 1e12"], requests: ["count < 1e12"] });
    t.add(win("a", 1, [repeated("x", 1000, 2)]));
    expect(() => t.add(win("a", 2, [repeated("x", 1000, 3), { ...repeated("y", 1000, 4), histogram: "AAAA" }]))).toThrow(
      /not an encoded histogram/,
    );
    expect(t.results().map((r) => r.observed)).toEqual([1, 2]);
    // The second was not taken: a good copy of it still counts.
    t.add(win("a", 2, [repeated("x", 1000, 3)]));
    expect(t.results().map((r) => r.observed)).toEqual([1, 5]);
  });
});

/** Window values a fresh computation gives, for windows of `length` over seconds [first, last]. */
function freshWindows(windows: readonly MetricWindow[], first: number, last: number, length: number) {
  const out: { p95: number; min: number; max: number; errorRate: number | null; rps: number }[] = [];
  for (let start = first; start + length - 1 <= last; start++) {
    const inside = windows.filter((w) => w.second >= start && w.second < start + length).flatMap((w) => w.requests);
    const latency = summarizeMerged(inside.map((r) => r.histogram));
    const count = inside.reduce((a, r) => a + r.count, 0);
    const failures = inside.reduce((a, r) => a + r.failures, 0);
    out.push({ p95: latency.p95, min: latency.min, max: latency.max, errorRate: count ? failures / count : null, rps: count / length });
  }
  return out;
}

describe("ThresholdTracker: sliding windows", () => {
  it("each window's figures equal a fresh merge of its own seconds, windows arriving late within lateSec", () => {
    const windows = randomRun(4, 3, 40);
    const over = (threshold: string) => ({ threshold, over: "7s" });
    const thresholds: Thresholds = {
      latency: [over("p(95) < 1e12"), over("min < 1e12"), over("max > -1"), over("p(95) > -1")],
      error_rate: [over("rate < 2")],
      rps: [over("value > -1"), over("value < 1e12")],
    };
    const t = tracker(thresholds, { lateSec: 3 });
    // Each worker in order (as it publishes), w1 1 s and w2 2 s behind w0, with some seconds a further second late.
    const delay: Record<string, number> = { w0: 0, w1: 1, w2: 2 };
    const arrivals = windows
      .map((w) => ({ w, at: w.second + delay[w.workerId]! + (w.second % 3 === 0 ? 1 : 0) }))
      .sort((a, b) => a.at - b.at);
    for (const { w } of arrivals) t.add(w);
    t.finish();
    const fresh = freshWindows(windows, 1_700_000_000, 1_700_000_039, 7);
    const max = (xs: number[]) => Math.max(...xs);
    const min = (xs: number[]) => Math.min(...xs);
    expect(t.results().map((r) => r.observed)).toEqual([
      max(fresh.map((f) => f.p95)),
      max(fresh.map((f) => f.min)),
      min(fresh.map((f) => f.max)),
      min(fresh.map((f) => f.p95)),
      max(fresh.map((f) => f.errorRate!)),
      min(fresh.map((f) => f.rps)),
      max(fresh.map((f) => f.rps)),
    ]);
    expect(t.results().every((r) => r.passed && r.over === "7s")).toBe(true);
  });

  it("a window that crossed once keeps the rule failed after it recovers; the whole run may pass", () => {
    const t = tracker({ error_rate: ["rate < 0.1", { threshold: "rate < 0.1", over: "5s" }] });
    for (let s = 0; s < 60; s++) {
      const failures = s >= 20 && s < 25 ? 30 : 0; // 5 s at 30 %
      t.add(win("a", s, [repeated("x", 1000, 100, { failures })]));
    }
    t.finish();
    expect(t.results()).toEqual([
      { metric: "error_rate", expression: "rate < 0.1", observed: 150 / 6000, passed: true, abortOnFail: false },
      { metric: "error_rate", expression: "rate < 0.1", observed: 0.3, passed: false, abortOnFail: false, over: "5s" },
    ]);
    expect(t.crossed()).toHaveLength(1);
  });

  it("== and != report the first crossing window, else the latest", () => {
    const t = tracker({
      requests: [
        { threshold: "count == 10", over: "2s" },
        { threshold: "count != 99", over: "2s" },
      ],
    });
    for (const [s, n] of [
      [0, 5],
      [1, 5],
      [2, 6],
      [3, 7],
    ] as const)
      t.add(win("a", s, [repeated("x", 1000, n)]));
    t.finish();
    expect(t.results().map((r) => [r.observed, r.passed])).toEqual([
      [11, false],
      [13, true],
    ]);
  });

  it("waits for late windows: every worker past the end, or lateSec, or finish()", () => {
    const t = tracker({ requests: [{ threshold: "count > 15", over: "2s" }] }, { lateSec: 3 });
    t.add(win("a", 0, [repeated("x", 1000, 10)]));
    t.add(win("b", 0, [repeated("x", 1000, 10)]));
    t.add(win("a", 1, [repeated("x", 1000, 10)]));
    // [0, 1] is complete for a, not for b: not evaluated yet (observed null).
    expect(t.results()[0]).toMatchObject({ observed: null, passed: true });
    t.add(win("b", 1, [repeated("x", 1000, 10)]));
    expect(t.results()[0]).toMatchObject({ observed: 40, passed: true });
    // b stops; a goes on alone: [1, 2] waits until a is 3 s past it.
    t.add(win("a", 2, [repeated("x", 1000, 1)]));
    t.add(win("a", 4, [repeated("x", 1000, 1)]));
    expect(t.results()[0]!.observed).toBe(40);
    t.add(win("a", 5, [repeated("x", 1000, 1)]));
    // [1, 2] = 10 + 10 + 1 = 21; then [2, 3] = 1 crosses once a is at 6.
    expect(t.results()[0]).toMatchObject({ observed: 21, passed: true });
    t.add(win("a", 6, [repeated("x", 1000, 1)]));
    expect(t.results()[0]).toMatchObject({ observed: 1, passed: false });
    // finish() evaluates the rest: [3, 4], [4, 5].
    const f = tracker({ requests: [{ threshold: "count < 3", over: "2s" }] }, { lateSec: 10 });
    f.add(win("a", 0, [repeated("x", 1000, 1)]));
    f.add(win("b", 0, [repeated("x", 1000, 1)]));
    f.add(win("a", 1, [repeated("x", 1000, 1)]));
    expect(f.results()[0]!.observed).toBeNull();
    f.finish();
    expect(f.results()[0]).toMatchObject({ observed: 3, passed: false });
  });

  it("late data for a second the current window holds is taken out with it when the window moves on", () => {
    const t = tracker(
      {
        requests: [
          { threshold: "count > -1", over: "3s" },
          { threshold: "count < 1e9", over: "3s" },
        ],
        latency: [{ threshold: "max < 1e9", over: "3s" }],
      },
      { lateSec: 0 },
    );
    for (let s = 0; s < 8; s++) t.add(win("a", s, [repeated("x", 1000, 1)]));
    // Windows up to [5, 7] are evaluated; b's second 5 comes now, while the window still holds it.
    t.add(win("b", 5, [repeated("x", 50_000, 100)]));
    for (let s = 8; s < 10; s++) t.add(win("a", s, [repeated("x", 1000, 1)]));
    t.finish();
    // [6, 8] and [7, 9] hold a's requests only: 3 each, 1 ms at most.
    expect(t.results().map((r) => r.observed)).toEqual([3, 3, 1]);
  });

  it("a window too late for the sliding windows still counts in the whole run", () => {
    const t = tracker({ requests: ["count > 0", { threshold: "count < 100", over: "2s" }] }, { lateSec: 1 });
    for (let s = 0; s < 10; s++) t.add(win("a", s, [repeated("x", 1000, 1)]));
    t.add(win("b", 2, [repeated("x", 1000, 500)])); // long evaluated and dropped from the buffer
    t.finish();
    expect(t.results().map((r) => [r.observed, r.passed])).toEqual([
      [510, true],
      [2, true],
    ]);
  });

  it("a gap without data is evaluated as empty windows, in one step however long", () => {
    const t = tracker({ rps: [{ threshold: "value > 0", over: "5s" }], latency: [{ threshold: "p(95) < 1e12", over: "5s" }] });
    for (let s = 0; s < 10; s++) t.add(win("a", s, [repeated("x", 2000, 10)]));
    const started = performance.now();
    for (let s = 1e8; s < 1e8 + 10; s++) t.add(win("a", s, [repeated("x", 3000, 10)]));
    t.finish();
    expect(performance.now() - started).toBeLessThan(500);
    expect(t.results().map((r) => [r.observed, r.passed])).toEqual([
      [0, false],
      [3.001, true], // 3000 µs is in the bucket [3000, 3001]
    ]);
    expect(t.bufferedBuckets()).toBeLessThanOrEqual(10);
  });

  it("long windows slide by 10 s (up to 1h) or 60 s, over epoch-aligned buckets", () => {
    const t = tracker({ requests: [{ threshold: "count > -1", over: "20m" }] });
    // 1 request a second from second 5 to 2 404 (40 minutes): 20m windows start at 10, 20, ..., 1190.
    for (let s = 5; s < 2405; s++) t.add(win("a", s, [repeated("x", 1000, 1)]));
    t.finish();
    expect(t.results()[0]!.observed).toBe(1200);
    expect(t.bufferedBuckets()).toBeLessThanOrEqual(120 + 2);
  });
});

describe("ThresholdTracker: abortDue", () => {
  it("the first failed abortOnFail rule once its delay has passed", () => {
    const t = tracker({
      error_rate: [{ threshold: "rate < 0.5", abortOnFail: true, delayAbortEvalSec: 10 }],
      latency: ["max < 1", { threshold: "max < 1", abortOnFail: true }],
    });
    t.add(win("a", 0, [repeated("x", 1000, 10, { failures: 8 })]));
    // Both fail; the latency one aborts at once, the error rate one after 10 s.
    expect(t.abortDue(0)).toMatchObject({ metric: "latency", expression: "max < 1", abortOnFail: true, observed: 1 });
    const delayed = tracker({ error_rate: [{ threshold: "rate < 0.5", abortOnFail: true, delayAbortEvalSec: 10 }], latency: ["max < 1"] });
    delayed.add(win("a", 0, [repeated("x", 1000, 10, { failures: 8 })]));
    expect(delayed.abortDue(5)).toBeNull();
    expect(delayed.abortDue(9.99)).toBeNull();
    expect(delayed.abortDue(10)).toMatchObject({ metric: "error_rate", observed: 0.8, passed: false });
    // Recovered: nothing to abort for, whatever the time.
    for (let s = 1; s < 10; s++) delayed.add(win("a", s, [repeated("x", 1000, 10)]));
    expect(delayed.abortDue(20)).toBeNull();
  });

  it("a sliding rule aborts for a window that ended after its delay, not for a warm-up crossing", () => {
    const t = tracker({ error_rate: [{ threshold: "rate < 0.5", over: "3s", abortOnFail: true, delayAbortEvalSec: 10 }] });
    const second = (s: number, failures: number) => t.add(win("a", 1000 + s, [repeated("x", 1000, 10, { failures })]));
    for (let s = 0; s < 3; s++) second(s, 9); // warm-up: [0, 2] crosses
    for (let s = 3; s < 15; s++) second(s, 0);
    expect(t.results()[0]!.passed).toBe(false);
    expect(t.abortDue(15)).toBeNull();
    expect(t.abortDue(9)).toBeNull();
    for (let s = 15; s < 18; s++) second(s, 9);
    // [14, 16] crossed, ending 17 s into the run: past the delay.
    expect(t.abortDue(17)).toMatchObject({ metric: "error_rate", passed: false, over: "3s", observed: 0.9 });
    expect(t.abortDue(9)).toBeNull();
  });
});

describe("ThresholdTracker: baselines", () => {
  const baselineWindows = Array.from({ length: 10 }, (_, s) => win("a", s, [repeated("x", 100_000, 100, { failures: 1 })]));

  it("compares with the baseline run's value of the same metric, scope and aggregation", () => {
    const parsed = parseThresholds({
      latency: ["p(95) < baseline * 1.10", "avg <= baseline + 5"],
      error_rate: ["rate <= baseline"],
      "latency{name:x}": ["max < baseline * 1.5"],
    });
    const baseline: ThresholdBaseline = JSON.parse(JSON.stringify(ThresholdTracker.baselineOf(parsed, baselineWindows)));
    expect(baseline.values["latency|p(95)"]).toBe(100.031);
    expect(baseline.values["latency|mean"]).toBe(100); // the bucket's middle, as the lib's mean takes it
    const run = (us: number, failures: number) => {
      const t = new ThresholdTracker(parsed, { baseline });
      for (let s = 0; s < 10; s++) t.add(win("a", s, [repeated("x", us, 100, { failures })]));
      return t.results().map((r) => [r.observed, r.passed]);
    };
    // p95 105.023 < 110.034; mean 104.992 <= 105; 0.01 <= 0.01; max 105.023 < 150.0465.
    expect(run(105_000, 1)).toEqual([
      [105.023, true],
      [104.992, true],
      [0.01, true],
      [105.023, true],
    ]);
    expect(run(120_000, 2)).toEqual([
      [120.063, false],
      [120.032, false],
      [0.02, false],
      [120.063, true],
    ]);
  });

  it("without a baseline value a relative rule cannot fail: it reports what it observed, passed", () => {
    const parsed = parseThresholds({
      latency: ["p(95) < baseline * 1.10", { threshold: "max < baseline", over: "2s" }],
      checks: ["rate > baseline"],
    });
    const noChecks = ThresholdTracker.baselineOf(parsed, baselineWindows); // the baseline had no checks: null
    expect(noChecks.values["checks|rate"]).toBeNull();
    for (const opts of [{}, { baseline: { values: {} } }, { baseline: noChecks }]) {
      const t = new ThresholdTracker(parsed, opts);
      for (let s = 0; s < 5; s++) t.add(win("a", s, [repeated("x", 900_000, 10)], { checksPassed: 1, checksFailed: 9 }));
      t.finish();
      const [p95, max, checks] = t.results();
      const hasLatency = "baseline" in opts && opts.baseline === noChecks;
      expect(p95).toMatchObject({ observed: 900.095, passed: !hasLatency });
      expect(max).toMatchObject({ observed: 900.095, passed: !hasLatency, over: "2s" });
      expect(checks).toMatchObject({ observed: 0.1, passed: true });
    }
  });
});

describe("ThresholdTracker: memory", () => {
  it("stays bounded over a 1-hour run of 20 request names: buckets of the longest window plus lateness", () => {
    const names = Array.from({ length: 20 }, (_, i) => `endpoint-${i}`);
    const thresholds: Thresholds = {
      latency: ["p(95) < 1e12", { threshold: "p(99) < 1e12", over: "30s" }],
      error_rate: [{ threshold: "rate < 1", over: "1m" }],
      "latency{name:endpoint-3}": [{ threshold: "p(95) < 1e12", over: "2m" }],
      "status{class:5xx,name:endpoint-7}": [{ threshold: "count < 1e12", over: "15m" }],
    };
    const t = tracker(thresholds);
    const random = seededRandom(6);
    // 20 requests of 5 to 50 ms each: the histograms of a service that answers.
    const histograms = Array.from({ length: 50 }, () =>
      encodeHistogram(recorded(Array.from({ length: 20 }, () => Math.floor(5000 * 10 ** random())))),
    );
    let most = 0;
    const added: string[] = [];
    const started = performance.now();
    for (let s = 0; s < 3600; s++) {
      for (const worker of ["w0", "w1"]) {
        const requests = names.map((name, i) => ({
          name,
          method: "GET",
          count: 20,
          failures: 1,
          bytesIn: 0,
          bytesOut: 0,
          histogram: histograms[(s + i) % 50]!,
          statusCodes: { "200": 19, "503": 1 },
        }));
        for (const r of requests) added.push(r.histogram);
        t.add(win(worker, 1_700_000_000 + s, requests));
      }
      most = Math.max(most, t.bufferedBuckets());
    }
    const elapsed = performance.now() - started;
    // Per slide: ~window/step + lateSec/step + 1 buckets. 30s and 1m share the all-requests 1 s slide (the 1m one holds it).
    const bound = 60 + 3 + (120 + 3) + (90 + 2);
    expect(most).toBeLessThanOrEqual(bound);
    expect(t.bufferedBuckets()).toBeLessThanOrEqual(bound);
    // Exactness survived the hour: the whole run equals a fresh merge.
    expect(t.results()[0]!.observed).toBe(summarizeMerged(added).p95);
    console.log(`1 h × 20 names × 2 workers: ${elapsed.toFixed(0)} ms, at most ${most} buckets held`);
  });

  it("keeps the seconds seen per worker as ranges", () => {
    const s = new SecondSet();
    for (let i = 0; i < 3600; i++) expect(s.add(i)).toBe(true);
    expect(s.rangeCount).toBe(1);
    expect(s.add(10)).toBe(false);
    expect(s.add(5000)).toBe(true);
    expect(s.add(4998)).toBe(true);
    expect(s.rangeCount).toBe(3);
    expect(s.add(4999)).toBe(true);
    expect(s.rangeCount).toBe(2);
    expect(s.add(-5)).toBe(true);
    expect([s.has(-5), s.has(-4), s.has(3599), s.has(3600), s.has(4999)]).toEqual([true, false, true, false, true]);
  });
});

describe("ThresholdTracker: the system under test", () => {
  it("judges a series over every agent's seconds, or one agent's; a second sent twice counts once", () => {
    const t = new ThresholdTracker(
      parseThresholds({
        "sut{series:host.cpu.busy}": ["max < 90", "avg < 50", "p(50) <= 40"],
        "sut{series:host.cpu.busy,agent:a2}": ["min > 50"],
        "sut{series:process.api.rssBytes}": ["max < 1"],
      }),
    );
    expect(t.judgesSut).toBe(true);
    t.addSut("a1", 0, { "host.cpu.busy": 10, "host.memory.usedBytes": 5 });
    t.addSut("a1", 1, { "host.cpu.busy": 30 });
    t.addSut("a2", 0, { "host.cpu.busy": 95 });
    t.addSut("a2", 0, { "host.cpu.busy": 60 }); // the same second again: the later figure
    t.addSut("a2", 1, { "host.cpu.busy": 70 });
    const results = t.results();
    expect(results.map((r) => [r.expression, r.observed, r.passed])).toEqual([
      ["max < 90", 70, true],
      ["avg < 50", 42.5, true],
      ["p(50) <= 40", 30, true],
      ["min > 50", 60, true],
      ["max < 1", null, true], // nothing measured: it cannot fail
    ]);
    t.addSut("a1", 2, { "host.cpu.busy": 99 });
    expect(t.crossed().map((r) => r.expression)).toEqual(["max < 90", "avg < 50", "p(50) <= 40"]);
  });

  it("takes no SUT seconds when no rule is on the SUT", () => {
    expect(new ThresholdTracker(parseThresholds({ latency: ["p(95) < 300"] })).judgesSut).toBe(false);
  });
});
