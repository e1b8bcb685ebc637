import {
  loadTestDecider,
  runDecider,
  workerDecider,
  type AggregateType,
  type CommandEnvelope,
  type EventEnvelope,
  type NewEvent,
} from "@loadline/core";

/** The decider of each aggregate type, seen through one untyped-state door for the handler. */
export type AnyDecider = {
  initialState: unknown;
  decide(state: unknown, command: CommandEnvelope): NewEvent[];
  evolve(state: unknown, event: EventEnvelope): unknown;
};

export const deciders: Record<AggregateType, AnyDecider> = {
  "load-test": loadTestDecider as unknown as AnyDecider,
  run: runDecider as unknown as AnyDecider,
  worker: workerDecider as unknown as AnyDecider,
};

/** A command belongs to the aggregate type its name starts with: "run.stop" to "run". */
export function commandMatchesAggregate(command: CommandEnvelope): boolean {
  return command.type.startsWith(`${command.aggregate.type}.`);
}
