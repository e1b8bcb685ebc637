import { encodeHistogram, mergeHistograms, newLatencyHistogram, summarize } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { ALL_REQUESTS, applyDeltas, coverRange, type RollupRow, rollupKey, secondDeltas, type TenantWindow } from "./rollups.ts";
import { requestWindow } from "./test-fixtures.ts";

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

type Sample = { worker: string; second: number; name: string; latencyUs: number };

function samplesOf(seed: number, n: number): Sample[] {
  const r = random(seed);
  // Seconds spread over two minutes so every step has several buckets; a long tail.
  return Array.from({ length: n }, () => ({
    worker: `w${Math.floor(r() * 5)}`,
    second: 1_700_000_000 + Math.floor(r() * 130),
    name: ["home", "login", "search"][Math.floor(r() * 3)]!,
    latencyUs: r() < 0.02 ? 1_000_000 + Math.floor(r() * 70_000_000) : 500 + Math.floor(r() * r() * 200_000),
  }));
}

function windowsOf(samples: readonly Sample[]): TenantWindow[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = `${s.worker}|${s.second}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()].map((list) => {
    const names = [...new Set(list.map((s) => s.name))].sort();
    return {
      tenantId: "t",
      runId: "r",
      workerId: list[0]!.worker,
      second: list[0]!.second,
      activeUsers: 3,
      iterations: list.length,
      requests: names.map((name) =>
        requestWindow(
          name,
          list.filter((s) => s.name === name).map((s) => s.latencyUs),
        ),
      ),
    };
  });
}

/** Feeds the windows in batches of `size`, keeping the rows as the projection would store them. */
function project(windows: readonly TenantWindow[], size: number): Map<string, RollupRow> {
  const stored = new Map<string, RollupRow>();
  for (let i = 0; i < windows.length; i += size) {
    const deltas = secondDeltas(windows.slice(i, i + size));
    for (const row of applyDeltas([...stored.values()], deltas)) stored.set(rollupKey(row), row);
  }
  return stored;
}

const direct = (values: readonly number[]) => {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return summarize(mergeHistograms([encodeHistogram(h)]));
};

describe("rollups", () => {
  const samples = samplesOf(7, 4000);
  const windows = windowsOf(samples);
  const stored = project(windows, 37);
  const row = (step: number, bucket: number, name = "", method = name ? "GET" : "") =>
    stored.get(rollupKey({ tenantId: "t", runId: "r", step, bucket, method, name }));

  it("merge exactly: every bucket's percentiles equal one histogram fed all its samples", () => {
    for (const step of [1, 10, 60, 0]) {
      const bucketOf = (s: number) => (step === 0 ? 0 : Math.floor(s / step) * step);
      for (const bucket of new Set(samples.map((s) => bucketOf(s.second)))) {
        const inBucket = samples.filter((s) => bucketOf(s.second) === bucket);
        expect(summarize(mergeHistograms([row(step, bucket)!.histogram])), `step ${step} bucket ${bucket}`).toEqual(
          direct(inBucket.map((s) => s.latencyUs)),
        );
        // The stored summary, which a timeseries reads instead of the histogram, is that same merge.
        expect(row(step, bucket)!.latency, `summary of step ${step} bucket ${bucket}`).toEqual(direct(inBucket.map((s) => s.latencyUs)));
        expect(row(step, bucket)!.requests).toBe(inBucket.length);
        const logins = inBucket.filter((s) => s.name === "login");
        if (logins.length > 0)
          expect(summarize(mergeHistograms([row(step, bucket, "login")!.histogram]))).toEqual(direct(logins.map((s) => s.latencyUs)));
      }
    }
    expect(row(0, 0)).toMatchObject({
      requests: samples.length,
      iterations: samples.length,
      seconds: new Set(samples.map((s) => s.second)).size,
    });
  });

  it("give the same rows whatever the batches: histograms encode the same counts the same way", () => {
    const oneByOne = project(windows, 1);
    const reversed = project([...windows].reverse(), 500);
    expect([...oneByOne.values()].sort((a, b) => rollupKey(a).localeCompare(rollupKey(b)))).toEqual(
      [...stored.values()].sort((a, b) => rollupKey(a).localeCompare(rollupKey(b))),
    );
    expect(new Map([...reversed].sort())).toEqual(new Map([...stored].sort()));
  });

  it("sum users over workers in a second and keep the busiest second for longer buckets", () => {
    const at = 1_700_000_000;
    const w = (workerId: string, second: number, activeUsers: number): TenantWindow => ({
      tenantId: "t",
      runId: "u",
      workerId,
      second,
      activeUsers,
      requests: [],
    });
    const rows = project([w("a", at, 4), w("b", at, 6), w("a", at + 1, 3), w("a", at + 2, 12)], 1);
    const users = (step: number, bucket: number) =>
      rows.get(rollupKey({ tenantId: "t", runId: "u", step, bucket, ...ALL_REQUESTS }))?.activeUsers;
    expect([users(1, at), users(1, at + 1), users(1, at + 2), users(0, 0)]).toEqual([10, 3, 12, 12]);
    expect(rows.get(rollupKey({ tenantId: "t", runId: "u", step: 0, bucket: 0, ...ALL_REQUESTS }))?.seconds).toBe(3);
    // Past what the int4 column holds, the sum stays at its limit rather than failing every store of the batch.
    const huge = project([w("a", at, 1_500_000_000), w("b", at, 1_500_000_000)], 1);
    expect(huge.get(rollupKey({ tenantId: "t", runId: "u", step: 1, bucket: at, ...ALL_REQUESTS }))?.activeUsers).toBe(2 ** 31 - 1);
  });

  it("sum status codes and failure kinds over workers and seconds, each key on its own", () => {
    const at = 1_700_000_000;
    const home = (statusCodes: Record<string, number>, failuresByKind?: Record<string, number>) => ({
      ...requestWindow("home", [1000, 2000]),
      statusCodes,
      ...(failuresByKind ? { failuresByKind } : {}),
    });
    const w = (workerId: string, second: number, request: ReturnType<typeof home>): TenantWindow => ({
      tenantId: "t",
      runId: "c",
      workerId,
      second,
      activeUsers: 1,
      requests: [request],
    });
    const rows = project(
      [
        w("a", at, home({ "200": 2 })),
        w("b", at, home({ "200": 1, "503": 1 }, { "5xx": 1 })),
        w("a", at + 1, home({ "404": 2 }, { "4xx": 2 })),
      ],
      1,
    );
    const home1 = (step: number, bucket: number) =>
      rows.get(rollupKey({ tenantId: "t", runId: "c", step, bucket, method: "GET", name: "home" }));
    expect([home1(1, at)?.statusCodes, home1(1, at)?.failuresByKind]).toEqual([{ "200": 3, "503": 1 }, { "5xx": 1 }]);
    expect([home1(0, 0)?.statusCodes, home1(0, 0)?.failuresByKind]).toEqual([
      { "200": 3, "503": 1, "404": 2 },
      { "5xx": 1, "4xx": 2 },
    ]);
  });
});

describe("coverRange", () => {
  const seconds = (pieces: ReturnType<typeof coverRange>) =>
    pieces.flatMap((p) =>
      Array.from({ length: (p.last - p.first) / p.step + 1 }, (_, i) => p.first + i * p.step).flatMap((b) =>
        Array.from({ length: p.step }, (_, j) => b + j),
      ),
    );

  it("tiles a range exactly with the fewest buckets", () => {
    expect(coverRange(5, 130)).toEqual([
      { step: 1, first: 5, last: 9 },
      { step: 10, first: 10, last: 50 },
      { step: 60, first: 60, last: 60 },
      { step: 10, first: 120, last: 120 },
      { step: 1, first: 130, last: 130 },
    ]);
    expect(coverRange(5, 7)).toEqual([{ step: 1, first: 5, last: 7 }]);
    expect(coverRange(60, 179)).toEqual([{ step: 60, first: 60, last: 120 }]);
    for (const [from, to] of [
      [0, 0],
      [3, 3601],
      [1_700_000_007, 1_700_003_333],
      [59, 61],
    ] as const) {
      expect(seconds(coverRange(from, to))).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    }
  });
});
