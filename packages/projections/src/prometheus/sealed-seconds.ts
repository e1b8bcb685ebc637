import type { MetricWindow } from "@loadline/core";
import type { TenantWindow } from "../rollups.ts";
import { BoundedRuns } from "./bounded-runs.ts";
import { type RunLabels, runSamples, type Sample } from "./run-series.ts";
import { addWindow, newRunTally, type RunTally } from "./run-tally.ts";
import { DEFAULT_SERIES_LIMITS, type SeriesLimits } from "./series-limits.ts";

/** A series' value at an instant: what remote write sends. */
export type TimedSample = Sample & { readonly timestampMs: number };

/** A second's windows so far, its users, and when its last window came (ms). */
type PendingSecond = { windows: MetricWindow[]; users: number; lastArrivalMs: number };
type TimelineRun = {
  labels: RunLabels;
  tally: RunTally;
  newestSecond: number;
  /** The newest second already turned into samples: nothing at or before it is sent again. */
  lastSealed: number;
  pending: Map<number, PendingSecond>;
};

/**
 * Each run's series second by second, for remote write: a second is sealed (its samples made, at
 * its own timestamp, with the run's totals up to it) once `settleSec` have passed since it, and
 * since its last window came (a projector catching up merges old seconds in several batches), by
 * when every worker's window of it has normally been merged. A window that comes after its second was sealed
 * counts at the next second sealed: Prometheus takes a series' samples in time order only, and the
 * totals stay exact.
 */
export class SealedSeconds {
  private readonly runs: BoundedRuns<TimelineRun>;

  constructor(
    private readonly settleSec: number,
    private readonly limits: SeriesLimits = DEFAULT_SERIES_LIMITS,
  ) {
    this.runs = new BoundedRuns(limits, (tenant, runId) => ({
      labels: { tenant, run_id: runId },
      tally: newRunTally(),
      newestSecond: 0,
      lastSealed: -1,
      pending: new Map(),
    }));
  }

  add(windows: readonly TenantWindow[], nowMs: number): void {
    for (const w of windows) {
      const run = this.runs.runFor(w.tenantId, w.runId, w.second, nowMs);
      if (!run) continue;
      const at = Math.max(w.second, run.lastSealed + 1);
      let second = run.pending.get(at);
      if (!second) run.pending.set(at, (second = { windows: [], users: 0, lastArrivalMs: nowMs }));
      second.windows.push(w);
      second.lastArrivalMs = nowMs;
      if (at === w.second) second.users += w.activeUsers;
    }
  }

  /** The samples of every second settled at `nowMs` (of every second pending, when `all`: a last flush), oldest first. */
  seal(nowMs: number, all = false): TimedSample[] {
    const settleMs = this.settleSec * 1000;
    const settled = (second: number, p: PendingSecond) => all || (second * 1000 + settleMs <= nowMs && p.lastArrivalMs + settleMs <= nowMs);
    const out: TimedSample[] = [];
    for (const run of this.runs.live(nowMs)) {
      for (const s of [...run.pending.keys()].sort((a, b) => a - b)) {
        // In order only: a later second sealed first would put this one's samples before its own.
        if (!settled(s, run.pending.get(s)!)) break;
        const { windows, users } = run.pending.get(s)!;
        run.pending.delete(s);
        for (const w of windows) addWindow(run.tally, w, this.limits.maxRequestsPerRun);
        run.lastSealed = s;
        for (const sample of runSamples(run.labels, run.tally, users)) out.push({ ...sample, timestampMs: s * 1000 });
      }
    }
    return out;
  }
}
