/**
 * Spawn pacing: `users` virtual users started at `spawnRate` per second, evenly spaced,
 * the first one at once. Pacing is computed from elapsed time, not by counting timer
 * callbacks, so a late timer catches up instead of drifting.
 */
export function usersDue(elapsedMs: number, users: number, spawnRate: number): number {
  if (users <= 0 || elapsedMs < 0) return 0;
  return Math.min(users, Math.floor((elapsedMs * spawnRate) / 1000) + 1);
}

/** Milliseconds after the start at which user number `index` (0-based) is due. */
export const startOffsetMs = (index: number, spawnRate: number): number => (index * 1000) / spawnRate;

export class Spawner {
  private startedAt = 0;
  private spawned = 0;
  private timer: NodeJS.Timeout | undefined;
  private cancelled = false;

  constructor(
    private readonly users: number,
    private readonly spawnRate: number,
    private readonly startUser: (index: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get started(): number {
    return this.spawned;
  }

  start(): void {
    this.startedAt = this.now();
    this.step();
  }

  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.timer);
  }

  private step(): void {
    if (this.cancelled) return;
    const elapsed = this.now() - this.startedAt;
    const due = usersDue(elapsed, this.users, this.spawnRate);
    while (this.spawned < due && !this.cancelled) this.startUser(this.spawned++);
    if (this.spawned >= this.users || this.cancelled) return;
    const wait = Math.max(1, startOffsetMs(this.spawned, this.spawnRate) - elapsed);
    this.timer = setTimeout(() => this.step(), wait);
  }
}
