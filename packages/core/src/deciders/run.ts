import type { CommandEnvelope, NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import type { Placement, RunParameters, RunStatus, RunTarget, WorkerShare } from "../schemas/run.ts";
import { TERMINAL_STATUSES } from "../schemas/run.ts";
import type { Decider } from "./decider.ts";

/** How long after the last worker is ready the run starts: the time for `run.started` to reach every worker. */
export const START_LEAD_MS = 250;

/** A share held by a worker that is still in the run. */
export type HeldShare = Omit<WorkerShare, "workerId"> & { assignedAt: string };

/** A worker the run lost, and the lanes it had then: the run's record of the gap. */
export type LostWorker = { workerId: string; lastSeenAt: string; lostAt: string; lanes: number[] };

export type RunState = {
  status: RunStatus | "None";
  version: number;
  loadTestId?: string;
  parameters?: RunParameters;
  target?: RunTarget;
  placement?: Placement;
  laneCount: number;
  /** The workers in the run now (lost ones left), each with the lanes it runs. */
  shares: Record<string, HeldShare>;
  readyWorkers: string[];
  stoppedWorkers: string[];
  lostWorkers: LostWorker[];
  /** Per workload, the last stage recorded as started. */
  stages: Record<number, number>;
  assignedAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  finishedAt?: string;
};

const RUN_COMMANDS = [
  "run.create",
  "run.assign",
  "run.report-worker-ready",
  "run.reassign",
  "run.record-stage",
  "run.stop",
  "run.report-worker-stopped",
  "run.fail",
] as const;
type RunCommand = (typeof RUN_COMMANDS)[number];

export const isTerminal = (status: RunState["status"]): boolean => (TERMINAL_STATUSES as readonly string[]).includes(status);

/** Workers still in the run. */
export const runWorkers = (state: RunState): string[] => Object.keys(state.shares);

const wasLost = (state: RunState, workerId: string): boolean => state.lostWorkers.some((l) => l.workerId === workerId);

function requireLive(state: RunState): void {
  if (state.status === "None") throw new DomainError("not_found", "run not found");
  if (isTerminal(state.status)) throw new DomainError("conflict", `run is already ${state.status}`, "status");
}

function requireInRun(state: RunState, workerId: string): void {
  if (!state.shares[workerId]) throw new DomainError("invalid", `worker ${workerId} has no share of this run`, "workerId");
}

/** The lanes of a plan must cut the run exactly: each of 0..laneCount-1 once. */
function requireExactCut(laneCount: number, assignments: readonly WorkerShare[]): void {
  const lanes = assignments.flatMap((a) => a.lanes).sort((a, b) => a - b);
  if (lanes.length !== laneCount || lanes.some((l, i) => l !== i)) {
    throw new DomainError("invalid", `the assignments must hold each lane 0..${laneCount - 1} exactly once`, "assignments");
  }
  if (new Set(assignments.map((a) => a.workerId)).size !== assignments.length)
    throw new DomainError("invalid", "a worker is assigned twice", "assignments");
}

const at = (time: string, plusMs: number): string => new Date(Date.parse(time) + plusMs).toISOString();

const assigned = (state: RunState, a: WorkerShare, reason: "plan" | "reassigned", replaces?: string): NewEvent => ({
  type: "run.worker-assigned",
  data: { ...a, laneCount: state.laneCount, reason, ...(replaces ? { replaces } : {}) },
});

/** The events that follow from a state: every worker ready starts the run; every worker stopped completes it. */
function consequences(state: RunState, time: string): NewEvent[] {
  const workers = runWorkers(state);
  if (state.status === "Starting" && workers.length > 0 && workers.every((w) => state.readyWorkers.includes(w))) {
    return [{ type: "run.started", data: { startedAt: at(time, START_LEAD_MS) } }];
  }
  // Workers also stop by themselves (fixed work done) while the run is still Running.
  if ((state.status === "Running" || state.status === "Stopping") && workers.every((w) => state.stoppedWorkers.includes(w))) {
    return [{ type: "run.completed", data: { finishedAt: time } }];
  }
  return [];
}

/** Decides, then lets the state that results say what follows. */
function withConsequences(state: RunState, command: CommandEnvelope, events: NewEvent[]): NewEvent[] {
  if (events.length === 0) return events;
  const after = events.reduce((s, e) => evolve(s, { ...e, time: command.time }), state);
  return [...events, ...consequences(after, command.time)];
}

function decide(state: RunState, command: CommandEnvelope<RunCommand>): NewEvent[] {
  switch (command.type) {
    case "run.create":
      if (state.status !== "None") throw new DomainError("conflict", "run already exists", "id");
      return [{ type: "run.created", data: command.data }];

    case "run.assign": {
      requireLive(state);
      if (state.status !== "Pending") throw new DomainError("conflict", `cannot assign a run that is ${state.status}`, "status");
      const { laneCount, assignments } = command.data;
      requireExactCut(laneCount, assignments);
      return assignments.map((a) => assigned({ ...state, laneCount }, a, "plan"));
    }

    case "run.report-worker-ready": {
      const { workerId } = command.data;
      // A late or repeated report, or one from a worker the run lost, changes nothing.
      if (state.status !== "Starting" || state.readyWorkers.includes(workerId) || wasLost(state, workerId)) return [];
      requireInRun(state, workerId);
      return withConsequences(state, command, [{ type: "run.worker-ready", data: { workerId } }]);
    }

    case "run.reassign": {
      const { lostWorkerId, lastSeenAt, assignments } = command.data;
      const share = state.shares[lostWorkerId];
      if (isTerminal(state.status) || !share) return []; // over, or already handled
      requireLive(state);
      if (assignments.some((a) => a.workerId === lostWorkerId || wasLost(state, a.workerId))) {
        throw new DomainError("invalid", "a lost worker cannot take a share of the run back", "assignments");
      }
      const given = assignments.flatMap((a) => a.lanes).sort((a, b) => a - b);
      const held = [...share.lanes].sort((a, b) => a - b);
      const lost: NewEvent = {
        type: "run.worker-lost",
        data: { workerId: lostWorkerId, lastSeenAt, lostAt: command.time, lanes: share.lanes },
      };
      // Stopping, the share is not worth handing on: the run completes without it.
      if (state.status === "Stopping") return withConsequences(state, command, [lost]);
      if (assignments.length === 0) {
        return [
          lost,
          {
            type: "run.failed",
            data: { reason: `worker ${lostWorkerId} was lost and no live worker could take its share`, finishedAt: command.time },
          },
        ];
      }
      if (given.join() !== held.join())
        throw new DomainError("invalid", `the lost worker's lanes ${held.join(",")} must be given out exactly`, "assignments");
      return withConsequences(state, command, [lost, ...assignments.map((a) => assigned(state, a, "reassigned", lostWorkerId))]);
    }

    case "run.record-stage": {
      const { workload, stage } = command.data;
      if (state.status !== "Running" || stage <= (state.stages[workload] ?? -1)) return [];
      return [{ type: "run.stage-started", data: { ...command.data, at: command.time } }];
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
      if (isTerminal(state.status) || state.stoppedWorkers.includes(workerId) || wasLost(state, workerId)) return [];
      requireLive(state);
      requireInRun(state, workerId);
      return withConsequences(state, command, [{ type: "run.worker-stopped", data: command.data }]);
    }

    case "run.fail":
      requireLive(state);
      return [{ type: "run.failed", data: { reason: command.data.reason, finishedAt: command.time } }];
  }
}

type Evolvable = Pick<CommandEnvelope, "time"> & NewEvent;

function evolve(state: RunState, event: Evolvable): RunState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case "run.created": {
      const { loadTestId, target, placement, ...parameters } = event.data;
      return { ...next, status: "Pending", loadTestId, target, parameters, ...(placement ? { placement } : {}) };
    }
    case "run.worker-assigned": {
      const { workerId, lanes, vus, arrivalRate, laneCount } = event.data;
      const before = state.shares[workerId];
      // A reassignment adds lanes to what a worker holds already.
      const share: HeldShare = before
        ? {
            lanes: [...before.lanes, ...lanes],
            vus: before.vus + vus,
            arrivalRate: before.arrivalRate + arrivalRate,
            assignedAt: before.assignedAt,
          }
        : { lanes, vus, arrivalRate, assignedAt: event.time };
      return {
        ...next,
        status: state.status === "Pending" ? "Starting" : state.status,
        laneCount,
        assignedAt: state.assignedAt ?? event.time,
        shares: { ...state.shares, [workerId]: share },
      };
    }
    case "run.worker-ready":
      return { ...next, readyWorkers: [...state.readyWorkers, event.data.workerId] };
    case "run.started":
      return { ...next, status: "Running", startedAt: event.data.startedAt };
    case "run.stage-started":
      return { ...next, stages: { ...state.stages, [event.data.workload]: event.data.stage } };
    case "run.worker-lost": {
      const { [event.data.workerId]: _gone, ...shares } = state.shares;
      return { ...next, shares, lostWorkers: [...state.lostWorkers, event.data] };
    }
    case "run.stopping":
      return { ...next, status: "Stopping", stoppingAt: event.time };
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
}

export const runDecider: Decider<RunState, RunCommand> = {
  commands: RUN_COMMANDS,
  initialState: { status: "None", version: 0, laneCount: 0, shares: {}, readyWorkers: [], stoppedWorkers: [], lostWorkers: [], stages: {} },
  decide,
  evolve,
};
