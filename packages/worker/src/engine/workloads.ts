import {
  type Executor,
  executorDurationSec,
  executorMaxVUs,
  executorStartVUs,
  isOpenModel,
  type Lane,
  laneShare,
  peakRate,
  type RunPlan,
  subLanes,
} from "@loadline/core";
import type { VuIds } from "./executor-run.ts";

/**
 * One executor instance and the scenarios it runs: the plan's shared workload with every
 * scenario that has no executor of its own (split by weight), or a scenario's own executor.
 */
export type Workload = {
  executor: Executor;
  /** Indices into the plan's scenarios. */
  scenarios: number[];
  /** Their weights, in the same order. */
  weights: number[];
  /** Added to a VU's number in its executor to make its id (1-based) unique in the run. */
  firstVuId: number;
};

/** The executor instances of a plan, in core's `planExecutors` order (the order lanes are planned in). */
export function workloadsOf(plan: RunPlan): Workload[] {
  const shared = plan.scenarios.flatMap((s, i) => (s.executor ? [] : [i]));
  const raw: Omit<Workload, "firstVuId">[] = [];
  if (shared.length > 0) raw.push({ executor: plan.workload, scenarios: shared, weights: shared.map((i) => plan.scenarios[i]!.weight) });
  plan.scenarios.forEach((s, i) => {
    if (s.executor) raw.push({ executor: s.executor, scenarios: [i], weights: [1] });
  });
  let firstVuId = 1;
  return raw.map((w) => {
    const workload = { ...w, firstVuId };
    firstVuId += executorMaxVUs(w.executor);
    return workload;
  });
}

/** The longest any of a plan's executors runs, in seconds: when this worker's part is over at the latest. */
export const longestDurationSec = (workloads: readonly Workload[]): number =>
  Math.max(0, ...workloads.map((w) => executorDurationSec(w.executor)));

/** One executor run of a thread: a workload (its index in `workloadsOf`) in one lane. */
export type ThreadPart = { workload: number; lane: Lane };

/**
 * Deals some lanes of a run out to a worker's threads: each lane of each workload is cut into
 * as many sub-lanes as there are threads (no more than the lane has VUs, so none is empty) and
 * the sub-lanes go round the threads from `nextThread` on, so lanes added later (a lost worker's)
 * land on the threads that have least. Every VU, arrival and iteration lands on one thread.
 */
export function dealLanes(
  workloads: readonly Workload[],
  lanes: readonly number[],
  laneCount: number,
  threads: number,
  nextThread = 0,
): { parts: ThreadPart[][]; nextThread: number } {
  const parts: ThreadPart[][] = Array.from({ length: threads }, () => []);
  let next = nextThread;
  for (const [w, workload] of workloads.entries()) {
    for (const index of lanes) {
      const lane = { index, count: laneCount };
      const cuts = Math.max(1, Math.min(threads, laneShare(executorMaxVUs(workload.executor), lane)));
      for (const sub of subLanes(lane, cuts)) {
        parts[next]!.push({ workload: w, lane: sub });
        next = (next + 1) % threads;
      }
    }
  }
  return { parts, nextThread: next };
}

/** A live run's scale: what closed executors' VU counts and open executors' rates are multiplied by now. */
export type Scale = { vuFactor: number; rateFactor: number };

export const UNSCALED: Scale = { vuFactor: 1, rateFactor: 1 };

/**
 * The most VUs an executor may hold at once under a scale: its plan's, times its factor when
 * that is above 1 (a scale down keeps the VUs it made). The closed ones by the VU factor
 * (constant-vus, ramping-vus, shared-iterations; per-vu-iterations is not scaled), the open
 * ones by the rate factor: at the same latency, twice the rate keeps twice the VUs busy.
 */
export function scaledMaxVus(e: Executor, scale: Scale): number {
  const max = executorMaxVUs(e);
  const factor = e.type === "per-vu-iterations" ? 1 : isOpenModel(e) ? scale.rateFactor : scale.vuFactor;
  // The float noise of a factor (0.3 × 10) must not add a VU.
  return factor > 1 ? Math.max(max, Math.ceil(max * factor - 1e-9)) : max;
}

/** The VUs some parts may hold at once (under a scale): the connections a thread's transport needs. */
export const partsMaxVus = (workloads: readonly Workload[], parts: readonly ThreadPart[], scale: Scale = UNSCALED): number =>
  parts.reduce((n, p) => n + laneShare(scaledMaxVus(workloads[p.workload]!.executor, scale), p.lane), 0);

/**
 * The connections a thread opens ahead of the run for some parts (unscaled): a closed executor's
 * for the VUs it starts with (the connections of a ramp grow with it, for the target to see); an
 * open executor's for every VU it may hold. An open executor's extra VUs come when arrivals pile
 * up behind a stall of the generator, all at once, and a connection opened then costs the loop
 * 0.1-0.3 ms on loopback: the opening lengthens the stall it answers. At 20,000/s a 9 ms stall at
 * the start grew so to some 300 connects and 1,000-3,000 dropped arrivals in the first second;
 * with every connection open ahead, 0-200 (bench/results/self-noise.md).
 */
export const partsConnectionsAhead = (workloads: readonly Workload[], parts: readonly ThreadPart[]): number =>
  parts.reduce((n, p) => {
    const e = workloads[p.workload]!.executor;
    return n + laneShare(isOpenModel(e) ? executorMaxVUs(e) : executorStartVUs(e), p.lane);
  }, 0);

/** Iterations a second some parts' open executors start at their peak (unscaled): a lane's share is 1/count of its executor's. */
export const partsPeakRate = (workloads: readonly Workload[], parts: readonly ThreadPart[]): number =>
  parts.reduce((rate, p) => rate + peakRate(workloads[p.workload]!.executor) / p.lane.count, 0);

/**
 * The ids of workload `w`'s VUs: its plan's from `firstVuId`; those a scale adds beyond its
 * plan's most after every planned VU of the run, interleaved with the other workloads' own, so
 * an id stays unique in the run (it is `{{__vu}}`, and picks data rows).
 */
export function vuIdsOf(workloads: readonly Workload[], w: number): VuIds {
  const workload = workloads[w]!;
  const max = executorMaxVUs(workload.executor);
  const last = workloads.at(-1)!;
  const planned = last.firstVuId + executorMaxVUs(last.executor) - 1;
  return (k) => (k < max ? workload.firstVuId + k : planned + 1 + (k - max) * workloads.length + w);
}
