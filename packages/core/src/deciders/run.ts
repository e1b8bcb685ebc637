import { DomainError } from "../errors.ts";
import type { NewEvent } from "../envelope.ts";
import type { Assignment, RunParameters, RunStatus, RunTarget } from "../schemas/run.ts";
import { TERMINAL_STATUSES } from "../schemas/run.ts";
import type { Decider } from "./decider.ts";

export type RunState = {
  status: RunStatus | "None";
  version: number;
  loadTestId?: string;
  parameters?: RunParameters;
  target?: RunTarget;
  assignments: Assignment[];
  startedWorkers: string[];
  stoppedWorkers: string[];
  startedAt?: string;
  finishedAt?: string;
};

type RunCommand =
  | "run.create"
  | "run.assign"
  | "run.report-worker-started"
  | "run.stop"
  | "run.report-worker-stopped"
  | "run.fail";

export const isTerminal = (status: RunState["status"]): boolean =>
  (TERMINAL_STATUSES as readonly string[]).includes(status);

function requireLive(state: RunState): void {
  if (state.status === "None") throw new DomainError("not_found", "run not found");
  if (isTerminal(state.status)) throw new DomainError("conflict", `run is already ${state.status}`, "status");
}

function requireAssigned(state: RunState, workerId: string): void {
  if (!state.assignments.some((a) => a.workerId === workerId)) {
    throw new DomainError("invalid", `worker ${workerId} has no assignment in this run`, "workerId");
  }
}

const allOf = (state: RunState, workers: readonly string[]) => state.assignments.every((a) => workers.includes(a.workerId));

export const runDecider: Decider<RunState, RunCommand> = {
  initialState: { status: "None", version: 0, assignments: [], startedWorkers: [], stoppedWorkers: [] },

  decide(state, command): NewEvent[] {
    switch (command.type) {
      case "run.create":
        if (state.status !== "None") throw new DomainError("conflict", "run already exists", "id");
        return [{ type: "run.created", data: command.data }];

      case "run.assign":
        requireLive(state);
        if (state.status !== "Pending") throw new DomainError("conflict", `cannot assign a run that is ${state.status}`, "status");
        return [{ type: "run.assigned", data: command.data }];

      case "run.report-worker-started": {
        const { workerId } = command.data;
        // A late report after the run moved on changes nothing: the worker will see the stop.
        if (state.status !== "Starting" || state.startedWorkers.includes(workerId)) return [];
        requireAssigned(state, workerId);
        const events: NewEvent[] = [{ type: "run.worker-started", data: { workerId } }];
        if (allOf(state, [...state.startedWorkers, workerId])) {
          events.push({ type: "run.started", data: { startedAt: command.time } });
        }
        return events;
      }

      case "run.stop":
        requireLive(state);
        if (state.status === "Stopping") return [];
        if (state.status === "Pending") {
          return [{ type: "run.cancelled", data: { reason: "stopped before it was assigned", finishedAt: command.time } }];
        }
        return [{ type: "run.stopping", data: { reason: command.data.reason } }];

      case "run.report-worker-stopped": {
        const { workerId } = command.data;
        if (isTerminal(state.status) || state.stoppedWorkers.includes(workerId)) return [];
        requireLive(state);
        requireAssigned(state, workerId);
        const events: NewEvent[] = [{ type: "run.worker-stopped", data: command.data }];
        if (allOf(state, [...state.stoppedWorkers, workerId])) {
          events.push({ type: "run.completed", data: { finishedAt: command.time } });
        }
        return events;
      }

      case "run.fail":
        requireLive(state);
        return [{ type: "run.failed", data: { reason: command.data.reason, finishedAt: command.time } }];
    }
  },

  evolve(state, event): RunState {
    const next = { ...state, version: state.version + 1 };
    switch (event.type) {
      case "run.created": {
        const { loadTestId, target, ...parameters } = event.data;
        return { ...next, status: "Pending", loadTestId, target, parameters };
      }
      case "run.assigned":
        return { ...next, status: "Starting", assignments: event.data.assignments };
      case "run.worker-started":
        return { ...next, startedWorkers: [...state.startedWorkers, event.data.workerId] };
      case "run.started":
        return { ...next, status: "Running", startedAt: event.data.startedAt };
      case "run.stopping":
        return { ...next, status: "Stopping" };
      case "run.worker-stopped":
        return { ...next, stoppedWorkers: [...state.stoppedWorkers, event.data.workerId] };
      case "run.completed":
        return { ...next, status: "Completed", finishedAt: event.data.finishedAt };
      case "run.failed":
        return { ...next, status: "Failed", finishedAt: event.data.finishedAt };
      case "run.cancelled":
        return { ...next, status: "Cancelled", finishedAt: event.data.finishedAt };
      default:
        return state;
    }
  },
};
