import { metricWindowSchema } from "@loadline/core";
import { histogramPool, syntheticRequests, syntheticWindow, syntheticWorkerIds, windowEncoder } from "@loadline/projections/testing";
import { describe, expect, it } from "vitest";
import { backlogTrend, LagTracker, percentile, slope } from "./lag.ts";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("LagTracker", () => {
  it("measures each window from its PubAck to the first commit that covers it", () => {
    const t = new LagTracker();
    t.published(1, 0, 2);
    t.published(2, 0, 3);
    t.published(3, 5, 6);
    t.committed(2, 100);
    t.committed(2, 150); // no progress: ignored
    t.committed(3, 300);
    expect(t.commitTimeOf(1)).toBe(100);
    expect(t.commitTimeOf(3)).toBe(300);
    expect(t.commitTimeOf(4)).toBeUndefined();
    expect([t.positionAt(99), t.positionAt(100), t.positionAt(299), t.positionAt(5000)]).toEqual([0, 2, 2, 3]);
    const s = t.summary(1000);
    expect(s).toMatchObject({
      published: 3,
      applied: 3,
      unapplied: 0,
      p50Ms: 98,
      maxMs: 294,
      lastCommitMs: 300,
      censoredFromMs: undefined,
    });
    expect(s.ackP99Ms).toBe(3);
  });

  it("leaves the start out of the steady p99: windows acked in the first steadyAfterMs", () => {
    const t = new LagTracker();
    // A slow start (lags of 3 s), then 1 s lags.
    for (let i = 1; i <= 10; i++) t.published(i, i * 100, i * 100);
    for (let i = 11; i <= 20; i++) t.published(i, 5000 + i * 100, 5000 + i * 100);
    t.committed(10, 4000);
    t.committed(20, 8000);
    const s = t.summary(9000, 5000);
    expect(s.p99Ms).toBe(3900);
    expect(s.steadyP99Ms).toBe(1900);
  });

  it("accepts acks reported after the commit, in any order", () => {
    const t = new LagTracker();
    t.committed(2, 10);
    t.published(2, 0, 12); // the projection saw it before the PubAck came back
    t.published(1, 0, 4);
    const s = t.summary(100);
    expect(s.applied).toBe(2);
    expect(s.maxMs).toBe(6);
    expect(s.p50Ms).toBe(0);
  });

  it("counts windows never applied as lower bounds", () => {
    const t = new LagTracker();
    for (let seq = 1; seq <= 10; seq++) t.published(seq, seq * 100, seq * 100);
    t.committed(5, 600);
    const s = t.summary(2000);
    expect(s.applied).toBe(5);
    expect(s.unapplied).toBe(5);
    expect(s.censoredFromMs).toBe(1000); // seq 10 waited from 1000 to 2000
    expect(s.maxMs).toBe(1400); // seq 6 waited from 600
  });

  it("finds the backlog's peak in each second", () => {
    const t = new LagTracker();
    // 100 windows a second in a burst at each whole second; the projection applies only half as many.
    let seq = 0;
    for (let sec = 0; sec < 5; sec++) {
      for (let i = 0; i < 100; i++) t.published(++seq, sec * 1000, sec * 1000 + 1);
      t.committed(50 * (sec + 1), sec * 1000 + 500);
    }
    expect(t.backlogPeaks(0, 5000, 10)).toEqual([100, 150, 200, 250, 300]);
    expect(backlogTrend(t.backlogPeaks(0, 5000), 100)).toMatchObject({ slopePerSec: 50, grows: true });
  });
});

describe("backlogTrend", () => {
  it("ignores the first half and noise below the threshold", () => {
    expect(slope([1, 2, 3, 4])).toBeCloseTo(1);
    const warmUp = [5000, 4000, 3000, 2000, 1000, 1000];
    const steady = [1000, 1010, 990, 1005, 995, 1000];
    expect(backlogTrend([...warmUp, ...steady], 1000).grows).toBe(false);
    expect(backlogTrend([...warmUp, 1000, 1100, 1200, 1300, 1400, 1500], 1000)).toMatchObject({
      slopePerSec: 100,
      grows: true,
      thresholdPerSec: 20,
    });
  });
});

describe("synthetic windows", () => {
  it("are valid metric windows that vary with worker and second", () => {
    const pool = histogramPool({ size: 10 });
    const load = { runId: "r1", workerIds: syntheticWorkerIds(3), requests: syntheticRequests(20), pool, activeUsersPerWorker: 50 };
    const a = metricWindowSchema.parse(syntheticWindow(load, 0, 1_700_000_000));
    const b = syntheticWindow(load, 1, 1_700_000_000);
    expect(a.requests).toHaveLength(20);
    expect(a.workerId).toBe("w-bench-0000");
    expect(new Set(a.requests.map((r) => r.name)).size).toBe(20);
    expect(a.requests[0]!.histogram).not.toBe(b.requests[0]!.histogram);
    for (const p of pool) expect((p.statusCodes!["200"] ?? 0) + p.failures).toBe(p.count);
  });

  it("are encoded by the fast encoder exactly as JSON.stringify would", () => {
    const load = {
      runId: "r1",
      workerIds: syntheticWorkerIds(3),
      requests: syntheticRequests(20),
      pool: histogramPool({ size: 10 }),
      activeUsersPerWorker: 50,
    };
    const envelope = (w: unknown) => ({ id: "e1", type: "metrics.window", data: w, actor: "x" });
    const encode = windowEncoder(load, envelope);
    for (const [w, second] of [
      [0, 1_700_000_000],
      [2, 1_700_000_007],
    ] as const) {
      expect(JSON.parse(encode(w, second))).toEqual(envelope(syntheticWindow(load, w, second)));
    }
  });
});
