import type { RateChange } from "../schedule/arrivals.ts";

/** An arrival-rate factor from the instant `at` (epoch ms) on. */
export type RateFactor = { at: number; factor: number };

/**
 * A live run's control (run.paused, run.resumed, run.scaled), as the engine applies it: the
 * whole state each time, so that applying it again changes nothing.
 *
 * - `paused`: no iteration starts. Those in flight finish (k6's pause): they are counted as
 *   usual. Closed VUs wait before their next iteration; an open executor's arrivals due
 *   meanwhile are skipped (neither started nor dropped, and no latency), its clock running on.
 * - `vuFactor`: what closed executors' VU counts are multiplied by (constant-vus, ramping-vus,
 *   shared-iterations), from the moment it comes.
 * - `rates`: the history of the open executors' rate factor, each from its instant on, in
 *   order (empty: as planned). The whole history, so that every thread of every worker,
 *   one that joins late too, computes the same schedule and the lanes stay an exact cut of it.
 */
export type LoadControl = {
  paused: boolean;
  vuFactor: number;
  rates: readonly RateFactor[];
};

/** The control of a run nobody paused or scaled. */
export const AS_PLANNED: LoadControl = { paused: false, vuFactor: 1, rates: [] };

/** The control as an executor applies it: instants in ms from the run's start. */
export type ExecutorControl = {
  paused: boolean;
  vuFactor: number;
  rates: readonly RateChange[];
};

export const executorControl = (c: LoadControl, originMs: number): ExecutorControl => ({
  paused: c.paused,
  vuFactor: c.vuFactor,
  rates: c.rates.map((r) => ({ atMs: r.at - originMs, factor: r.factor })),
});

/** The rate factor in force after the last change. */
export const currentRateFactor = (rates: readonly { factor: number }[]): number => rates.at(-1)?.factor ?? 1;

export const sameRates = (a: readonly RateChange[], b: readonly RateChange[]): boolean =>
  a.length === b.length && a.every((r, i) => r.atMs === b[i]!.atMs && r.factor === b[i]!.factor);

/**
 * Where an executor's VUs wait while the run is paused: a resume opens it, and so does the
 * executor's end (or the stop), so that nobody waits for a resume that will not come.
 */
export class PauseGate {
  private closed = false;
  private waiting: (() => void)[] = [];

  get paused(): boolean {
    return this.closed;
  }

  /** Closes it (true) or opens it (false), letting whoever waits through. */
  set(paused: boolean): void {
    this.closed = paused;
    if (!paused) this.release();
  }

  /** Resolves once it opens, or at once when open. */
  wait(): Promise<void> {
    if (!this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Lets whoever waits through, open or not: they look again at why they waited. */
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
