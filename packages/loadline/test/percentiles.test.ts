import { type AggregateView, type LatencySummary, type LoadTestSpec, loadTestSpecSchema, sleep } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Service, startService, stopService, waitReady } from "../src/testing/index.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";
import { startTimingTarget, type TargetRecord, type TimingTarget } from "./timing-target.ts";

// Percentiles against a ground truth. The target, a process of its own, delays each request by a
// seeded log-uniform amount (odd VUs 2-50 ms, even VUs 20-500 ms; timing-target-server.mjs) and
// records what it held each one. Two workers share the run, one lane each (lane i: the VUs whose
// number − 1 is i modulo the lane count), so one worker's VUs are all fast and the other's all slow,
// and the read side must merge their histograms. Each delayed request sits between two the target
// answers at once; from the target's clock alone, their arrivals and answers bound what the worker
// can have measured for it (see `bounded`). Every reported percentile must lie between the
// percentile of the lower bounds and that of the upper bounds, plus HDR's precision.

const VUS = 8;
const DURATION_SEC = 10;
/** HDR histograms of 3 significant digits: a reported value is at most 1 part in 1,000 above the sample it stands for. */
const HDR_PRECISION = 1e-3;
/** Latencies are kept in whole µs: half a µs of rounding either way. */
const US = 0.001;
const CHECKED = [
  ["p50", 50],
  ["p90", 90],
  ["p95", 95],
  ["p99", 99],
  ["p999", 99.9],
  ["max", 100],
] as const;

let f: StackFixture;
let target: TimingTarget;
let worker: Service;

beforeAll(async () => {
  [f, target] = await Promise.all([startTestStack(), startTimingTarget()]);
  // The stack has one worker (its load in this process's main thread); a second one as a process of its
  // own, with two load threads, whose histograms it merges before the read side merges the two workers'.
  worker = await startService(
    "worker",
    { NATS_URL: f.stack.natsUrl, LL_NAMESPACE: f.stack.ns.prefix, LL_WORKER_THREADS: "2", LL_WORKER_ID: "percentiles-process" },
    "worker-2",
  );
  await waitReady(worker);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { workers } = (await (await f.api.fetch(`/v1/workers?state=idle`)).json()) as { workers: unknown[] };
    if (workers.length >= 2) break;
    if (Date.now() > deadline) throw new Error(`the second worker never showed as idle: ${worker.output().slice(-2000)}`);
    await sleep(200);
  }
});
afterAll(async () => {
  if (worker) await stopService(worker);
  await target?.close();
  await f?.close();
});

/** A request as the target saw it, with bounds on the latency the worker measured for it. */
type Bounded = TargetRecord & { low: number; high: number };

/**
 * What the worker can have measured for each request (from just before its send to its answer),
 * bounded from the target's clock alone. A VU sends one request at a time, so in its sequence
 * request j was sent after the answer to j − 1 was written (arrival + held of j − 1, since the target
 * reads its clock just before writing) and answered before j + 1 arrived. Its latency is therefore
 * at least held_j and at most arrival_{j+1} − (arrival_{j−1} + held_{j−1}): the transport's and both
 * processes' overhead, a stall of either included, is measured for each request by the zero-delay
 * requests on either side of it. A VU's first and last requests are bounded by when the target was
 * armed and when it was asked for its records (loose, but still bounds).
 */
function bounded(records: TargetRecord[], armedMs: number, nowMs: number): Bounded[] {
  const byVu = new Map<number, TargetRecord[]>();
  for (const r of records) byVu.set(r.vu, [...(byVu.get(r.vu) ?? []), r]);
  return [...byVu.values()].flatMap((sequence) => {
    sequence.sort((a, b) => a.arrivalMs - b.arrivalMs);
    return sequence.map((r, j) => {
      const before = sequence[j - 1];
      const after = sequence[j + 1];
      const sentAfter = before ? before.arrivalMs + before.heldMs : armedMs;
      return { ...r, low: r.heldMs, high: (after ? after.arrivalMs : nowMs) - sentAfter };
    });
  });
}

/** As HDR's getValueAtPercentile: the sample at 1-based rank ceil(p/100 · n) of the n sorted ascending. */
function atPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/**
 * If every sample lies in [low_i, high_i], its k-th smallest lies between the k-th smallest low and
 * the k-th smallest high; HDR reports a value at most HDR_PRECISION above the sample it stands for.
 */
function expectWithinTruth(label: string, reported: LatencySummary, samples: Bounded[]): void {
  expect(reported.count, `${label}: count`).toBe(samples.length);
  const lows = samples.map((s) => s.low).sort((a, b) => a - b);
  const highs = samples.map((s) => s.high).sort((a, b) => a - b);
  const text: string[] = [];
  for (const [k, p] of CHECKED) {
    const low = atPercentile(lows, p);
    const high = atPercentile(highs, p);
    text.push(`${k} ${reported[k]} in [${low.toFixed(3)}, ${high.toFixed(3)}]`);
    expect(reported[k], `${label} ${k}: not below what the target held, ${low}`).toBeGreaterThanOrEqual(low - US);
    expect(reported[k], `${label} ${k}: within the overhead and HDR's precision of ${high}`).toBeLessThanOrEqual(
      (high + US) * (1 + HDR_PRECISION),
    );
  }
  show(label, text.join(", "));
}

async function aggregateOf(runId: string, query: string): Promise<AggregateView> {
  const res = await f.api.fetch(`/v1/runs/${runId}/metrics/aggregate?${query}`);
  if (!res.ok) throw new Error(`aggregate ?${query}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as AggregateView;
}

const show = (label: string, text: string) => {
  if (process.env.TEST_FIGURES) console.info(`[percentiles] ${label}: ${text}`);
};

describe("percentiles against a ground truth", () => {
  it("merges two workers' histograms into the percentiles of the samples the target recorded", async () => {
    await target.arm({ seed: 15 });
    const spec = loadTestSpecSchema.parse({
      name: "percentiles",
      targetUrl: target.url,
      workload: { type: "constant-vus", vus: VUS, durationSec: DURATION_SEC },
      scenarios: [
        {
          name: "seeded",
          // The seeded delay, between two requests the target answers at once: their arrivals and answers
          // bracket it, which bounds the overhead the worker measured on top of what the target held.
          steps: [
            { type: "request", name: "zero", url: "/zero?vu={{__vu}}" },
            { type: "request", name: "delay", url: "/delay?vu={{__vu}}" },
            { type: "request", name: "zero", url: "/zero?vu={{__vu}}" },
          ],
        },
      ],
      defaultUsers: VUS,
      defaultSpawnRate: VUS,
      defaultDurationSec: DURATION_SEC,
    }) as LoadTestSpec;
    const test = await f.api.createLoadTest(spec);
    const run = await f.api.waitForEnd((await f.api.startRun(test.id, { workers: 2 })).id, 40_000);
    expect(run.status, run.reason ?? "").toBe("Completed");
    await f.api.waitForProjections(15_000);
    const { records, armedMs, nowMs } = await target.recordsAndTimes();
    const [aggregate, delayed] = await Promise.all([f.api.aggregate(run.id), aggregateOf(run.id, "requests=delay")]);

    // Two workers ran it, one lane each (equal capacity), and both stopped cleanly.
    expect(run.workers).toHaveLength(2);
    expect(run.laneCount).toBe(2);
    expect(run.workers.map((w) => w.state)).toEqual(["stopped", "stopped"]);
    expect(new Set(run.workers.map((w) => w.workerId)).size).toBe(2);
    expect(run.workers.flatMap((w) => w.lanes).sort((a, b) => a - b)).toEqual(Array.from({ length: run.laneCount }, (_, i) => i));
    // Every request named its VU (1-based ids): the lane, hence the worker, of each sample is known.
    expect(records.every((r) => Number.isInteger(r.vu) && r.vu >= 1 && r.vu <= VUS)).toBe(true);
    const workerOf = (r: TargetRecord) => run.workers.find((w) => w.lanes.includes((r.vu - 1) % run.laneCount))!.workerId;

    // Exact counts: every request the target answered is in the aggregate, once.
    expect(aggregate.failures).toBe(0);
    expect(aggregate.requests).toBe(records.length);
    expect(aggregate.latency.count).toBe(records.length);
    // A closed workload has no intended start: latency is the service time, sample for sample.
    expect(aggregate.serviceTime).toEqual(aggregate.latency);

    const samples = bounded(records, armedMs, nowMs);
    const delaySamples = samples.filter((s) => s.path === "/delay");
    // Every delayed request has a zero-delay one on either side (iterations ran whole): its bounds are tight.
    const vuSequence = (vu: number) => records.filter((r) => r.vu === vu).sort((a, b) => a.arrivalMs - b.arrivalMs);
    for (let vu = 1; vu <= VUS; vu++) {
      const paths = vuSequence(vu).map((r) => r.path);
      expect(paths.length % 3, `VU ${vu}: whole iterations`).toBe(0);
      expect(
        paths.every((p, i) => p === (i % 3 === 1 ? "/delay" : "/zero")),
        `VU ${vu}: zero, delay, zero, ...`,
      ).toBe(true);
    }
    const spread = delaySamples.map((s) => s.high - s.low).sort((a, b) => a - b);
    show(
      "overhead window of a delayed request (high − low)",
      `p50 ${atPercentile(spread, 50).toFixed(3)} ms, p99 ${atPercentile(spread, 99).toFixed(3)} ms, max ${spread.at(-1)!.toFixed(3)} ms`,
    );

    expectWithinTruth("all requests", aggregate.latency, samples);
    expectWithinTruth("delay, both workers merged", delayed.latency, delaySamples);

    // Each worker's own windows (workers=): its samples are those of its lanes' VUs.
    const perWorker: LatencySummary[] = [];
    for (const w of run.workers) {
      const mine = delaySamples.filter((s) => workerOf(s) === w.workerId);
      expect(mine.length, `${w.workerId} sent delayed requests`).toBeGreaterThan(0);
      const own = await aggregateOf(run.id, `workers=${w.workerId}&requests=delay`);
      expectWithinTruth(`delay, worker ${w.workerId} (lanes ${w.lanes.join(",")})`, own.latency, mine);
      const all = await aggregateOf(run.id, `workers=${w.workerId}`);
      expect(all.requests).toBe(records.filter((r) => workerOf(r) === w.workerId).length);
      perWorker.push(own.latency);
    }
    expect(perWorker.reduce((n, l) => n + l.count, 0)).toBe(delayed.latency.count);

    // The two workers saw different distributions (odd VUs fast, even VUs slow), so the test tells a merge
    // from a mix of per-worker figures: the mean of the workers' percentiles falls outside the bounds.
    const lows = delaySamples.map((s) => s.low).sort((a, b) => a - b);
    const highs = delaySamples.map((s) => s.high).sort((a, b) => a - b);
    for (const [k, p] of CHECKED.filter(([k]) => k === "p50" || k === "p90" || k === "p99")) {
      const averaged = (perWorker[0]![k] + perWorker[1]![k]) / 2;
      show(`${k} averaged over workers (wrong)`, `${averaged} against the merged ${delayed.latency[k]}`);
      const passes = averaged >= atPercentile(lows, p) - US && averaged <= (atPercentile(highs, p) + US) * (1 + HDR_PRECISION);
      expect(passes, `${k}: an average of the workers' figures would pass`).toBe(false);
    }
  });
});
