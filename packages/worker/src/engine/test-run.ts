/** Test-only: runs plans in this thread against a local counting server. */
import { type Executor, type MetricWindow, mergeHistograms, type RunPlan, type Scenario, sleep } from "@loadline/core";
import { afterEach, expect } from "vitest";
import { type CountingServer, countingServer } from "../test-support.ts";
import { InlineEngine } from "./inline-engine.ts";
import { ALL_LANES, type LaneShare } from "./load-engine.ts";

/** The target of the current test, closed after it. */
export let server: CountingServer | undefined;
export const useServer = async (opts: Parameters<typeof countingServer>[0] = {}): Promise<CountingServer> =>
  (server = await countingServer(opts));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

export const step = (url: string) => ({
  type: "request" as const,
  method: "GET" as const,
  url,
  timeoutMs: 10_000,
  checks: [],
  extract: [],
});
export const scenario = (name: string, urls: string[], over: Partial<Scenario> = {}): Scenario => ({
  name,
  weight: 1,
  variables: {},
  steps: urls.map(step),
  ...over,
});
export const planOf = (workload: Executor, scenarios: Scenario[] = [scenario("s", ["/a"])]): RunPlan => ({
  targetUrl: server!.url,
  workload,
  scenarios,
});

/** A run under way, for a test's script: its engine, its time zero (epoch ms), and the ms since then, as its executors count them. */
export type LiveRun = { engine: InlineEngine; originMs: number; elapsed(): number };

/**
 * Runs a plan in this thread: for `forMs`, or until its executors are over when `forMs` is
 * absent. `share`: the lanes it runs (all by default). `script` acts on the run as it goes
 * (pauses, scales): the run waits for it too.
 */
export async function run(
  plan: RunPlan,
  opts: { forMs?: number; graceMs?: number; share?: LaneShare; script?: (live: LiveRun) => Promise<void> } = {},
) {
  const windows: MetricWindow[] = [];
  const errors: unknown[] = [];
  const engine = new InlineEngine({
    runId: "r1",
    workerId: "w1",
    plan,
    share: opts.share ?? ALL_LANES,
    onWindows: (w) => windows.push(...w),
    onError: (err) => errors.push(err),
  });
  await engine.prepare(); // warms the HTTP client up first: the executors' clock starts after
  const originMs = Date.now();
  engine.begin(originMs);
  const t0 = performance.now();
  const samples: { atMs: number; active: number }[] = [];
  const sampler = setInterval(() => samples.push({ atMs: performance.now() - t0, active: engine.activeUsers }), 20);
  // The executors' own clock: from the origin, in this thread's performance time.
  const scripted = opts.script?.({ engine, originMs, elapsed: () => performance.now() - (originMs - performance.timeOrigin) });
  if (opts.forMs === undefined) await engine.finished;
  else await Promise.race([engine.finished, sleep(opts.forMs)]);
  const elapsedMs = performance.now() - t0;
  await scripted;
  clearInterval(sampler);
  const stopping = performance.now();
  const totals = await engine.stop(opts.graceMs ?? 2000);
  const stopMs = performance.now() - stopping;
  expect(errors).toEqual([]);
  const requests = windows.flatMap((w) => w.requests);
  return {
    windows,
    totals,
    elapsedMs,
    /** How long the stop took: the graceful stop of what still ran. */
    stopMs,
    samples,
    count: requests.reduce((n, r) => n + r.count, 0),
    iterations: windows.reduce((n, w) => n + (w.iterations ?? 0), 0),
    dropped: windows.reduce((n, w) => n + (w.droppedIterations ?? 0), 0),
    latency: mergeHistograms(requests.map((r) => r.histogram)),
    service: mergeHistograms(requests.map((r) => r.serviceHistogram!)),
  };
}
