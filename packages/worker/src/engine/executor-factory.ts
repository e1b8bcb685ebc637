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
  switch (e.type) {
    case "constant-vus":
    case "ramping-vus":
      return new ClosedExecutorRun(
        (factor, fromMs) => vuTimeline(e, factor, fromMs),
        lane,
        new PlanPicksByItem(new PickSequence(weights), workload.scenarios),
        vuIds,
        ctx,
        grace,
      );
    case "constant-arrival-rate":
    case "ramping-arrival-rate": {
      const pool = { preAllocated: laneShare(e.preAllocatedVUs, lane), max: laneShare(e.maxVUs ?? e.preAllocatedVUs, lane) };
      const poolMax = (rateFactor: number) => laneShare(scaledMaxVus(e, { ...UNSCALED, rateFactor }), lane);
      const picks = new PlanPicksInOrder(new LanePicks(weights, lane), workload.scenarios);
      return new ArrivalExecutorRun(rateSegments(e), pool, lane, picks, vuIds, ctx, grace, poolMax);
    }
    case "per-vu-iterations":
      return perVuIterations(e, lane, new PlanPicksByItem(new PickSequence(weights), workload.scenarios), vuIds, ctx, grace);
    case "shared-iterations":
      return sharedIterations(e, lane, new PlanPicksInOrder(new LanePicks(weights, lane), workload.scenarios), vuIds, ctx, grace);
  }
}

/**
 * A workload's picks as indices of the plan's scenarios. Classes rather than closures: a call
 * site optimised on one executor's closure bails out ("wrong call target") on the next's, and
 * the run's executor comes after its rehearsal's (rehearsal.ts).
 */
class PlanPicksInOrder implements PicksInOrder {
  private readonly scenarios: Int32Array;

  constructor(
    private readonly picks: PicksInOrder,
    scenarios: readonly number[],
  ) {
    this.scenarios = Int32Array.from(scenarios);
  }

  next(): number {
    return this.scenarios[this.picks.next()]!;
  }
}

class PlanPicksByItem implements PicksByItem {
  private readonly scenarios: Int32Array;

  constructor(
    private readonly picks: PicksByItem,
    scenarios: readonly number[],
  ) {
    this.scenarios = Int32Array.from(scenarios);
  }

  at(item: number): number {
    return this.scenarios[this.picks.at(item)]!;
  }
}
