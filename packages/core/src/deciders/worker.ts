import type { Decider } from "./decider.ts";

/** A worker as the fleet's record knows it: how often, and when last, it was lost. */
export type WorkerState = { version: number; losses: number; lastLostAt?: string };

/** Every loss is a fact of its own: a worker that came back and is lost again is lost again. */
export const workerDecider: Decider<WorkerState, "worker.declare-lost"> = {
  commands: ["worker.declare-lost"],
  initialState: { version: 0, losses: 0 },
  decide(_state, command) {
    return [{ type: "worker.lost", data: { lastSeenAt: command.data.lastSeenAt, lostAt: command.time, runs: command.data.runs } }];
  },
  evolve(state, event) {
    if (event.type !== "worker.lost") return state;
    return { version: state.version + 1, losses: state.losses + 1, lastLostAt: event.data.lostAt };
  },
};
