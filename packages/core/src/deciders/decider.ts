import type { CommandEnvelope, CommandType, EventEnvelope, NewEvent } from "../envelope.ts";

/**
 * A pure decider: `decide` turns a command into events (or throws a DomainError),
 * `evolve` folds an event into state. No I/O, no clock: time comes in on the command.
 * `commands` names the commands it decides, so a command can be checked before it is typed.
 */
export type Decider<State, C extends CommandType> = {
  readonly commands: readonly C[];
  readonly initialState: State;
  decide(state: State, command: CommandFor<C>): NewEvent[];
  evolve(state: State, event: EventEnvelope): State;
};

/** The envelope of any one of the commands `C`. */
export type CommandFor<C extends CommandType> = Extract<CommandEnvelope, { type: C }>;

/** What folding needs of a decider: its initial state and its evolve. */
export type Evolver<State> = Pick<Decider<State, CommandType>, "initialState" | "evolve">;

export const fold = <S>(decider: Evolver<S>, events: readonly EventEnvelope[]): S => events.reduce(decider.evolve, decider.initialState);

/** True when the decider decides this command: the command is then typed as one of its own. */
export const decides = <C extends CommandType>(
  decider: Pick<Decider<unknown, C>, "commands">,
  command: CommandEnvelope,
): command is CommandFor<C> => (decider.commands as readonly CommandType[]).includes(command.type);
