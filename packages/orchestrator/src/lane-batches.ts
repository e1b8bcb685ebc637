import type { KeyedLanes } from "./keyed-lanes.ts";

type Batch<T, R> = { items: T[]; results: Promise<R[]> };

/**
 * Group commit on keyed lanes: items of one key that arrive while the lane is busy wait
 * together, and are taken up as one batch when their turn comes (`decideAll` answers each, in
 * order). An item that arrives once its batch has begun starts the next one.
 */
export class LaneBatches<T, R> {
  private readonly waiting = new Map<string, Batch<T, R>>();

  constructor(
    private readonly lanes: KeyedLanes,
    private readonly decideAll: (items: T[]) => Promise<R[]>,
  ) {}

  add(key: string, item: T): Promise<R> {
    let batch = this.waiting.get(key);
    if (!batch) {
      const items: T[] = [];
      // The lane runs work no sooner than the next microtask: every item added until then, and while the lane is busy, joins.
      const results = this.lanes.run(key, () => {
        this.waiting.delete(key);
        return this.decideAll(items);
      });
      batch = { items, results };
      this.waiting.set(key, batch);
    }
    const index = batch.items.push(item) - 1;
    return batch.results.then((results) => {
      const result = results[index];
      if (result === undefined) throw new Error(`the batch gave no answer for its item ${index}`);
      return result;
    });
  }
}
