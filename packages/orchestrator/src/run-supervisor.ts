import {
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type Executor,
  FLEET_TENANT,
  isTerminal,
  planExecutors,
  type RunState,
  runPlan,
  runWorkers,
  sleep,
  type WorkerRegistration,
  type WorkerShare,
} from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { CommandHandler } from "./command-handler.ts";
import type { LostWorker } from "./fleet.ts";
import { type Candidate, planReassignment, planRun } from "./planner.ts";

export type SupervisorTimings = {
  /** How long a run waits for a fleet that can hold it before it fails. */
  planWaitMs: number;
  /** How long assigned workers have to report ready. */
  readyDeadlineMs: number;
  /** How long workers have to confirm a stop. */
  stopDeadlineMs: number;
};

export const DEFAULT_TIMINGS: SupervisorTimings = { planWaitMs: 5_000, readyDeadlineMs: 30_000, stopDeadlineMs: 30_000 };

/** What the supervisor needs of the fleet. */
export type FleetView = { live(): WorkerRegistration[]; expect(workerIds: Iterable<string>): void };

type RunRef = { tenantId: string; id: string };
type TimerKind = "deadline" | "end" | "stage";
type SupervisorCommand = "run.stop" | "run.assign" | "run.fail" | "run.reassign" | "run.record-stage" | "worker.declare-lost";

const PLAN_RETRY_MS = 250;

/** Each ramping executor's stages as [workload, stage, target, starts (ms after the run's start)]. */
function stageStarts(executors: readonly Executor[]): [number, number, number, number][] {
  return executors.flatMap((e, w) => {
    if (e.type !== "ramping-vus" && e.type !== "ramping-arrival-rate") return [];
    let at = 0;
    return e.stages.map((s, i): [number, number, number, number] => {
      const start = at;
      at += s.durationSec * 1000;
      return [w, i, s.target, start];
    });
  });
}

/**
 * The process manager of runs: from each run's state it derives what comes next (plan it,
 * start deadline, end at its duration, its stages, stop deadline) and keeps those timers; it
 * hands a lost worker's lanes to others. Its only state is timers and the set of live runs,
 * both derived from the run states: after a restart, `recover` rebuilds them.
 */
export class RunSupervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly live = new Map<string, RunRef>();
  /** Shares planned and being appended: capacity taken, though no run state shows it yet. */
  private readonly reserved = new Map<string, readonly WorkerShare[]>();
  /** Plans and reassignments run one at a time: each sees the capacity the last one took. */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly handler: CommandHandler,
    private readonly fleet: FleetView,
    private readonly log: Logger,
    private readonly timings: SupervisorTimings = DEFAULT_TIMINGS,
  ) {}

  /** Called with every event the orchestrator appended. */
  onEvents(events: readonly EventEnvelope[]): void {
    const runs = new Map<string, RunRef>();
    for (const e of events) if (e.aggregate.type === "run") runs.set(e.aggregate.id, { tenantId: e.tenantId, id: e.aggregate.id });
    for (const run of runs.values()) this.refresh(run);
  }

  /** Picks up every run that was live when the orchestrator last stopped, and waits for its workers. */
  recover(runs: Iterable<RunRef>): void {
    for (const run of runs) this.refresh(run);
    this.fleet.expect([...this.live.values()].flatMap((r) => runWorkers(this.stateOf(r) ?? ({ shares: {} } as RunState))));
  }

  /** A worker stopped being heard from: each run it had gets its lanes handed on, and the fleet's record notes the loss. */
  onWorkerLost(lost: LostWorker): void {
    const affected = [...this.live.values()].filter((r) => this.stateOf(r)?.shares[lost.workerId]);
    for (const run of affected) this.serially(() => this.reassign(run, lost));
    if (lost.why === "lapsed" || affected.length > 0) {
      void this.send(
        { tenantId: FLEET_TENANT, aggregate: { type: "worker", id: lost.workerId } },
        {
          type: "worker.declare-lost",
          data: { lastSeenAt: lost.lastSeenAt, runs: affected.map((r) => ({ tenantId: r.tenantId, runId: r.id })) },
        },
      );
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private stateOf(run: RunRef): RunState | undefined {
    return this.handler.peekRun(run.tenantId, run.id);
  }

  /** Sets the run's timers from its state. */
  private refresh(run: RunRef): void {
    const state = this.stateOf(run);
    for (const kind of ["deadline", "end", "stage"] as const) this.clear(run, kind);
    if (!state || isTerminal(state.status) || state.status === "None") {
      this.live.delete(run.id);
      return;
    }
    this.live.set(run.id, run);
    const since = (iso: string | undefined) => (iso ? Date.parse(iso) : Date.now());
    switch (state.status) {
      case "Pending":
        this.plan(run, Date.now() + this.timings.planWaitMs);
        break;
      case "Starting":
        this.schedule(run, "deadline", since(state.assignedAt) + this.timings.readyDeadlineMs, () => {
          const now = this.stateOf(run);
          if (now?.status !== "Starting") return;
          const late = runWorkers(now).filter((w) => !now.readyWorkers.includes(w));
          return this.fail(run, `workers ${late.join(", ")} were not ready within ${this.timings.readyDeadlineMs / 1000} s`);
        });
        break;
      case "Running":
        this.scheduleRunning(run, state);
        break;
      case "Stopping":
        this.schedule(run, "deadline", since(state.stoppingAt) + this.timings.stopDeadlineMs, () =>
          this.fail(run, "workers did not confirm the stop in time"),
        );
        break;
    }
  }

  /** The end at the run's duration, and the next stage to record. */
  private scheduleRunning(run: RunRef, state: RunState): void {
    if (!state.startedAt || !state.parameters || !state.target) return;
    const startedAt = Date.parse(state.startedAt);
    this.schedule(run, "end", startedAt + state.parameters.durationSec * 1000, () =>
      this.send(this.ref(run), { type: "run.stop", data: { reason: "duration" } }),
    );
    const executors = planExecutors(runPlan(state.target, state.parameters));
    const due = stageStarts(executors).filter(([w, i]) => i > (state.stages[w] ?? -1));
    const next = Math.min(...due.map(([, , , at]) => at));
    if (!Number.isFinite(next)) return;
    this.schedule(run, "stage", startedAt + next, async () => {
      // At least the stage this timer was set for: a timer may fire a millisecond before
      // Date.now() reaches its instant, and a stage skipped then was never recorded at all.
      const elapsed = Math.max(next, Date.now() - startedAt);
      for (const [workload, stage, target, at] of due) {
        if (at <= elapsed) await this.send(this.ref(run), { type: "run.record-stage", data: { workload, stage, target } });
      }
    });
  }

  private plan(run: RunRef, deadline: number): void {
    this.serially(async () => {
      const state = this.stateOf(run);
      if (this.stopped || state?.status !== "Pending" || !state.parameters || !state.target) return;
      const plan = planRun(this.candidates(), planExecutors(runPlan(state.target, state.parameters)), state.placement);
      if (plan.ok) {
        // Held for the next plans at once, until the run's own state shows it: planning need not wait on the append.
        this.reserved.set(run.id, plan.assignments);
        void this.send(this.ref(run), { type: "run.assign", data: { laneCount: plan.laneCount, assignments: plan.assignments } }).finally(
          () => this.reserved.delete(run.id),
        );
        return;
      }
      // A fleet that is still starting up gets a moment; a short capacity does not improve by waiting.
      if (!plan.fleetTooSmall || Date.now() >= deadline) return this.fail(run, plan.reason);
      this.schedule(run, "deadline", Date.now() + PLAN_RETRY_MS, () => this.plan(run, deadline));
    });
  }

  private async reassign(run: RunRef, lost: LostWorker): Promise<void> {
    const state = this.stateOf(run);
    const share = state?.shares[lost.workerId];
    if (!state || !share || !state.parameters || !state.target || isTerminal(state.status)) return;
    const inRun = runWorkers(state).filter((w) => w !== lost.workerId);
    const excluded = [lost.workerId, ...state.lostWorkers.map((l) => l.workerId)];
    const plan =
      state.status === "Stopping"
        ? { ok: true as const, assignments: [] }
        : planReassignment(
            this.candidates(),
            {
              executors: planExecutors(runPlan(state.target, state.parameters)),
              laneCount: state.laneCount,
              placement: state.placement,
              inRun,
              excluded,
            },
            share.lanes,
          );
    if (!plan.ok)
      this.log.warn({ runId: run.id, workerId: lost.workerId, reason: plan.reason }, "no worker can take the lost worker's lanes");
    await this.send(this.ref(run), {
      type: "run.reassign",
      data: { lostWorkerId: lost.workerId, lastSeenAt: lost.lastSeenAt, assignments: plan.ok ? plan.assignments : [] },
    });
  }

  /** Live workers, with what the live runs hold of each. */
  private candidates(): Candidate[] {
    const committed = new Map<string, { vus: number; arrivalRate: number }>();
    const take = (workerId: string, s: { vus: number; arrivalRate: number }) => {
      const c = committed.get(workerId) ?? { vus: 0, arrivalRate: 0 };
      committed.set(workerId, { vus: c.vus + s.vus, arrivalRate: c.arrivalRate + s.arrivalRate });
    };
    for (const run of this.live.values()) for (const [workerId, s] of Object.entries(this.stateOf(run)?.shares ?? {})) take(workerId, s);
    for (const shares of this.reserved.values()) for (const s of shares) take(s.workerId, s);
    return this.fleet.live().map((w) => ({
      workerId: w.workerId,
      labels: w.labels,
      capacity: { maxVUs: w.capacity.maxVUs, maxArrivalRate: w.capacity.maxArrivalRate },
      committed: committed.get(w.workerId) ?? { vus: 0, arrivalRate: 0 },
    }));
  }

  private serially(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((err: unknown) => this.log.error({ err }, "supervisor work failed"));
  }

  private ref(run: RunRef) {
    return { tenantId: run.tenantId, aggregate: { type: "run" as const, id: run.id } };
  }

  private fail(run: RunRef, reason: string): Promise<void> {
    return this.send(this.ref(run), { type: "run.fail", data: { reason } });
  }

  /** Sends a follow-up command, retrying while NATS is away: a run must not miss its stop. */
  private async send<T extends SupervisorCommand>(
    target: Pick<CommandInit<T>, "tenantId" | "aggregate">,
    command: { type: T; data: CommandInit<T>["data"] },
  ): Promise<void> {
    const envelope = createCommand({ ...target, ...command, actor: "orchestrator" } as CommandInit<CommandType>);
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const outcome = await this.handler.handle(envelope);
        // A conflict means the run moved on already (stopped by hand, say): nothing to do.
        if (!outcome.ok && outcome.error.code !== "conflict") {
          this.log.warn({ aggregate: target.aggregate, command: command.type, error: outcome.error }, "supervisor command refused");
        }
        return;
      } catch (err) {
        this.log.error({ err, aggregate: target.aggregate, command: command.type, attempt }, "supervisor command failed, retrying");
        await sleep(Math.min(5_000, 250 * attempt));
      }
    }
  }

  private schedule(run: RunRef, kind: TimerKind, at: number, action: () => unknown): void {
    this.clear(run, kind);
    if (this.stopped) return;
    const key = `${run.id}/${kind}`;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        void action();
      },
      Math.max(0, at - Date.now()),
    );
    this.timers.set(key, timer);
  }

  private clear(run: RunRef, kind: TimerKind): void {
    const key = `${run.id}/${kind}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }
}
