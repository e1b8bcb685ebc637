/** A worker's part in a run, as the run's record keeps it (RunWorkerView's fields that matter here). */
export type WorkerHold = { workerId: string; assignedAt: string; state: string; vcpus?: number | undefined };
/** A lost worker: its lanes ran on nobody from `lastSeenAt` (RunGap's fields that matter here). */
export type LostHold = { workerId: string; lastSeenAt: string };

export type VcpuSeconds = {
  vcpuSeconds: number;
  /** True when some worker had no recorded vCPUs (a run assigned before they were): it counted as 1. */
  estimated: boolean;
  workers: { workerId: string; vcpus: number; seconds: number }[];
};

/**
 * vCPU-seconds a run held: for each worker, its threads × the seconds from its assignment until
 * the run's load ended (`until`), or until it was last seen when it was lost (its lanes did
 * not run after that; the planner never gives them back to it).
 */
export function vcpuSecondsOf(workers: readonly WorkerHold[], lost: readonly LostHold[], until: string): VcpuSeconds {
  const end = Date.parse(until);
  let estimated = false;
  const held = workers.map((w) => {
    const start = Date.parse(w.assignedAt);
    const gone =
      w.state === "lost"
        ? lost
            .filter((g) => g.workerId === w.workerId && Date.parse(g.lastSeenAt) >= start)
            .map((g) => Date.parse(g.lastSeenAt))
            .sort((a, b) => a - b)[0]
        : undefined;
    const seconds = Math.max(0, (Math.min(end, gone ?? end) - start) / 1000);
    if (w.vcpus === undefined) estimated = true;
    return { workerId: w.workerId, vcpus: w.vcpus ?? 1, seconds };
  });
  const total = held.reduce((sum, w) => sum + w.vcpus * w.seconds, 0);
  return { vcpuSeconds: Math.round(total * 1000) / 1000, estimated, workers: held };
}
