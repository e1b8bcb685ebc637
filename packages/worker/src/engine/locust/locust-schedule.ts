import { type Executor, executorDurationSec, laneShare } from "@loadline/core";

/** From `atMs` after the run's start on, Locust holds `users` users, spawning (or stopping) `rate` a second to get there. */
export type UserStep = { atMs: number; users: number; rate: number };

/** This worker's Locust load over the run: the user counts in order from 0 ms, and when the workload ends. */
export type LocustSchedule = { steps: UserStep[]; endMs: number };

/** A whole run's user count cut to some of its lanes, exactly as lanes cut the built-in executors' VUs. */
const shareOf = (users: number, lanes: readonly number[], laneCount: number): number =>
  lanes.reduce((n, index) => n + laneShare(Math.round(users), { index, count: laneCount }), 0);

/** Locust spawns nobody at a rate of 0: "at once" is all of them within the first second. */
const atOnce = (users: number): number => Math.max(1, users);

/**
 * Some lanes of a Locust workload as Locust is told it: constant-vus holds its users (spawned at
 * its spawn rate cut in the same proportion, else at once); ramping-vus moves linearly to each
 * stage's target over the stage, which is what a Locust spawn rate of |change| / duration does.
 * Throws for an executor Locust cannot run (the schema refuses those before).
 */
export function locustSchedule(e: Executor, lanes: readonly number[], laneCount: number): LocustSchedule {
  const endMs = executorDurationSec(e) * 1000;
  switch (e.type) {
    case "constant-vus": {
      const users = shareOf(e.vus, lanes, laneCount);
      const rate = e.spawnRate && users > 0 ? (e.spawnRate * users) / e.vus : atOnce(users);
      return { steps: [{ atMs: 0, users, rate }], endMs };
    }
    case "ramping-vus": {
      let users = shareOf(e.startVUs, lanes, laneCount);
      const steps: UserStep[] = [{ atMs: 0, users, rate: atOnce(users) }];
      let atMs = 0;
      for (const stage of e.stages) {
        const target = shareOf(stage.target, lanes, laneCount);
        if (target !== users) steps.push({ atMs, users: target, rate: Math.abs(target - users) / stage.durationSec });
        users = target;
        atMs += stage.durationSec * 1000;
      }
      return { steps, endMs };
    }
    default:
      throw new Error(`a locust test cannot run a ${e.type} workload`);
  }
}

/** The step in force `elapsedMs` after the start (the first before it starts). */
export function stepAt(schedule: LocustSchedule, elapsedMs: number): UserStep {
  let current = schedule.steps[0]!;
  for (const step of schedule.steps) if (step.atMs <= elapsedMs) current = step;
  return current;
}
