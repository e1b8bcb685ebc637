import { globalItem, type Lane, laneShare } from "@loadline/core";
import type { VuChange } from "../schedule/vus.ts";
import type { PicksByItem } from "../schedule/weighted.ts";
import { completion, type ExecutorRun, type ExecutorStart, type VuIds } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import { type IterationContext, NO_RESPONSE_PAUSE_MS } from "./iteration-context.ts";
import { type ExecutorControl, PauseGate } from "./load-control.ts";
import type { VirtualUser } from "./virtual-user.ts";

/** The executor's VU timeline scaled by `factor`, from `fromMs` after its start on (vuTimeline). */
export type ScaledTimeline = (factor: number, fromMs: number) => Iterator<VuChange>;

/**
 * constant-vus and ramping-vus: VUs 0..n-1 loop over their scenario, n following the
 * executor's timeline. A VU the count drops below finishes its iteration, then leaves; the
 * same VU (same session, same scenario) comes back when the count rises again. This thread
 * runs the VUs of its lane; VU k runs scenario `picks.at(k)`. At its end (the timeline's, or
 * the stop) the iterations running get the graceful stop, then are interrupted.
 *
 * Live control: a scale replaces the timeline by the scaled one from that moment (the lane's
 * share of the scaled count, so the lanes still add up to it exactly); a pause holds every VU
 * before its next iteration (the one in flight finishes) and it is not active meanwhile.
 */
export class ClosedExecutorRun implements ExecutorRun {
  private readonly vus: VirtualUser[] = [];
  private readonly looping: boolean[] = [];
  private readonly finished = completion();
  private readonly gate = new PauseGate();
  private timeline: Iterator<VuChange> | undefined;
  private factor = 1;
  private running = 0;
  /** This lane's share of the VU count now. */
  private wanted = 0;
  private over = false;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: VuChange | undefined;

  constructor(
    private readonly scaledTimeline: ScaledTimeline,
    private readonly lane: Lane,
    private readonly picks: PicksByItem,
    private readonly vuIds: VuIds,
    private readonly ctx: IterationContext,
    private readonly grace: GracefulStop,
  ) {}

  get done(): Promise<void> {
    return this.finished.promise;
  }

  /** A VU due before a late start or a join starts at once: the count follows the run's timeline. */
  start(at: ExecutorStart): void {
    this.startedAt = at.origin;
    this.timeline = this.scaledTimeline(this.factor, 0);
    this.ctx.stopping.signal.addEventListener("abort", () => this.end(), { once: true });
    this.advance();
  }

  control(c: ExecutorControl): void {
    if (this.over) return;
    this.gate.set(c.paused);
    if (c.vuFactor === this.factor) return;
    this.factor = c.vuFactor;
    if (!this.timeline) return; // not started: it starts scaled
    // The scaled count from now on, as if the run had been planned so: its first change is the count now.
    clearTimeout(this.timer);
    this.pending = undefined;
    this.timeline = this.scaledTimeline(this.factor, Math.max(0, performance.now() - this.startedAt));
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
    const next = this.timeline?.next();
    return !next || next.done ? undefined : next.value;
  }

  private setVus(total: number): void {
    const before = this.wanted;
    this.wanted = laneShare(total, this.lane);
    // Only the VUs above the old count can be missing: one below it that left did so when the count fell below it.
    for (let m = before; m < this.wanted; m++) if (!this.looping[m]) void this.loop(m);
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.wanted = 0;
    clearTimeout(this.timer);
    this.gate.release();
    this.settleIfIdle();
    this.grace.begin();
  }

  private async loop(m: number): Promise<void> {
    this.looping[m] = true;
    this.running++;
    let active = false;
    const k = globalItem(m, this.lane);
    const vu = (this.vus[m] ??= this.ctx.newVu(this.vuIds(k)));
    const scenario = this.picks.at(k);
    while (m < this.wanted && !this.ctx.isStopping) {
      if (this.gate.paused) {
        // Paused: not active while it waits for the resume (or the end).
        if (active) this.ctx.changeActive(-1);
        active = false;
        await this.gate.wait();
        continue;
      }
      if (!active) this.ctx.changeActive(1);
      active = true;
      const noResponse = await this.ctx.iterate(vu, scenario, this.grace.signal);
      if (noResponse && m < this.wanted) await this.ctx.pause(NO_RESPONSE_PAUSE_MS);
    }
    this.looping[m] = false;
    this.running--;
    if (active) this.ctx.changeActive(-1);
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (!this.over || this.running > 0) return;
    this.grace.settle();
    this.finished.resolve();
  }
}
