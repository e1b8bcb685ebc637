/**
 * One executor's graceful stop, as k6's `gracefulStop`: once the executor ends (its schedule is
 * over, or the run stops) its iterations in flight may finish for `graceMs`; then `signal`
 * aborts, and what still runs is interrupted. A stop may shorten the wait (a worker declared
 * lost stops at once), never lengthen it.
 */
export class GracefulStop {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() at which it aborts, once begun. */
  private deadline = Number.POSITIVE_INFINITY;
  private settled = false;

  private readonly given: AbortSignal;

  /**
   * `lent`: the signal to give the iterations instead of its own, which it then never aborts (a
   * rehearsal's iterations carry the run's signal: see rehearsal.ts). Chosen once, here: a getter
   * that chose at each call would take a branch in the run that the rehearsal never took.
   */
  constructor(
    readonly graceMs: number,
    lent?: AbortSignal,
  ) {
    this.given = lent ?? this.controller.signal;
  }

  /** Aborts the executor's iterations still running when the grace is over. */
  get signal(): AbortSignal {
    return this.given;
  }

  /** True when the grace ran out with iterations still running: they were interrupted. */
  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** The executor ended: what still runs in `graceMs` (or `capMs`, when sooner) from now is interrupted. */
  begin(capMs = Number.POSITIVE_INFINITY): void {
    if (this.settled || this.interrupted) return;
    const now = performance.now();
    const at = now + Math.max(0, Math.min(this.graceMs, capMs));
    if (at >= this.deadline) return;
    this.deadline = at;
    clearTimeout(this.timer);
    if (at <= now) this.controller.abort();
    else this.timer = setTimeout(() => this.controller.abort(), at - now);
  }

  /** Every iteration of the executor has ended: nothing is left to interrupt. */
  settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
  }
}
