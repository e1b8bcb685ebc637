import { type Executor, executorMaxVUs, isOpenModel } from "./executors.ts";
import type { RunPlan } from "./normalize.ts";

/**
 * A share of an executor's items (VUs, arrivals, iterations): the items whose number is
 * `index` modulo `count`. Lanes partition the items exactly, whatever they are: VU k, the
 * k-th arrival, the k-th iteration. A run is cut into `laneCount` lanes and each worker runs
 * some of them; a worker's threads split its lanes further the same way (lane i of n split in
 * t is lanes i, i+n, ... of n·t), so every VU id and every arrival belongs to exactly one thread.
 */
export type Lane = { index: number; count: number };

export const WHOLE: Lane = { index: 0, count: 1 };

/** How many of the items 0..total-1 fall in a lane. */
export function laneShare(total: number, lane: Lane): number {
  return total > lane.index ? Math.floor((total - lane.index - 1) / lane.count) + 1 : 0;
}

/** The lane's items in order: its `local`-th item is item number `index + local * count` of the whole. */
export const globalItem = (local: number, lane: Lane): number => lane.index + local * lane.count;

/** Lane `lane` cut into `parts` sub-lanes. */
export const subLanes = (lane: Lane, parts: number): Lane[] =>
  Array.from({ length: parts }, (_, t) => ({ index: lane.index + lane.count * t, count: lane.count * parts }));

/** The executor instances of a plan: the shared workload (when a scenario has no executor of its own), then each scenario's own. */
export function planExecutors(plan: RunPlan): Executor[] {
  const shared = plan.scenarios.some((s) => !s.executor) ? [plan.workload] : [];
  return [...shared, ...plan.scenarios.flatMap((s) => (s.executor ? [s.executor] : []))];
}

/** Iterations per second an open executor starts at its busiest. */
export function peakRate(e: Executor): number {
  if (!isOpenModel(e)) return 0;
  if (e.type === "constant-arrival-rate") return e.rate / e.timeUnitSec;
  if (e.type === "ramping-arrival-rate") return Math.max(e.startRate, ...e.stages.map((s) => s.target)) / e.timeUnitSec;
  return 0;
}

/** What some lanes of a run ask of a worker at their peak: VUs, and iterations started per second. */
export type Demand = { vus: number; arrivalRate: number };

export function laneDemand(executors: readonly Executor[], lanes: readonly number[], laneCount: number): Demand {
  let vus = 0;
  let arrivalRate = 0;
  for (const e of executors) {
    for (const index of lanes) vus += laneShare(executorMaxVUs(e), { index, count: laneCount });
    arrivalRate += (peakRate(e) * lanes.length) / laneCount;
  }
  return { vus, arrivalRate };
}

/** The most lanes a run can be cut into: every lane of every executor must hold a VU. */
export const maxLanes = (executors: readonly Executor[]): number => Math.max(1, Math.min(...executors.map(executorMaxVUs)));
