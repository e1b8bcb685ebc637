import { GENERATOR_BOUNDS, globalItem, type Lane } from "@loadline/core";
import { ArrivalSchedule, type RateChange, type RateSegment, scaledSegments, segmentsMs } from "../schedule/arrivals.ts";
import type { PicksInOrder } from "../schedule/weighted.ts";
import { currentSecond } from "../windows.ts";
import { completion, type ExecutorRun, type ExecutorStart, type VuIds } from "./executor-run.ts";
import type { GracefulStop } from "./graceful-stop.ts";
import type { IterationContext } from "./iteration-context.ts";
import { currentRateFactor, type ExecutorControl, sameRates } from "./load-control.ts";
import type { VirtualUser } from "./virtual-user.ts";

/** How much earlier than due the timer is set: the rest is polled. */
const TIMER_SLACK_MS = 1.5;

/**
 * The longest a turn of that poll waits on the CPU before the loop reads I/O again. A turn
 * leaves some 0.4 KB of garbage (its Immediate, the clock's reading): at a turn every 2 µs,
 * 2,000 arrivals/s made ~100 MB/s of it, a scavenge every 50 ms and 100 ms of pauses a 10 s
 * run; a turn every 10 µs makes a quarter of that (bench/results/self-noise.md). A response
 * that comes meanwhile is read this much later at most.
 */
const POLL_TURN_MS = 0.01;
/**
 * The same with no iteration running in the thread: no response to read, so the turn can be
 * longer (half the GC again at 2,000/s); bounded so that another executor of the thread (a lost
 * worker's lanes) does not wait on this one more than that.
 */
const IDLE_POLL_TURN_MS = 0.1;

/** Waits on the CPU for `ms`: process.hrtime.bigint(), unlike performance.now(), allocates nothing once optimised. */
function holdPollTurn(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.floor(ms * 1e6));
  while (process.hrtime.bigint() < end);
}

/**
 * Up to how late a backlog is caught up in bursts of a quarter of the pool a turn of the loop
 * (see `pump`); later than this, it is started all at once, as the pool allows. The generator's
 * own bound on its timer slip (GENERATOR_BOUNDS.timerSlipP95Ms): a backlog older than this is a
 * generator that cannot keep up, whose excess is dropped rather than queued without end.
 */
const CATCH_UP_MS = GENERATOR_BOUNDS.timerSlipP95Ms;

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
 * its end (the schedule's duration, or the stop) the iterations running get the graceful
 * stop, then are interrupted.
 *
 * Live control: a scale rebuilds the schedule over the scaled rate (scaledSegments) and goes
 * on from the same iteration number, so every lane still takes its exact share; the pool's
 * `max` is asked again for the new factor (`poolMax`). While paused, nothing starts; at the
 * resume the iterations due meanwhile are skipped (not dropped, no latency): the schedule
 * goes on from now, and the executor still ends at its planned end.
 */
export class ArrivalExecutorRun implements ExecutorRun {
  private readonly free: VirtualUser[] = [];
  private readonly finished = completion();
  private readonly endMs: number;
  private schedule: ArrivalSchedule;
  private rates: readonly RateChange[] = [];
  private max: number;
  private paused = false;
  private allocated = 0;
  private busy = 0;
  /**
   * One field for both changes, not a flag each: a field written once after its initial value is
   * taken as constant by optimised code, which is thrown away when it changes. The start changes
   * it in the rehearsal, well before `pump` is optimised; a flag `over`, changed first at the
   * rehearsal's end, threw `pump` away just before the run (rehearsal.ts).
   */
  private phase: "ready" | "running" | "over" = "ready";
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private nextDueMs: number | undefined;

  /** `poolMax`: the lane's most VUs under a rate factor (the plan's `max` at 1). */
  constructor(
    private readonly segments: readonly RateSegment[],
    private readonly pool: ArrivalPool,
    private readonly lane: Lane,
    private readonly picks: PicksInOrder,
    private readonly vuIds: VuIds,
    private readonly ctx: IterationContext,
    private readonly grace: GracefulStop,
    private readonly poolMax: (rateFactor: number) => number = () => pool.max,
  ) {
    this.schedule = new ArrivalSchedule(segments, lane);
    this.endMs = segmentsMs(segments);
    this.max = pool.max;
  }

  get done(): Promise<void> {
    return this.finished.promise;
  }

  start(at: ExecutorStart): void {
    while (this.allocated < this.pool.preAllocated) this.free.push(this.allocate());
    this.startedAt = at.origin;
    this.phase = "running";
    this.nextDueMs = this.schedule.next();
    // Joining in progress: the arrivals already due were the lost worker's, not a backlog of ours.
    if (at.joinedAt !== undefined) this.skipBefore(at.joinedAt - at.origin);
    this.ctx.stopping.signal.addEventListener("abort", () => this.end(), { once: true });
    this.pump();
  }

  control(c: ExecutorControl): void {
    if (this.phase === "over") return;
    const resumed = this.paused && !c.paused;
    this.paused = c.paused;
    if (!sameRates(this.rates, c.rates)) this.rescale(c.rates);
    if (this.phase === "ready") return;
    // Resumed: the timeline as of now; what fell due while paused is not started late.
    if (resumed) this.skipBefore(performance.now() - this.startedAt);
    this.pump();
  }

  /** The schedule over the scaled rate, from the iteration it was about to start on. */
  private rescale(rates: readonly RateChange[]): void {
    this.rates = rates;
    this.max = Math.max(this.pool.max, this.poolMax(currentRateFactor(rates)));
    const upcoming = this.schedule.upcomingIndex;
    const pendingIndex = this.nextDueMs === undefined ? upcoming : upcoming - this.lane.count;
    this.schedule = new ArrivalSchedule(scaledSegments(this.segments, rates), this.lane, pendingIndex);
    if (this.phase !== "ready") this.nextDueMs = this.schedule.next();
  }

  /** Passes over the iterations due before `ms` from the start. */
  private skipBefore(ms: number): void {
    if (this.nextDueMs === undefined || this.nextDueMs >= ms) return;
    this.schedule.skipBefore(ms);
    do this.nextDueMs = this.schedule.next();
    while (this.nextDueMs !== undefined && this.nextDueMs < ms);
  }

  /**
   * Starts every iteration now due, then waits for the next. Late wake-ups make a burst, never
   * a gap. A timer fires a millisecond or so late, and that lateness would count in every
   * latency: so it wakes a little early and polls the last stretch with setImmediate, which
   * lets I/O run in between, turns of POLL_TURN_MS apart. With nothing due before its end (or
   * paused), it waits for its end: a resume or a scale up may come first.
   *
   * A backlog (the generator was held up: a collection, a compile, another process on its core)
   * is started a quarter of the pool a turn, letting I/O run in between: the VUs it takes come
   * back as their answers are read, and the rest of it starts on them. All at once, it took
   * every VU before the loop could read the answers already there, and dropped the rest of it
   * for a pool that was only busy in the generator's books: at 30,000 arrivals/s with 400 VUs a
   * stall of 20 ms a second dropped about 1,200 iterations a run against nginx, none this way
   * (bench/results/self-noise.md). A slow target's drops are the same: it holds the VUs.
   */
  private pump(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.phase === "over") return;
    const elapsed = performance.now() - this.startedAt;
    const burst = Math.max(1, Math.floor(this.max / 4));
    let started = 0;
    while (!this.paused && this.nextDueMs !== undefined && this.nextDueMs <= elapsed) {
      if (started === burst && elapsed - this.nextDueMs < CATCH_UP_MS) {
        this.immediate = setImmediate(ArrivalExecutorRun.pumpRun, this);
        return;
      }
      this.launch(this.startedAt + this.nextDueMs);
      started++;
      this.nextDueMs = this.schedule.next();
    }
    if (this.paused || this.nextDueMs === undefined) {
      if (elapsed >= this.endMs) this.end();
      else this.timer = setTimeout(ArrivalExecutorRun.pumpRun, this.endMs - elapsed, this);
      return;
    }
    const wait = this.nextDueMs - elapsed;
    if (wait > TIMER_SLACK_MS) this.timer = setTimeout(ArrivalExecutorRun.pumpRun, wait - TIMER_SLACK_MS, this);
    else {
      holdPollTurn(Math.min(wait, this.ctx.activeUsers === 0 ? IDLE_POLL_TURN_MS : POLL_TURN_MS));
      this.immediate = setImmediate(ArrivalExecutorRun.pumpRun, this);
    }
  }

  /** One function for every executor's timers, not a closure each: see PlanPicksInOrder. */
  private static pumpRun(run: ArrivalExecutorRun): void {
    run.pump();
  }

  private launch(intendedStart: number): void {
    const lateMs = performance.now() - intendedStart;
    this.ctx.windows.recordTimerSlip(lateMs);
    const scenario = this.picks.next();
    const vu = this.free.pop() ?? (this.allocated < this.max ? this.allocate() : undefined);
    if (!vu) {
      this.ctx.windows.recordDropped(currentSecond(), 1, lateMs);
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
    return this.ctx.newVu(this.vuIds(globalItem(this.allocated++, this.lane)));
  }

  private end(): void {
    if (this.phase === "over") return;
    this.phase = "over";
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.settleIfIdle();
    this.grace.begin();
  }

  private settleIfIdle(): void {
    if (this.phase !== "over" || this.busy > 0) return;
    this.grace.settle();
    this.finished.resolve();
  }
}
