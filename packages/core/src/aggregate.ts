import type { Evolver } from "./deciders/decider.ts";
import type { AggregateRef } from "./envelope.ts";
import type { EventStore, StoredEvent } from "./event-store.ts";

/**
 * An aggregate as its events left it: the folded state, `version` (how many events), `seq`
 * (where its last one is stored: what the next append expects) and the commands that caused
 * them, so a redelivered command is recognised as done.
 */
export type LoadedAggregate<S> = { state: S; version: number; seq: number; causations: Set<string> };

export const emptyAggregate = <S>(decider: Evolver<S>): LoadedAggregate<S> => ({
  state: decider.initialState,
  version: 0,
  seq: 0,
  causations: new Set(),
});

/** Folds one more stored event into the aggregate, in place. */
export function applyStored<S>(aggregate: LoadedAggregate<S>, decider: Evolver<S>, stored: StoredEvent): LoadedAggregate<S> {
  aggregate.state = decider.evolve(aggregate.state, stored.event);
  aggregate.version++;
  aggregate.seq = stored.seq;
  if (stored.event.causationId !== null) aggregate.causations.add(stored.event.causationId);
  return aggregate;
}

/** The one way to load an aggregate: read its events from the store and fold them. */
export async function loadAggregate<S>(
  store: EventStore,
  decider: Evolver<S>,
  tenantId: string,
  ref: AggregateRef,
): Promise<LoadedAggregate<S>> {
  const { events } = await store.read(tenantId, ref);
  return events.reduce((aggregate, stored) => applyStored(aggregate, decider, stored), emptyAggregate(decider));
}
