import {
  type AggregateRef,
  applyStored,
  type EventStore,
  type Evolver,
  type LoadedAggregate,
  loadAggregate,
  type StoredEvent,
} from "@loadline/core";

/**
 * The aggregates of one type as this process last left them, loaded from the store on first
 * use. The orchestrator is the only writer (it holds the lease), so a cached aggregate stays
 * true until an append is refused; then it is dropped and loaded again.
 */
export class AggregateCache<S> {
  private readonly loaded = new Map<string, LoadedAggregate<S>>();

  constructor(
    private readonly store: EventStore,
    readonly decider: Evolver<S>,
  ) {}

  async load(tenantId: string, ref: AggregateRef): Promise<LoadedAggregate<S>> {
    const key = keyOf(tenantId, ref);
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const aggregate = await loadAggregate(this.store, this.decider, tenantId, ref);
    // Another load of the same aggregate may have finished first and been decided on since: keep that one.
    const first = this.loaded.get(key);
    if (first) return first;
    this.loaded.set(key, aggregate);
    return aggregate;
  }

  /** The aggregate when cached: no I/O. */
  peek(tenantId: string, ref: AggregateRef): LoadedAggregate<S> | undefined {
    return this.loaded.get(keyOf(tenantId, ref));
  }

  /** Seeds the cache from a replay, so recovery does not read every aggregate twice. */
  prime(tenantId: string, ref: AggregateRef, aggregate: LoadedAggregate<S>): void {
    this.loaded.set(keyOf(tenantId, ref), aggregate);
  }

  /** Folds events just appended into the cached aggregate. */
  applyAppended(aggregate: LoadedAggregate<S>, stored: readonly StoredEvent[]): void {
    for (const s of stored) applyStored(aggregate, this.decider, s);
  }

  /** How many of a tenant's cached aggregates hold `test`: complete only for a type primed whole (runs, load tests). */
  count(tenantId: string, test: (state: S) => boolean): number {
    const prefix = `${tenantId}/`;
    let n = 0;
    for (const [key, aggregate] of this.loaded) if (key.startsWith(prefix) && test(aggregate.state)) n++;
    return n;
  }

  /** How many cached aggregates, of every tenant, fall under each key `keyOf` gives (a run's status, say). */
  countBy(keyOf: (state: S) => string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const aggregate of this.loaded.values()) {
      const key = keyOf(aggregate.state);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  forget(tenantId: string, ref: AggregateRef): void {
    this.loaded.delete(keyOf(tenantId, ref));
  }
}

export const keyOf = (tenantId: string, ref: AggregateRef): string => `${tenantId}/${ref.type}/${ref.id}`;
