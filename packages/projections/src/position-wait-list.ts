/** Callers of the active projector waiting for a position: answered as it advances, at their timeout, or when it stops. */
export class PositionWaitList {
  private waiters: { seq: number; done: (reached: boolean) => void }[] = [];

  /** True once `reached` passes `seq`; false when the time runs out or at `giveUp`. */
  wait(seq: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        seq,
        done: (reached: boolean) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Everything up to `position` is applied: its waiters are answered true. */
  reached(position: number): void {
    for (const w of this.waiters.filter((w) => w.seq <= position)) w.done(true);
  }

  /** The projector stops: every waiter is answered false. */
  giveUp(): void {
    for (const w of [...this.waiters]) w.done(false);
  }
}
