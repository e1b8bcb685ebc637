import type { CommandEnvelope, CommandType, EventEnvelope, NewEvent } from "../envelope.ts";

/**
 * A pure decider: `decide` turns a command into events (or throws a DomainError),
 * `evolve` folds an event into state. No I/O, no clock: time comes in on the command.
 */
export type Decider<State, C extends CommandType> = {
  readonly initialState: State;
  decide(state: State, command: CommandEnvelope<C>): NewEvent[];
  evolve(state: State, event: EventEnvelope): State;
};

export const fold = <S>(decider: { initialState: S; evolve(s: S, e: EventEnvelope): S }, events: readonly EventEnvelope[]): S =>
  events.reduce(decider.evolve, decider.initialState);
