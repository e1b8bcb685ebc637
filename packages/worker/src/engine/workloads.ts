import { executorDurationSec, executorMaxVUs, scaleExecutor, type Executor, type RunPlan } from "@loadline/core";
import type { Lane } from "../schedule/lane.ts";

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
  /** Added to a VU's number in its executor to make its id (1-based) unique in the run on this worker. */
  firstVuId: number;
};

/** The executor instances of a plan, each scaled to this worker's `fraction` of the run. */
export function workloadsOf(plan: RunPlan, fraction = 1): Workload[] {
  const shared = plan.scenarios.flatMap((s, i) => (s.executor ? [] : [i]));
  const raw: Omit<Workload, "firstVuId">[] = [];
  if (shared.length > 0) raw.push({ executor: plan.workload, scenarios: shared, weights: shared.map((i) => plan.scenarios[i]!.weight) });
  plan.scenarios.forEach((s, i) => {
    if (s.executor) raw.push({ executor: s.executor, scenarios: [i], weights: [1] });
  });
  let firstVuId = 1;
  return raw.map((w) => {
    const executor = scaleExecutor(w.executor, fraction);
    const workload = { ...w, executor, firstVuId };
    firstVuId += executorMaxVUs(executor);
    return workload;
  });
}

/** The longest any of a plan's executors runs, in seconds: when this worker's part is over at the latest. */
export const longestDurationSec = (workloads: readonly Workload[]): number => Math.max(0, ...workloads.map((w) => executorDurationSec(w.executor)));

/**
 * The lane of thread `thread.index` (of `thread.count`) in an executor. No more threads
 * share an executor than it has VUs, so every lane has at least one; a thread past them
 * has no part in it (undefined).
 */
export function laneOf(e: Executor, thread: Lane): Lane | undefined {
  const count = Math.max(1, Math.min(thread.count, executorMaxVUs(e)));
  return thread.index < count ? { index: thread.index, count } : undefined;
}
