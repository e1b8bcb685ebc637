import { globalItem, type Lane, laneShare } from "@loadline/core";
import type { PicksByItem, PicksInOrder } from "../schedule/weighted.ts";
import { completion, type ExecutorRun, type ExecutorStart } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import { type IterationContext, NO_RESPONSE_PAUSE_MS } from "./iteration-context.ts";

/** Fixed work: which scenario runs next on a VU, or undefined when the VU has no more to do. */
type WorkSource = (vuIndex: number, done: number) => number | undefined;

/**
 * per-vu-iterations and shared-iterations: VUs run iterations until the work runs out or
 * `maxDurationMs` passes (then no further iteration starts, and those running get the graceful
 * stop before they are interrupted). Made by `perVuIterations` and `sharedIterations`, which
 * decide who runs what.
 */
export class IterationsExecutorRun implements ExecutorRun {
  private readonly finished = completion();
  private running = 0;
  private over = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: NodeJS.Timeout | undefined;

  constructor(
    private readonly vus: number,
    private readonly lane: Lane,
    private readonly work: WorkSource,
    private readonly maxDurationMs: number,
    private readonly firstVuId: number,
    private readonly ctx: IterationContext,
    private readonly grace: GracefulStop,
  ) {}

  get done(): Promise<void> {
    return this.finished.promise;
  }

  /** The VUs set off at the origin (at once when it has passed); the deadline counts from it. */
  start(at: ExecutorStart): void {
    const now = performance.now();
    this.timer = setTimeout(() => this.end(), at.origin + this.maxDurationMs - now);
    this.ctx.stopping.signal.addEventListener("abort", () => this.end(), { once: true });
    if (this.vus === 0) {
      this.end();
      return;
    }
    this.delay = setTimeout(
      () => {
        for (let m = 0; m < this.vus; m++) void this.loop(m);
      },
      Math.max(0, at.origin - now),
    );
  }

  private async loop(m: number): Promise<void> {
    this.running++;
    this.ctx.changeActive(1);
    const vu = this.ctx.newVu(this.firstVuId + globalItem(m, this.lane));
    for (let done = 0; !this.over; done++) {
      const scenario = this.work(m, done);
      if (scenario === undefined) break;
      const noResponse = await this.ctx.iterate(vu, scenario, this.grace.signal);
      if (noResponse && !this.over) await this.ctx.pause(NO_RESPONSE_PAUSE_MS);
    }
    this.running--;
    this.ctx.changeActive(-1);
    if (this.running === 0) this.end();
  }

  private end(): void {
    this.over = true;
    clearTimeout(this.timer);
    clearTimeout(this.delay);
    if (this.running === 0) {
      this.grace.settle();
      this.finished.resolve();
    } else this.grace.begin();
  }
}

/** Each of the lane's VUs runs `iterations` iterations of its own scenario (VU k: `picks.at(k)`). */
export function perVuIterations(
  e: { vus: number; iterations: number; maxDurationSec: number },
  lane: Lane,
  picks: PicksByItem,
  firstVuId: number,
  ctx: IterationContext,
  grace: GracefulStop,
): IterationsExecutorRun {
  const work: WorkSource = (m, done) => (done < e.iterations ? picks.at(globalItem(m, lane)) : undefined);
  return new IterationsExecutorRun(laneShare(e.vus, lane), lane, work, e.maxDurationSec * 1000, firstVuId, ctx, grace);
}

/**
 * The lane's VUs share the lane's iterations (iteration j of the whole goes to lane j mod
 * count): a free VU takes the next, so fast VUs do more. Iteration j runs scenario pick j.
 */
export function sharedIterations(
  e: { vus: number; iterations: number; maxDurationSec: number },
  lane: Lane,
  picks: PicksInOrder,
  firstVuId: number,
  ctx: IterationContext,
  grace: GracefulStop,
): IterationsExecutorRun {
  let left = laneShare(e.iterations, lane);
  const work: WorkSource = () => {
    if (left <= 0) return undefined;
    left--;
    return picks.next();
  };
  return new IterationsExecutorRun(laneShare(e.vus, lane), lane, work, e.maxDurationSec * 1000, firstVuId, ctx, grace);
}
