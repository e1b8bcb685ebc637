/**
 * A queue between a message iterator and the loop that applies batches: whatever arrived while
 * the last batch was being committed becomes the next batch (group commit), so batches stay
 * small when the projection keeps up and grow by themselves when it falls behind.
 */
export class Inbox<T> {
  private items: T[] = [];
  private closed = false;
  private wake: (() => void) | null = null;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** No more items will come; `take` answers what is left, then null. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  get size(): number {
    return this.items.length;
  }

  /** Up to `max` items as soon as there is at least one; null once closed and empty. */
  async take(max: number): Promise<T[] | null> {
    while (this.items.length === 0) {
      if (this.closed) return null;
      await this.arrival();
    }
    return this.items.splice(0, max);
  }

  /**
   * Like `take`, but only once `max` items wait or `until` settles (the batch ahead committed):
   * the next batch is taken early only when it is full, so group commit keeps its batches.
   */
  async takeWhen(max: number, until: Promise<unknown>): Promise<T[] | null> {
    let settled = false;
    const settle = () => {
      settled = true;
      this.wake?.();
    };
    until.then(settle, settle);
    while (this.items.length < max && !settled && !this.closed) await this.arrival();
    return this.take(max);
  }

  private async arrival(): Promise<void> {
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }
}
