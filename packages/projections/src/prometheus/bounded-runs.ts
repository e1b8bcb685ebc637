import type { SeriesLimits } from "./series-limits.ts";

/** What every tracked run keeps: its newest second (epoch), by which it expires and is evicted. */
export type TrackedRun = { newestSecond: number };

/**
 * The runs a process keeps series of, within its limits: a window older than the retention is
 * not taken (a rebuild, a projector far behind: history is the read model's, not a live series),
 * a run expires `retentionSec` after its newest second, and past `maxRuns` the run whose newest
 * second is oldest goes first.
 */
export class BoundedRuns<R extends TrackedRun> {
  private readonly runs = new Map<string, R>();

  constructor(
    private readonly limits: SeriesLimits,
    private readonly create: (tenantId: string, runId: string) => R,
  ) {}

  /** The run a window of `second` adds to, made if new; none when the second is past the retention. */
  runFor(tenantId: string, runId: string, second: number, nowMs: number): R | null {
    if (this.expired(second, nowMs)) return null;
    const key = `${tenantId}\u0000${runId}`;
    let run = this.runs.get(key);
    if (!run) {
      this.expire(nowMs);
      while (this.runs.size >= this.limits.maxRuns) this.runs.delete(this.oldestKey()!);
      run = this.create(tenantId, runId);
      this.runs.set(key, run);
    }
    run.newestSecond = Math.max(run.newestSecond, second);
    return run;
  }

  /** The runs within the retention at `nowMs` (those past it are forgotten). */
  live(nowMs: number): R[] {
    this.expire(nowMs);
    return [...this.runs.values()];
  }

  private expire(nowMs: number): void {
    for (const [key, run] of this.runs) if (this.expired(run.newestSecond, nowMs)) this.runs.delete(key);
  }

  private expired(second: number, nowMs: number): boolean {
    return second * 1000 < nowMs - this.limits.retentionSec * 1000;
  }

  private oldestKey(): string | undefined {
    let oldest: [string, R] | undefined;
    for (const entry of this.runs) if (!oldest || entry[1].newestSecond < oldest[1].newestSecond) oldest = entry;
    return oldest?.[0];
  }
}
