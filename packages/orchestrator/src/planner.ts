import type { Assignment, RunParameters, WorkerRegistration } from "@loadline/core";

export type Plan = { ok: true; assignments: Assignment[] } | { ok: false; reason: string };

/**
 * Chooses workers for a run: the least busy live worker when one can hold all the users,
 * otherwise every live worker, each with a share in proportion to its capacity.
 */
export function planRun(workers: readonly WorkerRegistration[], params: Pick<RunParameters, "targetUsers" | "spawnRate">): Plan {
  if (workers.length === 0) return { ok: false, reason: "no live worker to run the load" };
  const byLoad = [...workers].sort((a, b) => a.runs.length - b.runs.length || b.capacity.maxUsers - a.capacity.maxUsers);
  const single = byLoad.find((w) => w.capacity.maxUsers >= params.targetUsers);
  if (single) return { ok: true, assignments: [{ workerId: single.workerId, users: params.targetUsers, spawnRate: params.spawnRate, fraction: 1 }] };

  const capacity = workers.reduce((sum, w) => sum + w.capacity.maxUsers, 0);
  if (capacity < params.targetUsers) {
    return { ok: false, reason: `capacity is short: ${params.targetUsers} users asked, ${capacity} available on ${workers.length} workers` };
  }
  const users = splitProportionally(params.targetUsers, workers.map((w) => w.capacity.maxUsers));
  const assignments = workers
    .map((w, i) => ({
      workerId: w.workerId,
      users: users[i]!,
      spawnRate: (params.spawnRate * users[i]!) / params.targetUsers,
      fraction: users[i]! / params.targetUsers,
    }))
    .filter((a) => a.users > 0);
  return { ok: true, assignments };
}

/** Whole shares of `total` in proportion to `weights`, largest remainders first, summing to `total`. */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rem: e - Math.floor(e) })).sort((a, b) => b.rem - a.rem);
  for (const { i } of order) {
    if (left-- <= 0) break;
    shares[i]! += 1;
  }
  return shares;
}
