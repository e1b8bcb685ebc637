import type { Evolver } from "./deciders/decider.ts";
import type { AggregateRef, CommandEnvelope } from "./envelope.ts";
import type { EventStore, StoredEvent } from "./event-store.ts";

/**
 * An aggregate as its events left it: the folded state, `version` (how many events), `seq`
 * (where its last one is stored: what the next append expects), the commands that caused
 * them, so a redelivered command is recognised as done, and `origin`, its first event's
 * correlation id (null before one).
 */
export type LoadedAggregate<S> = { state: S; version: number; seq: number; causations: Set<string>; origin: string | null };

export const emptyAggregate = <S>(decider: Evolver<S>): LoadedAggregate<S> => ({
  state: decider.initialState,
  version: 0,
  seq: 0,
  causations: new Set(),
  origin: null,
});

/**
 * The correlation id an aggregate's new events carry. A run's are all the request's that started
 * it (the API's run.start, a schedule's fire): whatever command or worker report follows, one run
 * is one correlation id, and each event's causationId names the command that caused it. Any other
 * aggregate's events carry their command's.
 */
export const correlationFor = (aggregate: Pick<LoadedAggregate<unknown>, "origin">, command: CommandEnvelope): string =>
  command.aggregate.type === "run" && aggregate.origin !== null ? aggregate.origin : command.correlationId;

/** Folds one more stored event into the aggregate, in place. */
export function applyStored<S>(aggregate: LoadedAggregate<S>, decider: Evolver<S>, stored: StoredEvent): LoadedAggregate<S> {
  aggregate.state = decider.evolve(aggregate.state, stored.event);
  if (aggregate.version === 0) aggregate.origin = stored.event.correlationId;
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
