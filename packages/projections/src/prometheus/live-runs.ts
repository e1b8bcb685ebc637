import type { TenantWindow } from "../rollups.ts";
import { BoundedRuns } from "./bounded-runs.ts";
import { type RunLabels, runSamples, type Sample } from "./run-series.ts";
import { addWindow, newRunTally, type RunTally } from "./run-tally.ts";
import { DEFAULT_SERIES_LIMITS, type SeriesLimits } from "./series-limits.ts";

type LiveRun = {
  labels: RunLabels;
  tally: RunTally;
  newestSecond: number;
  /** Each worker's newest window: the run's users now are the sum of its workers' latest. */
  usersByWorker: Map<string, { second: number; users: number }>;
};

/**
 * What /metrics says of the runs going on: each run's totals over every window merged so far (by
 * this process, since it started merging), and its users now. Windows come in as the metrics
 * projection commits them, each exactly once.
 */
export class LiveRuns {
  private readonly runs: BoundedRuns<LiveRun>;

  constructor(private readonly limits: SeriesLimits = DEFAULT_SERIES_LIMITS) {
    this.runs = new BoundedRuns(limits, (tenant, runId) => ({
      labels: { tenant, run_id: runId },
      tally: newRunTally(),
      newestSecond: 0,
      usersByWorker: new Map(),
    }));
  }

  add(windows: readonly TenantWindow[], nowMs: number): void {
    for (const w of windows) {
      const run = this.runs.runFor(w.tenantId, w.runId, w.second, nowMs);
      if (!run) continue;
      addWindow(run.tally, w, this.limits.maxRequestsPerRun);
      const latest = run.usersByWorker.get(w.workerId);
      if (!latest || latest.second <= w.second) run.usersByWorker.set(w.workerId, { second: w.second, users: w.activeUsers });
    }
  }

  samples(nowMs: number): Sample[] {
    return this.runs.live(nowMs).flatMap((run) => {
      let users = 0;
      for (const u of run.usersByWorker.values()) users += u.users;
      return runSamples(run.labels, run.tally, users);
    });
  }
}
