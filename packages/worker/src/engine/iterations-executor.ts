import { globalItem, type Lane, laneShare } from "@loadline/core";
import type { PicksByItem, PicksInOrder } from "../schedule/weighted.ts";
import { completion, type ExecutorRun, type ExecutorStart, type VuIds } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import { type IterationContext, NO_RESPONSE_PAUSE_MS } from "./iteration-context.ts";
import { type ExecutorControl, PauseGate } from "./load-control.ts";

/** Fixed work: which scenario runs next on a VU, or undefined when the VU has no more to do. */
type WorkSource = (vuIndex: number, done: number) => number | undefined;

/** The lane's VUs under a VU factor (1: as planned). */
type LaneVus = (vuFactor: number) => number;

/**
 * per-vu-iterations and shared-iterations: VUs run iterations until the work runs out or
 * `maxDurationMs` passes (then no further iteration starts, and those running get the graceful
 * stop before they are interrupted). Made by `perVuIterations` and `sharedIterations`, which
 * decide who runs what, and how many VUs a scale gives the lane. A pause holds every VU
 * before its next iteration; the deadline runs on meanwhile.
 */
export class IterationsExecutorRun implements ExecutorRun {
  private readonly finished = completion();
  private readonly gate = new PauseGate();
  private readonly looping: boolean[] = [];
  private factor = 1;
  /** The lane's VUs now; 0 until the origin. */
  private wanted = 0;
  private running = 0;
  private begun = false;
  /** A VU found no more work: once every VU has left, the executor is over. */
  private exhausted = false;
  private over = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: NodeJS.Timeout | undefined;

  constructor(
    private readonly vus: LaneVus,
    private readonly lane: Lane,
    private readonly work: WorkSource,
    private readonly maxDurationMs: number,
    private readonly vuIds: VuIds,
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
    if (this.vus(1) === 0) {
      this.end();
      return;
    }
    this.delay = setTimeout(
      () => {
        this.begun = true;
        this.setVus(this.vus(this.factor));
      },
      Math.max(0, at.origin - now),
    );
  }

  control(c: ExecutorControl): void {
    if (this.over) return;
    this.gate.set(c.paused);
    this.factor = c.vuFactor;
    if (this.begun) this.setVus(this.vus(this.factor));
  }

  private setVus(vus: number): void {
    const before = this.wanted;
    this.wanted = vus;
    for (let m = before; m < vus && !this.exhausted; m++) if (!this.looping[m]) void this.loop(m);
  }

  private async loop(m: number): Promise<void> {
    this.looping[m] = true;
    this.running++;
    let active = false;
    const vu = this.ctx.newVu(this.vuIds(globalItem(m, this.lane)));
    for (let done = 0; !this.over && m < this.wanted; ) {
      if (this.gate.paused) {
        if (active) this.ctx.changeActive(-1);
        active = false;
        await this.gate.wait();
        continue;
      }
      const scenario = this.work(m, done);
      if (scenario === undefined) {
        this.exhausted = true;
        break;
      }
      if (!active) this.ctx.changeActive(1);
      active = true;
      const noResponse = await this.ctx.iterate(vu, scenario, this.grace.signal);
      done++;
      if (noResponse && !this.over) await this.ctx.pause(NO_RESPONSE_PAUSE_MS);
    }
    this.looping[m] = false;
    this.running--;
    if (active) this.ctx.changeActive(-1);
    // The work is done once every VU has left having found none left (a scale down to none leaves it waiting).
    if (this.running === 0 && (this.exhausted || this.over)) this.end();
  }

  private end(): void {
    if (!this.over) {
      this.over = true;
      clearTimeout(this.timer);
      clearTimeout(this.delay);
      this.gate.release();
    }
    if (this.running === 0) {
      this.grace.settle();
      this.finished.resolve();
    } else this.grace.begin();
  }
}

/**
 * Each of the lane's VUs runs `iterations` iterations of its own scenario (VU k: `picks.at(k)`).
 * Not scaled: its work is per VU, so a scale would change how much the run does, not how fast.
 */
export function perVuIterations(
  e: { vus: number; iterations: number; maxDurationSec: number },
  lane: Lane,
  picks: PicksByItem,
  vuIds: VuIds,
  ctx: IterationContext,
  grace: GracefulStop,
): IterationsExecutorRun {
  const work: WorkSource = (m, done) => (done < e.iterations ? picks.at(globalItem(m, lane)) : undefined);
  const vus = laneShare(e.vus, lane);
  return new IterationsExecutorRun(() => vus, lane, work, e.maxDurationSec * 1000, vuIds, ctx, grace);
}

/**
 * The lane's VUs share the lane's iterations (iteration j of the whole goes to lane j mod
 * count): a free VU takes the next, so fast VUs do more. Iteration j runs scenario pick j.
 * Scaled: the same work shared by more or fewer VUs (the lane's share of the scaled count),
 * at least one per lane while the factor is above 0, as the lane's iterations are its own.
 */
export function sharedIterations(
  e: { vus: number; iterations: number; maxDurationSec: number },
  lane: Lane,
  picks: PicksInOrder,
  vuIds: VuIds,
  ctx: IterationContext,
  grace: GracefulStop,
): IterationsExecutorRun {
  let left = laneShare(e.iterations, lane);
  const work: WorkSource = () => {
    if (left <= 0) return undefined;
    left--;
    return picks.next();
  };
  const vus: LaneVus = (f) => (f === 1 ? laneShare(e.vus, lane) : f > 0 ? Math.max(1, laneShare(Math.round(e.vus * f), lane)) : 0);
  return new IterationsExecutorRun(vus, lane, work, e.maxDurationSec * 1000, vuIds, ctx, grace);
}
