import { type Executor, executorMaxVUs, type Lane, laneShare, peakRate } from "@loadline/core";
import type { RunTotals, WindowAccumulator } from "../windows.ts";
import { executorRun } from "./executor-factory.ts";
import { GracefulStop } from "./graceful-stop.ts";
import { IterationContext } from "./iteration-context.ts";
import { AS_PLANNED, executorControl } from "./load-control.ts";
import { againstWarmServer } from "./warm-up.ts";
import type { Workload } from "./workloads.ts";

/**
 * How many arrivals a thread's open executors rehearse. V8 optimises a function after enough
 * calls, not after enough time: at 20,000 arrivals/s in alternating runs, 300 ms (6,000
 * arrivals) took the first second's drops from 3 runs in 8 to none in 8, and 600 ms did no
 * better; at 2,000/s the same 300 ms left 42-46 functions, the hot path among them (`launch`,
 * `iterate`, the parser's `passBody`), to be optimised after the start on the run's core, and
 * the first two seconds' p99 at 3.8-7.5 ms; 6,000 arrivals (3 s) left 15-19, none of the hot
 * path, and 1.4-3.3 ms (bench/results/self-noise.md).
 */
const REHEARSAL_ARRIVALS = 6_000;
/** The shortest rehearsal: what a fast run's took before it was counted in arrivals. */
const SHORTEST_REHEARSAL_MS = 300;
/** The longest: a slower run's start waits for it (runs from 400 arrivals/s rehearse). */
const LONGEST_REHEARSAL_MS = 3_000;

/** How long open executors starting `arrivalsPerSec` between them rehearse: REHEARSAL_ARRIVALS of them, within bounds. */
export function rehearsalMs(arrivalsPerSec: number): number {
  // No rate gives Infinity, which the bound takes to the longest.
  const ms = (1000 * REHEARSAL_ARRIVALS) / arrivalsPerSec;
  return Math.round(Math.min(LONGEST_REHEARSAL_MS, Math.max(SHORTEST_REHEARSAL_MS, ms)));
}

/** One open executor part of a thread, with the signal the run's executor will give its iterations. */
export type RehearsedPart = { workload: Workload; lane: Lane; interrupt: AbortSignal };

const NOTHING: RunTotals = { requests: 0, failures: 0 };

/**
 * The run's open executors, rehearsed before the run against the warm-up's throwaway server:
 * each part's executor as the run will build it (its lane, weights and pool), at its peak rate
 * for `ms`, then stopped; its iterations are given the run's executor's own signal and its
 * requests are recorded into the run's own windows, which then forget them. The warm-up (a loop
 * of `iterate`) leaves the open executor's own path cold: `launch`, `pump`, the timers and the
 * generator probe were compiled on the engine's core during the run's first second, and code
 * compiled on other objects bails out on the run's (in Node 20 every AbortSignal, and every
 * perf_hooks histogram, has a map of its own). Closed executors are not rehearsed: their
 * iterations keep no schedule. Ends early when `stopping` aborts; resolves to what it sent.
 */
export async function rehearse(
  parts: readonly RehearsedPart[],
  windows: WindowAccumulator,
  stopping: AbortSignal,
  ms: number,
): Promise<RunTotals> {
  const rehearsed = parts.flatMap((p) => {
    const workload = rehearsalOf(p.workload);
    return workload ? [{ ...p, workload }] : [];
  });
  if (rehearsed.length === 0 || stopping.aborted) return NOTHING;
  const connections = rehearsed.reduce((n, p) => n + laneShare(executorMaxVUs(p.workload.executor), p.lane), 0);
  return againstWarmServer(Math.max(1, connections), async (scenario, transport) => {
    const ctx = new IterationContext([scenario], transport, windows, () => undefined);
    const runs = rehearsed.map((p) => executorRun(p.workload, p.lane, (k) => k + 1, ctx, new GracefulStop(0, p.interrupt)));
    const stop = () => ctx.stopping.abort();
    stopping.addEventListener("abort", stop, { once: true });
    // Stopped, as a run is, rather than run to its schedule's end: the code that ends a schedule
    // would bail out of the `pump` the run is about to use.
    const timer = setTimeout(stop, ms);
    windows.beginMeasuring();
    try {
      // As ThreadLoad begins a run: the control, then the start.
      const control = executorControl(AS_PLANNED, Date.now());
      const origin = performance.now();
      for (const run of runs) {
        run.control(control);
        run.start({ origin });
      }
      await Promise.all(runs.map((r) => r.done));
      return windows.totals;
    } finally {
      clearTimeout(timer);
      stopping.removeEventListener("abort", stop);
      windows.forget();
    }
  });
}

/** Longer than any rehearsal: it is stopped. */
const REHEARSAL_SCHEDULE_SEC = 3600;

/**
 * An open workload as its rehearsal: a constant rate at its peak, the same pool, every scenario
 * the warm-up's (index 0 of the rehearsal's) under the same weights. None for a closed one.
 */
function rehearsalOf(workload: Workload): Workload | undefined {
  const e = workload.executor;
  if (e.type !== "constant-arrival-rate" && e.type !== "ramping-arrival-rate") return undefined;
  const executor: Executor = {
    type: "constant-arrival-rate",
    rate: peakRate(e),
    timeUnitSec: 1,
    durationSec: REHEARSAL_SCHEDULE_SEC,
    preAllocatedVUs: e.preAllocatedVUs,
    maxVUs: e.maxVUs ?? e.preAllocatedVUs,
  };
  return { ...workload, executor, scenarios: workload.scenarios.map(() => 0) };
}
