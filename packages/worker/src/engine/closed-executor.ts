import { globalItem, type Lane, laneShare } from "@loadline/core";
import type { VuChange } from "../schedule/vus.ts";
import type { PicksByItem } from "../schedule/weighted.ts";
import { completion, type ExecutorRun, type ExecutorStart } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import { type IterationContext, NO_RESPONSE_PAUSE_MS } from "./iteration-context.ts";
import type { VirtualUser } from "./virtual-user.ts";

/**
 * constant-vus and ramping-vus: VUs 0..n-1 loop over their scenario, n following the
 * executor's timeline. A VU the count drops below finishes its iteration, then leaves; the
 * same VU (same session, same scenario) comes back when the count rises again. This thread
 * runs the VUs of its lane; VU k runs scenario `picks.at(k)`. At its end (the timeline's, or
 * the stop) the iterations running get the graceful stop, then are interrupted.
 */
export class ClosedExecutorRun implements ExecutorRun {
  private readonly vus: VirtualUser[] = [];
  private readonly looping: boolean[] = [];
  private readonly finished = completion();
  private running = 0;
  /** This lane's share of the VU count now. */
  private wanted = 0;
  private over = false;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: VuChange | undefined;

  constructor(
    private readonly timeline: Iterator<VuChange>,
    private readonly lane: Lane,
    private readonly picks: PicksByItem,
    private readonly firstVuId: number,
    private readonly ctx: IterationContext,
    private readonly grace: GracefulStop,
  ) {}

  get done(): Promise<void> {
    return this.finished.promise;
  }

  /** A VU due before a late start or a join starts at once: the count follows the run's timeline. */
  start(at: ExecutorStart): void {
    this.startedAt = at.origin;
    this.ctx.stopping.signal.addEventListener("abort", () => this.end(), { once: true });
    this.advance();
  }

  /** Applies every change now due, then waits for the next one: times come from the timeline, so timers do not drift. */
  private advance(): void {
    if (this.over) return;
    const elapsed = performance.now() - this.startedAt;
    for (;;) {
      const change = this.pending ?? this.nextChange();
      if (!change) {
        this.end();
        return;
      }
      if (change.atMs > elapsed) {
        this.pending = change;
        this.timer = setTimeout(() => this.advance(), change.atMs - elapsed);
        return;
      }
      this.pending = undefined;
      this.setVus(change.vus);
    }
  }

  private nextChange(): VuChange | undefined {
    const next = this.timeline.next();
    return next.done ? undefined : next.value;
  }

  private setVus(total: number): void {
    this.wanted = laneShare(total, this.lane);
    for (let m = 0; m < this.wanted; m++) if (!this.looping[m]) void this.loop(m);
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.wanted = 0;
    clearTimeout(this.timer);
    this.settleIfIdle();
    this.grace.begin();
  }

  private async loop(m: number): Promise<void> {
    this.looping[m] = true;
    this.running++;
    this.ctx.changeActive(1);
    const k = globalItem(m, this.lane);
    const vu = (this.vus[m] ??= this.ctx.newVu(this.firstVuId + k));
    const scenario = this.picks.at(k);
    while (m < this.wanted && !this.ctx.isStopping) {
      const noResponse = await this.ctx.iterate(vu, scenario, this.grace.signal);
      if (noResponse && m < this.wanted) await this.ctx.pause(NO_RESPONSE_PAUSE_MS);
    }
    this.looping[m] = false;
    this.running--;
    this.ctx.changeActive(-1);
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (!this.over || this.running > 0) return;
    this.grace.settle();
    this.finished.resolve();
  }
}
