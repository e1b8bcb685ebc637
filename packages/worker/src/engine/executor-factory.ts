import { type Lane, laneShare } from "@loadline/core";
import { rateSegments } from "../schedule/arrivals.ts";
import { vuTimeline } from "../schedule/vus.ts";
import { LanePicks, PickSequence, type PicksByItem, type PicksInOrder } from "../schedule/weighted.ts";
import { ArrivalExecutorRun } from "./arrival-executor.ts";
import { ClosedExecutorRun } from "./closed-executor.ts";
import type { ExecutorRun, VuIds } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import type { IterationContext } from "./iteration-context.ts";
import { perVuIterations, sharedIterations } from "./iterations-executor.ts";
import { scaledMaxVus, UNSCALED, type Workload } from "./workloads.ts";

/**
 * The run of one workload in one lane. Scenario picks index into the workload's scenarios;
 * they are turned into indices of the plan's (compiled) scenarios the context holds. `vuIds`
 * gives its VUs their ids in the run (vuIdsOf). `grace` interrupts its iterations once its
 * graceful stop after its end has passed.
 */
export function executorRun(workload: Workload, lane: Lane, vuIds: VuIds, ctx: IterationContext, grace: GracefulStop): ExecutorRun {
  const e = workload.executor;
  const { weights } = workload;
  const toPlan = (pick: number) => workload.scenarios[pick]!;
  switch (e.type) {
    case "constant-vus":
    case "ramping-vus":
      return new ClosedExecutorRun(
        (factor, fromMs) => vuTimeline(e, factor, fromMs),
        lane,
        mapped(new PickSequence(weights), toPlan),
        vuIds,
        ctx,
        grace,
      );
    case "constant-arrival-rate":
    case "ramping-arrival-rate": {
      const pool = { preAllocated: laneShare(e.preAllocatedVUs, lane), max: laneShare(e.maxVUs ?? e.preAllocatedVUs, lane) };
      const poolMax = (rateFactor: number) => laneShare(scaledMaxVus(e, { ...UNSCALED, rateFactor }), lane);
      const picks = mappedNext(new LanePicks(weights, lane), toPlan);
      return new ArrivalExecutorRun(rateSegments(e), pool, lane, picks, vuIds, ctx, grace, poolMax);
    }
    case "per-vu-iterations":
      return perVuIterations(e, lane, mapped(new PickSequence(weights), toPlan), vuIds, ctx, grace);
    case "shared-iterations":
      return sharedIterations(e, lane, mappedNext(new LanePicks(weights, lane), toPlan), vuIds, ctx, grace);
  }
}

const mapped = (picks: PicksByItem, f: (pick: number) => number): PicksByItem => ({ at: (k: number) => f(picks.at(k)) });
const mappedNext = (picks: PicksInOrder, f: (pick: number) => number): PicksInOrder => ({ next: () => f(picks.next()) });
