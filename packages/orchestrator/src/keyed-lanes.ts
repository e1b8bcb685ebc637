/**
 * Work in order per key, concurrently across keys: commands of one aggregate are decided one
 * after another (each sees the state the last one left), those of different aggregates at once.
 * `size` is the work in hand; `drained` resolves once none is left.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  private inHand = 0;
  private idle: (() => void)[] = [];

  get size(): number {
    return this.inHand;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    this.inHand++;
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (--this.inHand === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    return result;
  }

  drained(): Promise<void> {
    return this.inHand === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}
