import { globalItem, type Lane } from "@loadline/core";
import type { ArrivalSchedule } from "../schedule/arrivals.ts";
import type { PicksInOrder } from "../schedule/weighted.ts";
import { currentSecond } from "../windows.ts";
import { completion, type ExecutorRun, type ExecutorStart } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import type { IterationContext } from "./iteration-context.ts";
import type { VirtualUser } from "./virtual-user.ts";

/** How much earlier than due the timer is set: the rest is polled. */
const TIMER_SLACK_MS = 1.5;

export type ArrivalPool = {
  /** VUs made up front. */
  preAllocated: number;
  /** The most VUs it may have: with every one busy, a due iteration is dropped. */
  max: number;
};

/**
 * constant-arrival-rate and ramping-arrival-rate: iterations start when the schedule says,
 * whatever the target's latency (the open model). A due iteration takes a free VU, else a new
 * one while fewer than `max` exist, else it is dropped and counted. Its VU's first request
 * counts its latency from the due time, so a target that stalls shows in the latency of
 * every iteration queued behind the stall (coordinated omission corrected, as wrk2 does). At
 * its end (the schedule's, or the stop) the iterations running get the graceful stop, then are
 * interrupted.
 */
export class ArrivalExecutorRun implements ExecutorRun {
  private readonly free: VirtualUser[] = [];
  private readonly finished = completion();
  private allocated = 0;
  private busy = 0;
  private over = false;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private nextDueMs: number | undefined;

  constructor(
    private readonly schedule: ArrivalSchedule,
    private readonly pool: ArrivalPool,
    private readonly lane: Lane,
    private readonly picks: PicksInOrder,
    private readonly firstVuId: number,
    private readonly ctx: IterationContext,
    private readonly grace: GracefulStop,
  ) {}

  get done(): Promise<void> {
    return this.finished.promise;
  }

  start(at: ExecutorStart): void {
    while (this.allocated < this.pool.preAllocated) this.free.push(this.allocate());
    this.startedAt = at.origin;
    this.nextDueMs = this.schedule.next();
    // Joining in progress: the arrivals already due were the lost worker's, not a backlog of ours.
    const joinedMs = at.joinedAt === undefined ? undefined : at.joinedAt - at.origin;
    while (joinedMs !== undefined && this.nextDueMs !== undefined && this.nextDueMs < joinedMs) this.nextDueMs = this.schedule.next();
    this.ctx.stopping.signal.addEventListener("abort", () => this.end(), { once: true });
    this.pump();
  }

  /**
   * Starts every iteration now due, then waits for the next. Late wake-ups make a burst, never
   * a gap. A timer fires a millisecond or so late, and that lateness would count in every
   * latency: so it wakes a little early and polls the last stretch with setImmediate, which
   * lets I/O run in between.
   */
  private pump(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.over) return;
    const elapsed = performance.now() - this.startedAt;
    while (this.nextDueMs !== undefined && this.nextDueMs <= elapsed) {
      this.launch(this.startedAt + this.nextDueMs);
      this.nextDueMs = this.schedule.next();
    }
    if (this.nextDueMs === undefined) {
      this.end();
      return;
    }
    const wait = this.nextDueMs - elapsed;
    if (wait > TIMER_SLACK_MS) this.timer = setTimeout(this.pumpNow, wait - TIMER_SLACK_MS);
    else this.immediate = setImmediate(this.pumpNow);
  }

  private readonly pumpNow = () => this.pump();

  private launch(intendedStart: number): void {
    const scenario = this.picks.next();
    const vu = this.free.pop() ?? (this.allocated < this.pool.max ? this.allocate() : undefined);
    if (!vu) {
      this.ctx.windows.recordDropped(currentSecond());
      return;
    }
    this.busy++;
    this.ctx.changeActive(1);
    void this.ctx.iterate(vu, scenario, this.grace.signal, intendedStart).then(() => {
      this.busy--;
      this.ctx.changeActive(-1);
      this.free.push(vu);
      this.settleIfIdle();
    });
  }

  private allocate(): VirtualUser {
    return this.ctx.newVu(this.firstVuId + globalItem(this.allocated++, this.lane));
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.settleIfIdle();
    this.grace.begin();
  }

  private settleIfIdle(): void {
    if (!this.over || this.busy > 0) return;
    this.grace.settle();
    this.finished.resolve();
  }
}
