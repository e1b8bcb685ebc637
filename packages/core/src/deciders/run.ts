import type { TargetPolicy } from "../access/target-policy.ts";
import type { CommandEnvelope, NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { type Executor, executorMaxVUs, isOpenModel } from "../scenario/executors.ts";
import { peakRate, planExecutors } from "../scenario/lanes.ts";
import { runPlan } from "../scenario/normalize.ts";
import type { Placement, RunParameters, RunScale, RunStatus, RunTarget, StopReason, WorkerShare } from "../schemas/run.ts";
import { TERMINAL_STATUSES } from "../schemas/run.ts";
import type { ThresholdResult, Verdict } from "../thresholds/threshold-types.ts";
import type { Decider } from "./decider.ts";
import { runCoverage } from "./run-coverage.ts";

/**
 * How long after the last worker is ready the run starts: the time for `run.started` to reach
 * every worker (the orchestrator echoes it on core NATS, a millisecond or two; a worker that
 * hears it late begins behind and catches up). bench/start measures what it costs a start.
 */
export const START_LEAD_MS = 100;

/** A share held by a worker that is still in the run. */
export type HeldShare = Omit<WorkerShare, "workerId"> & { assignedAt: string };

/** A worker the run lost, and the lanes it had then: the run's record of the gap. */
export type LostWorker = { workerId: string; lastSeenAt: string; lostAt: string; lanes: number[] };

/**
 * One worker's hold on one lane: from its assignment (absent: assigned before the run started,
 * so held from the start) until it was last heard from (absent: held still). What the run's
 * coverage is measured on.
 */
export type LaneHold = { lane: number; workerId: string; from?: string; until?: string };

export type RunState = {
  status: RunStatus | "None";
  version: number;
  loadTestId?: string;
  parameters?: RunParameters;
  target?: RunTarget;
  /** Where its load may go, and its secrets sealed (see run.created). */
  targetPolicy?: TargetPolicy;
  secrets?: Record<string, string>;
  /** Its test's baseline run when it started (run.created). */
  baselineRunId?: string;
  placement?: Placement;
  laneCount: number;
  /** The workers in the run now (lost ones left), each with the lanes it runs. */
  shares: Record<string, HeldShare>;
  readyWorkers: string[];
  stoppedWorkers: string[];
  lostWorkers: LostWorker[];
  /** Every hold on every lane, in the order they were taken. */
  holds: LaneHold[];
  /** Per workload, the last stage recorded as started. */
  stages: Record<number, number>;
  assignedAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  stopReason?: StopReason;
  /** Who asked for a requested stop. */
  stoppedBy?: string;
  /** When it was queued, and until when it may wait. */
  queuedAt?: string;
  queueExpiresAt?: string;
  /** Since when it is paused (absent: not paused). */
  pausedAt?: string;
  /** What its planned VUs and arrival rates are multiplied by now (run.scaled). */
  vuFactor: number;
  rateFactor: number;
  /** When its load ended, and how much of it ran: what Completed or Cancelled will say once analysed. */
  loadEnded?: LoadEnded;
  finishedAt?: string;
  /** Its setup's values (sealed, by name) once the setup ran: what the workers compile its scenarios with. */
  setupValues?: Record<string, string>;
  /** Thresholds that failed while it ran (metric and expression), and its verdict once recorded. */
  crossed: string[];
  verdict?: Verdict;
};

/** What a run's load ended with (run.analyzing): carried into run.completed or run.cancelled. */
export type LoadEnded = { finishedAt: string; coverage?: number; degraded?: boolean; reason?: string };

/**
 * The run's state machine, as docs/lifecycle.md draws it: every status change an event makes
 * is one of these, and the decider refuses a command whose events would make another.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunState["status"], readonly RunStatus[]>> = {
  None: ["Queued", "Pending"],
  Queued: ["Pending", "Failed", "Cancelled"],
  Pending: ["Queued", "Starting", "Failed", "Cancelled"],
  Starting: ["Running", "Stopping", "Failed"],
  Running: ["Stopping", "Analyzing", "Failed"],
  Stopping: ["Analyzing", "Failed"],
  Analyzing: ["Completed", "Cancelled", "Failed"],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

/** Statuses in which the run holds workers or waits for them: its load may be running. */
export const LIVE_LOAD_STATUSES: readonly RunStatus[] = ["Starting", "Running", "Stopping"];

const RUN_COMMANDS = [
  "run.create",
  "run.queue",
  "run.dequeue",
  "run.conclude",
  "run.pause",
  "run.resume",
  "run.scale",
  "run.assign",
  "run.report-worker-ready",
  "run.record-workers-ready",
  "run.report-setup",
  "run.reassign",
  "run.reassign-unheld",
  "run.record-stage",
  "run.stop",
  "run.report-worker-stopped",
  "run.fail",
  "run.report-worker-failed",
  "run.record-threshold-crossed",
  "run.record-verdict",
] as const;
type RunCommand = (typeof RUN_COMMANDS)[number];

export const isTerminal = (status: RunState["status"]): boolean => (TERMINAL_STATUSES as readonly string[]).includes(status);

/** Workers still in the run. */
export const runWorkers = (state: RunState): string[] => Object.keys(state.shares);

/** A threshold as one rule of the run's: its metric and expression. */
export const thresholdKey = (t: Pick<ThresholdResult, "metric" | "expression">): string => `${t.metric} ${t.expression}`;

const wasLost = (state: RunState, workerId: string): boolean => state.lostWorkers.some((l) => l.workerId === workerId);

/**
 * When the run last had word of a worker in it: its latest assignment (the orchestrator assigns
 * only workers it hears from). Evidence of life that trusts no worker's clock, for a worker the
 * orchestrator has not heard from since it took over.
 */
export function lastHeardOf(state: RunState, workerId: string): string | undefined {
  const times = [state.shares[workerId]?.assignedAt, ...state.holds.filter((h) => h.workerId === workerId).map((h) => h.from)];
  return times
    .filter((t): t is string => t !== undefined)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
}

/** A lane no worker of the run holds, and the lost worker that held it last. */
export type UnheldLane = { lane: number; lostWorker: LostWorker };

/**
 * Lanes no worker holds: a lost worker's that nobody had room for. The run goes on without
 * them (the gap is on record) until a worker takes them, or the orchestrator gives up on it.
 */
export function unheldLanes(state: RunState): UnheldLane[] {
  const held = new Set(Object.values(state.shares).flatMap((s) => s.lanes));
  return Array.from({ length: state.laneCount }, (_, lane) => lane).flatMap((lane) => {
    if (held.has(lane)) return [];
    const lostWorker = state.lostWorkers.findLast((l) => l.lanes.includes(lane));
    return lostWorker ? [{ lane, lostWorker }] : [];
  });
}

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
  data: {
    workerId: a.workerId,
    lanes: a.lanes,
    vus: a.vus,
    arrivalRate: a.arrivalRate,
    ...(a.vcpus !== undefined ? { vcpus: a.vcpus } : {}),
    laneCount: state.laneCount,
    reason,
    ...(replaces ? { replaces } : {}),
  },
});

/**
 * The events that follow from a state: every worker ready starts the run, every worker stopped
 * completes it; neither while some of its lanes are unheld (their work is still to do), unless
 * it is stopping.
 */
function consequences(state: RunState, time: string): NewEvent[] {
  const workers = runWorkers(state);
  const whole = unheldLanes(state).length === 0;
  const setUp = !state.target?.setup || state.setupValues !== undefined;
  if (state.status === "Starting" && whole && setUp && workers.length > 0 && workers.every((w) => state.readyWorkers.includes(w))) {
    return [{ type: "run.started", data: { startedAt: at(time, START_LEAD_MS) } }];
  }
  // Workers also stop by themselves (fixed work done) while the run is still Running.
  if (((state.status === "Running" && whole) || state.status === "Stopping") && workers.every((w) => state.stoppedWorkers.includes(w))) {
    // Load over, saying how much of the planned load ran: lanes lost and not (or late) taken over are on record.
    return [{ type: "run.analyzing", data: { finishedAt: time, ...runCoverage(state, time) } }];
  }
  return [];
}

/** Decides, then lets the state that results say what follows. */
function withConsequences(state: RunState, command: CommandEnvelope, events: NewEvent[]): NewEvent[] {
  if (events.length === 0) return events;
  const after = events.reduce((s, e) => evolve(s, { ...e, time: command.time }), state);
  return [...events, ...consequences(after, command.time)];
}

const secondsBetween = (from: string | undefined, to: string): number =>
  from === undefined ? 0 : Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * The end of an analysed run: Cancelled when a user stopped it before its planned end (the stop
 * at its duration, a threshold's abort, or fixed work done complete it).
 */
function concluded(state: RunState, time: string): NewEvent {
  const ended: LoadEnded = state.loadEnded ?? { finishedAt: time };
  if (state.stopReason !== "requested") return { type: "run.completed", data: ended };
  return {
    type: "run.cancelled",
    data: {
      ...ended,
      reason: `stopped by ${state.stoppedBy ?? "a user"} before its planned end`,
      ...(state.stoppedBy ? { cancelledBy: state.stoppedBy } : {}),
      ranSec: secondsBetween(state.startedAt, ended.finishedAt),
    },
  };
}

/** Who a readiness event names: one worker (as streams recorded it before run.workers-ready) or several. */
export const readyWorkerIds = (event: Extract<NewEvent, { type: "run.worker-ready" | "run.workers-ready" }>): readonly string[] =>
  event.type === "run.worker-ready" ? [event.data.workerId] : event.data.workerIds;

/** Workers ready; late or repeated reports, and those of workers the run lost, change nothing. */
function workersReady(state: RunState, command: CommandEnvelope, workerIds: readonly string[]): NewEvent[] {
  if (state.status !== "Starting") return [];
  const fresh = [...new Set(workerIds)].filter((id) => !state.readyWorkers.includes(id) && !wasLost(state, id));
  for (const workerId of fresh) requireInRun(state, workerId);
  return withConsequences(state, command, fresh.length > 0 ? [{ type: "run.workers-ready", data: { workerIds: fresh } }] : []);
}

/** Cancelled before any load: stopped while it waited in the queue or to be planned. */
const cancelledUnstarted = (state: RunState, command: CommandEnvelope): NewEvent => ({
  type: "run.cancelled",
  data: {
    reason: `stopped while ${state.status === "Queued" ? "queued" : "waiting to be assigned"}`,
    finishedAt: command.time,
    cancelledBy: command.actor,
    ranSec: 0,
  },
});

/** Peak VUs and arrivals/s of the run as planned: what `run.scale`'s absolute figures are factors of. */
function plannedPeaks(state: RunState): { vus: number; rate: number } {
  if (!state.target || !state.parameters) return { vus: 0, rate: 0 };
  // per-vu-iterations' work is per VU: more VUs would change how much it does, not how fast. Not scaled.
  const scalesVus = (e: Executor) => !isOpenModel(e) && e.type !== "per-vu-iterations";
  const executors = planExecutors(runPlan(state.target, state.parameters));
  return {
    vus: executors.reduce((n, e) => n + (scalesVus(e) ? executorMaxVUs(e) : 0), 0),
    rate: executors.reduce((n, e) => n + peakRate(e), 0),
  };
}

function scaled(state: RunState, scale: RunScale, command: CommandEnvelope): NewEvent {
  const peaks = plannedPeaks(state);
  if (scale.vus !== undefined && peaks.vus === 0)
    throw new DomainError(
      "invalid",
      "the run has no executor whose VUs can be scaled (constant-vus, ramping-vus, shared-iterations): scale its rate instead",
      "vus",
    );
  if (scale.rate !== undefined && peaks.rate === 0)
    throw new DomainError("invalid", "the run has no open-model executor: scale its VUs instead", "rate");
  return {
    type: "run.scaled",
    data: {
      ...scale,
      at: command.time,
      by: command.actor,
      vuFactor: scale.vus === undefined ? state.vuFactor : scale.vus / peaks.vus,
      rateFactor: scale.rate === undefined ? state.rateFactor : scale.rate / peaks.rate,
    },
  };
}

function requireRunning(state: RunState, what: string): void {
  requireLive(state);
  if (state.status !== "Running") throw new DomainError("conflict", `cannot ${what} a run that is ${state.status}`, "status");
}

/** Decides, then refuses what the state machine does not draw (RUN_TRANSITIONS). */
function decide(state: RunState, command: CommandEnvelope<RunCommand>): NewEvent[] {
  const events = decideStep(state, command);
  let status = state.status;
  for (const e of events) {
    const next = evolve({ ...state, status }, { ...e, time: command.time }).status;
    if (next !== status && !RUN_TRANSITIONS[status].includes(next as RunStatus))
      throw new DomainError("conflict", `a run cannot go from ${status} to ${next}`, "status");
    status = next;
  }
  return events;
}

function decideStep(state: RunState, command: CommandEnvelope<RunCommand>): NewEvent[] {
  switch (command.type) {
    case "run.create": {
      if (state.status !== "None") throw new DomainError("conflict", "run already exists", "id");
      const { queue, ...data } = command.data;
      return [{ type: "run.created", data }, ...(queue ? [{ type: "run.queued", data: queue } as const] : [])];
    }

    case "run.queue":
      requireLive(state);
      if (state.status === "Queued") return [];
      if (state.status !== "Pending") throw new DomainError("conflict", `cannot queue a run that is ${state.status}`, "status");
      return [{ type: "run.queued", data: command.data }];

    case "run.dequeue":
      if (state.status !== "Queued") return [];
      return [{ type: "run.dequeued", data: { waitedMs: secondsBetween(state.queuedAt, command.time) * 1000 } }];

    case "run.conclude":
      return state.status === "Analyzing" ? [concluded(state, command.time)] : [];

    case "run.pause":
      requireRunning(state, "pause");
      return state.pausedAt ? [] : [{ type: "run.paused", data: { at: command.time, by: command.actor } }];

    case "run.resume":
      requireRunning(state, "resume");
      if (!state.pausedAt) return [];
      return [
        {
          type: "run.resumed",
          data: { at: command.time, by: command.actor, pausedMs: secondsBetween(state.pausedAt, command.time) * 1000 },
        },
      ];

    case "run.scale":
      requireRunning(state, "scale");
      return [scaled(state, command.data, command)];

    case "run.assign": {
      requireLive(state);
      if (state.status !== "Pending") throw new DomainError("conflict", `cannot assign a run that is ${state.status}`, "status");
      const { laneCount, assignments } = command.data;
      requireExactCut(laneCount, assignments);
      return assignments.map((a) => assigned({ ...state, laneCount }, a, "plan"));
    }

    case "run.report-worker-ready":
      return workersReady(state, command, [command.data.workerId]);

    case "run.record-workers-ready":
      return workersReady(state, command, command.data.workerIds);

    case "run.report-setup": {
      // Once, while it starts, from a worker of the run; and only for a run that has a setup.
      if (state.status !== "Starting" || state.setupValues !== undefined || wasLost(state, command.data.workerId)) return [];
      requireInRun(state, command.data.workerId);
      if (!state.target?.setup) throw new DomainError("conflict", "the run has no setup", "setup");
      return withConsequences(state, command, [{ type: "run.setup-completed", data: command.data }]);
    }

    case "run.reassign": {
      const { lostWorkerId, lastSeenAt, assignments } = command.data;
      const share = state.shares[lostWorkerId];
      if (isTerminal(state.status) || !share) return []; // over, or already handled
      requireLive(state);
      if (assignments.some((a) => a.workerId === lostWorkerId || wasLost(state, a.workerId))) {
        throw new DomainError("invalid", "a lost worker cannot take a share of the run back", "assignments");
      }
      const lost: NewEvent = {
        type: "run.worker-lost",
        data: { workerId: lostWorkerId, lastSeenAt, lostAt: command.time, lanes: share.lanes },
      };
      // Stopping, the share is not worth handing on: the run completes without it.
      if (state.status === "Stopping") return withConsequences(state, command, [lost]);
      const given = assignments.flatMap((a) => a.lanes);
      if (new Set(given).size !== given.length || given.some((l) => !share.lanes.includes(l)))
        throw new DomainError(
          "invalid",
          `the assignments must give out only the lost worker's lanes ${share.lanes.join(",")}, each once`,
          "assignments",
        );
      // Lanes nobody had room for stay unheld: the run goes on without them until run.reassign-unheld.
      return withConsequences(state, command, [lost, ...assignments.map((a) => assigned(state, a, "reassigned", lostWorkerId))]);
    }

    case "run.reassign-unheld": {
      requireLive(state);
      if (state.status === "Stopping") return []; // ending: the lanes are not worth starting now
      if (state.status !== "Starting" && state.status !== "Running")
        throw new DomainError("conflict", `cannot reassign lanes of a run that is ${state.status}`, "status");
      const { assignments } = command.data;
      if (assignments.some((a) => wasLost(state, a.workerId)))
        throw new DomainError("invalid", "a lost worker cannot take a share of the run back", "assignments");
      const given = assignments.flatMap((a) => a.lanes);
      if (new Set(given).size !== given.length || given.some((l) => l >= state.laneCount))
        throw new DomainError("invalid", `the assignments must give out lanes of 0..${state.laneCount - 1}, each once`, "assignments");
      const lastHeldBy = new Map(unheldLanes(state).map((u) => [u.lane, u.lostWorker.workerId]));
      // Taken already (by a reassignment decided first): the run has moved on.
      if (given.some((l) => !lastHeldBy.has(l))) throw new DomainError("conflict", "some of these lanes are held already", "assignments");
      if (assignments.some((a) => a.lanes.some((l) => lastHeldBy.get(l) !== a.replaces)))
        throw new DomainError("invalid", "each assignment must name the lost worker that held its lanes", "assignments");
      return withConsequences(
        state,
        command,
        assignments.map((a) => assigned(state, a, "reassigned", a.replaces)),
      );
    }

    case "run.record-stage": {
      const { workload, stage } = command.data;
      if (state.status !== "Running" || stage <= (state.stages[workload] ?? -1)) return [];
      return [{ type: "run.stage-started", data: { ...command.data, at: command.time } }];
    }

    case "run.stop": {
      requireLive(state);
      if (state.status === "Stopping" || state.status === "Analyzing") return [];
      if (state.status === "Pending" || state.status === "Queued") return [cancelledUnstarted(state, command)];
      const { reason } = command.data;
      // A run left with no worker to confirm (all lost, their lanes unheld) ends its load at once.
      return withConsequences(state, command, [
        { type: "run.stopping", data: { reason, ...(reason === "requested" ? { by: command.actor } : {}) } },
      ]);
    }

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

    case "run.record-threshold-crossed": {
      // Once per threshold, and only while the run may still be judged.
      if (state.verdict !== undefined || state.crossed.includes(thresholdKey(command.data))) return [];
      return [{ type: "run.threshold-crossed", data: command.data }];
    }

    case "run.record-verdict": {
      // Judged once its load is over: the verdict ends the analysis (or comes late, to a run that ended without it).
      if (state.verdict !== undefined || (state.status !== "Analyzing" && !isTerminal(state.status))) return [];
      const verdict: NewEvent = { type: "run.verdict-recorded", data: command.data };
      return state.status === "Analyzing" ? [verdict, concluded(state, command.time)] : [verdict];
    }

    case "run.report-worker-failed": {
      const { workerId, reason } = command.data;
      // Only a worker of the live run can fail it: a late report, or one from a worker it lost, changes nothing.
      if (isTerminal(state.status) || !state.shares[workerId] || wasLost(state, workerId)) return [];
      return [{ type: "run.failed", data: { reason: `worker ${workerId}: ${reason}`, finishedAt: command.time } }];
    }
  }
}

type Evolvable = Pick<CommandEnvelope, "time"> & NewEvent;

function evolve(state: RunState, event: Evolvable): RunState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case "run.created": {
      const { loadTestId, target, placement, targetPolicy, secrets, baselineRunId, ...parameters } = event.data;
      return {
        ...next,
        status: "Pending",
        loadTestId,
        target,
        parameters,
        ...(placement ? { placement } : {}),
        ...(targetPolicy ? { targetPolicy } : {}),
        ...(secrets ? { secrets } : {}),
        ...(baselineRunId ? { baselineRunId } : {}),
      };
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
      // Assigned before the run started, a lane is held from the start: the run starts only once its worker is ready.
      const started = state.status === "Running" || state.status === "Stopping";
      const holds = lanes.map((lane): LaneHold => ({ lane, workerId, ...(started ? { from: event.time } : {}) }));
      return {
        ...next,
        status: state.status === "Pending" ? "Starting" : state.status,
        laneCount,
        assignedAt: state.assignedAt ?? event.time,
        shares: { ...state.shares, [workerId]: share },
        holds: [...state.holds, ...holds],
      };
    }
    case "run.setup-completed":
      return { ...next, setupValues: event.data.values };
    case "run.worker-ready":
    case "run.workers-ready":
      return { ...next, readyWorkers: [...state.readyWorkers, ...readyWorkerIds(event)] };
    case "run.started":
      return { ...next, status: "Running", startedAt: event.data.startedAt };
    case "run.stage-started":
      return { ...next, stages: { ...state.stages, [event.data.workload]: event.data.stage } };
    case "run.worker-lost": {
      const { workerId, lastSeenAt } = event.data;
      const { [workerId]: _gone, ...shares } = state.shares;
      // Its lanes stopped running when it was last heard from, not when it was declared lost.
      const holds = state.holds.map((h) => (h.workerId === workerId && h.until === undefined ? { ...h, until: lastSeenAt } : h));
      return { ...next, shares, holds, lostWorkers: [...state.lostWorkers, event.data] };
    }
    case "run.stopping":
      return {
        ...next,
        status: "Stopping",
        stoppingAt: event.time,
        stopReason: event.data.reason,
        ...(event.data.by ? { stoppedBy: event.data.by } : {}),
      };
    case "run.queued":
      return { ...next, status: "Queued", queuedAt: event.time, queueExpiresAt: event.data.expiresAt };
    case "run.dequeued":
      return { ...next, status: "Pending" };
    case "run.analyzing":
      return { ...next, status: "Analyzing", loadEnded: event.data, finishedAt: event.data.finishedAt };
    case "run.paused":
      return { ...next, pausedAt: event.data.at };
    case "run.resumed": {
      const { pausedAt: _resumed, ...rest } = next;
      return rest;
    }
    case "run.scaled":
      return { ...next, vuFactor: event.data.vuFactor, rateFactor: event.data.rateFactor };
    case "run.threshold-crossed":
      return { ...next, crossed: [...state.crossed, thresholdKey(event.data)] };
    case "run.verdict-recorded":
      return { ...next, verdict: event.data.verdict };
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
  initialState: {
    status: "None",
    version: 0,
    laneCount: 0,
    shares: {},
    readyWorkers: [],
    stoppedWorkers: [],
    crossed: [],
    lostWorkers: [],
    holds: [],
    stages: {},
    vuFactor: 1,
    rateFactor: 1,
  },
  decide,
  evolve,
};
