import {
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type Executor,
  FLEET_TENANT,
  isTerminal,
  laneDemand,
  lastHeardOf,
  maxGracefulStopMs,
  phaseBudgetMs,
  planExecutors,
  type RunState,
  runPlan,
  runWorkers,
  sleep,
  type UnheldLane,
  unheldLanes,
  type WorkerRegistration,
  type WorkerShare,
} from "@loadline/core";
import type { Logger } from "@loadline/service";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import type { CommandHandler } from "./command-handler.ts";
import type { ExpectedWorker, LostWorker } from "./fleet.ts";
import { type Candidate, planReassignment, planRun } from "./planner.ts";

export type SupervisorTimings = {
  /** How long a run waits for a fleet that can hold it before it fails. */
  planWaitMs: number;
  /** How long assigned workers have to report ready. */
  readyDeadlineMs: number;
  /**
   * How long workers have to confirm a stop beyond the run's longest graceful stop (the
   * iterations in flight may rightly take that long): the deadline derives from the plan.
   */
  stopDeadlineMs: number;
  /**
   * How long lanes nobody holds (a lost worker's, when no live worker had room) wait for a worker
   * to take them before the run fails: long enough for a replacement to start, short enough that
   * a run does not go on for long at less load than asked.
   */
  unheldWaitMs: number;
  /**
   * How long an analysis (the verdict on the last windows) may take before the run ends without
   * it: the threshold watch waits up to 10 s for the last windows, so a little more than that.
   */
  analysisDeadlineMs: number;
  /** How often queued runs are looked at again, besides whenever room frees: a tenant's raised quota is seen this late. */
  queueRetryMs: number;
};

export const DEFAULT_TIMINGS: SupervisorTimings = {
  planWaitMs: 5_000,
  readyDeadlineMs: 30_000,
  stopDeadlineMs: 30_000,
  unheldWaitMs: 30_000,
  analysisDeadlineMs: 20_000,
  queueRetryMs: 2_000,
};

/** What the supervisor needs of the fleet. */
export type FleetView = { live(): WorkerRegistration[]; expect(workers: Iterable<ExpectedWorker>): void };

type RunRef = { tenantId: string; id: string };
type TimerKind = "deadline" | "end" | "stage" | "unheld" | "queue";
type SupervisorCommand =
  | "run.stop"
  | "run.queue"
  | "run.dequeue"
  | "run.conclude"
  | "run.assign"
  | "run.fail"
  | "run.reassign"
  | "run.reassign-unheld"
  | "run.record-stage"
  | "worker.declare-lost";

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

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

function unheldReason(unheld: readonly UnheldLane[], ms: number): string {
  const lost = [...new Set(unheld.map((u) => u.lostWorker.workerId))];
  return (
    `no live worker took ${plural(unheld.length, "lane", "lanes")} ${unheld.map((u) => u.lane).join(", ")} ` +
    `of lost ${plural(lost.length, "worker", "workers")} ${lost.join(", ")} within ${ms / 1000} s`
  );
}

/**
 * The process manager of runs: from each run's state it derives what comes next (plan it,
 * start deadline, end at its duration, its stages, stop deadline) and keeps those timers; it
 * hands a lost worker's lanes to others, and lanes nobody had room for to the first workers
 * that can take them (one that joins, one whose other run ended), failing the run when none
 * does in time. Its only state is timers and the set of live runs, both derived from the run
 * states: after a restart, `recover` rebuilds them.
 */
export class RunSupervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly live = new Map<string, RunRef>();
  /** Shares planned and being appended: capacity taken, though no run state shows it yet. */
  private readonly reserved = new Map<string, readonly WorkerShare[]>();
  /** Plans, reassignments and hand-outs of unheld lanes run one at a time: each sees the capacity the last one took. */
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

  /**
   * Picks up every run that was live when the orchestrator last stopped, and waits for its
   * workers, each with the run's last word of it: one that never shows up again is lost as of then at the latest.
   */
  recover(runs: Iterable<RunRef>): void {
    for (const run of runs) this.refresh(run);
    this.fleet.expect(
      [...this.live.values()].flatMap((r) => {
        const state = this.stateOf(r);
        return state ? runWorkers(state).map((workerId) => ({ workerId, heardAt: lastHeardOf(state, workerId) ?? "" })) : [];
      }),
    );
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

  /** A worker joined the fleet: lanes that nobody holds, and queued runs, may go to it. */
  onWorkerJoined(): void {
    this.handOutAllUnheld();
    this.admitQueued();
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
    for (const kind of ["deadline", "end", "stage", "unheld", "queue"] as const) this.clear(run, kind);
    if (!state || isTerminal(state.status) || state.status === "None") {
      // Its workers have room again: lanes another run could not place, or a queued run, may fit now.
      if (this.live.delete(run.id)) {
        this.handOutAllUnheld();
        this.admitQueued();
      }
      return;
    }
    this.live.set(run.id, run);
    const since = (iso: string | undefined) => (iso ? Date.parse(iso) : Date.now());
    switch (state.status) {
      case "Queued":
        this.schedule(run, "deadline", since(state.queueExpiresAt), () => {
          if (this.stateOf(run)?.status !== "Queued") return;
          const waited = Math.round((Date.now() - since(state.queuedAt)) / 1000);
          return this.fail(run, `waited ${waited} s in the queue and no room freed (maxQueueWaitSec)`);
        });
        this.schedule(run, "queue", Date.now() + this.timings.queueRetryMs, () => this.refresh(run));
        this.admitQueued();
        break;
      case "Pending":
        this.plan(run, Date.now() + this.timings.planWaitMs);
        break;
      case "Starting":
        this.schedule(run, "deadline", since(state.assignedAt) + this.timings.readyDeadlineMs + setupBudgetMs(state), () => {
          const now = this.stateOf(run);
          if (now?.status !== "Starting") return;
          if (now.target?.setup && now.setupValues === undefined) return this.fail(run, "the setup did not finish in time");
          const late = runWorkers(now).filter((w) => !now.readyWorkers.includes(w));
          if (late.length > 0)
            return this.fail(run, `workers ${late.join(", ")} were not ready within ${this.timings.readyDeadlineMs / 1000} s`);
          // Every worker ready, but lanes a lost worker left still wait for a taker.
          const unheld = unheldLanes(now);
          if (unheld.length > 0) return this.fail(run, unheldReason(unheld, this.timings.readyDeadlineMs));
        });
        break;
      case "Running":
        this.scheduleRunning(run, state);
        break;
      case "Analyzing":
        // The load is over: its workers' room is free for queued runs.
        this.admitQueued();
        // Without thresholds there is nothing to judge; with them, the threshold watch records the verdict, which ends it.
        if (!state.target?.thresholds) void this.send(this.ref(run), { type: "run.conclude", data: {} });
        else
          this.schedule(run, "deadline", since(state.finishedAt) + this.timings.analysisDeadlineMs, () => {
            this.log.warn({ runId: run.id }, "no verdict in time: the run ends without one");
            return this.send(this.ref(run), { type: "run.conclude", data: {} });
          });
        break;
      case "Stopping": {
        const grace = state.target && state.parameters ? maxGracefulStopMs(planExecutors(runPlan(state.target, state.parameters))) : 0;
        this.schedule(run, "deadline", since(state.stoppingAt) + grace + this.timings.stopDeadlineMs, () =>
          this.fail(run, "workers did not confirm the stop in time"),
        );
        break;
      }
    }
    if (state.status === "Starting" || state.status === "Running") this.awaitUnheld(run, state);
  }

  /** Lanes nobody holds: a taker now if one has room (one may have joined unseen, during a takeover), else the deadline. */
  private awaitUnheld(run: RunRef, state: RunState): void {
    const unheld = unheldLanes(state);
    if (unheld.length === 0) return;
    const since = Math.min(...unheld.map((u) => Date.parse(u.lostWorker.lostAt)));
    this.schedule(run, "unheld", since + this.timings.unheldWaitMs, () => {
      const now = this.stateOf(run);
      if (now?.status !== "Starting" && now?.status !== "Running") return;
      const still = unheldLanes(now);
      if (still.length > 0) return this.fail(run, unheldReason(still, this.timings.unheldWaitMs));
    });
    this.serially(() => this.handOutUnheld(run));
  }

  private handOutAllUnheld(): void {
    for (const run of this.live.values()) {
      const state = this.stateOf(run);
      if (state && (state.status === "Starting" || state.status === "Running") && unheldLanes(state).length > 0)
        this.serially(() => this.handOutUnheld(run));
    }
  }

  /**
   * Gives lanes nobody holds to live workers with room, as a lost worker's lanes are: the run's
   * own workers first, then others matching its placement; what does not fit waits for the next
   * worker to join.
   */
  private async handOutUnheld(run: RunRef): Promise<void> {
    const state = this.stateOf(run);
    if (this.stopped || (state?.status !== "Starting" && state?.status !== "Running") || !state.parameters || !state.target) return;
    const unheld = unheldLanes(state);
    if (unheld.length === 0) return;
    const executors = planExecutors(runPlan(state.target, state.parameters));
    const plan = planReassignment(
      this.candidates(),
      {
        executors,
        laneCount: state.laneCount,
        placement: state.placement,
        inRun: runWorkers(state),
        excluded: state.lostWorkers.map((l) => l.workerId),
      },
      unheld.map((u) => u.lane),
    );
    if (plan.assignments.length === 0) return;
    // Split by whose lanes they were: each assignment names the lost worker it replaces, which closes that gap on the run's record.
    const lostBy = new Map(unheld.map((u) => [u.lane, u.lostWorker.workerId]));
    const assignments = plan.assignments.flatMap((a) =>
      [...new Set(a.lanes.map((l) => lostBy.get(l)!))].map((replaces) => {
        const lanes = a.lanes.filter((l) => lostBy.get(l) === replaces);
        const vcpus = a.vcpus !== undefined ? { vcpus: a.vcpus } : {};
        return { workerId: a.workerId, lanes, ...laneDemand(executors, lanes, state.laneCount), ...vcpus, replaces };
      }),
    );
    this.log.info({ runId: run.id, assignments, left: plan.left }, "lanes nobody held handed out");
    await this.send(this.ref(run), { type: "run.reassign-unheld", data: { assignments } });
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
      const executors = planExecutors(runPlan(state.target, state.parameters));
      const plan = planRun(this.candidates(), executors, state.placement);
      if (plan.ok) {
        // Held for the next plans at once, until the run's own state shows it: planning need not wait on the append.
        this.reserved.set(run.id, plan.assignments);
        void this.send(this.ref(run), { type: "run.assign", data: { laneCount: plan.laneCount, assignments: plan.assignments } }).finally(
          () => this.reserved.delete(run.id),
        );
        return;
      }
      // Room taken by other runs frees when they end: wait in the queue for it.
      if (planRun(this.candidates({ idle: true }), executors, state.placement).ok)
        return this.queue(run, `the fleet is busy: ${plan.reason}`);
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
        ? { assignments: [], left: [] }
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
    if (plan.left.length > 0)
      this.log.warn(
        { runId: run.id, workerId: lost.workerId, lanes: plan.left, reason: plan.reason, waitMs: this.timings.unheldWaitMs },
        "no worker can take some of the lost worker's lanes: the run goes on without them until one can",
      );
    await this.send(this.ref(run), {
      type: "run.reassign",
      data: { lostWorkerId: lost.workerId, lastSeenAt: lost.lastSeenAt, assignments: plan.assignments },
    });
  }

  private async queue(run: RunRef, reason: string): Promise<void> {
    const { maxQueueWaitSec } = await this.handler.quotasOf(run.tenantId);
    const expiresAt = new Date(Date.now() + maxQueueWaitSec * 1000).toISOString();
    this.log.info({ runId: run.id, reason }, "run queued");
    await this.send(this.ref(run), { type: "run.queue", data: { reason, expiresAt } });
  }

  /**
   * Starts queued runs that fit now: each tenant's in the order they came (a run never passes
   * an earlier one of its tenant), tenants with the fewest runs live first, so one tenant's
   * backlog cannot hold the others'. A run is dequeued and assigned in one step, so the next
   * one sees the capacity it took.
   */
  private admitQueued(): void {
    this.serially(async () => {
      const queued = [...this.live.values()]
        .map((run) => ({ run, state: this.stateOf(run) }))
        .filter((q): q is { run: RunRef; state: RunState } => q.state?.status === "Queued")
        .sort((a, b) => Date.parse(a.state.queuedAt ?? "") - Date.parse(b.state.queuedAt ?? "") || a.run.id.localeCompare(b.run.id));
      const heads = new Map<string, (typeof queued)[number]>();
      for (const q of queued) if (!heads.has(q.run.tenantId)) heads.set(q.run.tenantId, q);
      // Each tenant's live runs counted once, not in every comparison of the sort.
      const live = new Map([...heads.keys()].map((tenantId) => [tenantId, this.handler.tenantRuns(tenantId).live]));
      const fairest = [...heads.values()].sort((a, b) => live.get(a.run.tenantId)! - live.get(b.run.tenantId)!);
      for (const { run, state } of fairest) {
        if (this.stopped || !state.target || !state.parameters) continue;
        const quotas = await this.handler.quotasOf(run.tenantId);
        if (this.handler.tenantRuns(run.tenantId).live >= quotas.maxConcurrentRuns) continue;
        const plan = planRun(this.candidates(), planExecutors(runPlan(state.target, state.parameters)), state.placement);
        if (!plan.ok) continue;
        this.reserved.set(run.id, plan.assignments);
        try {
          await this.send(this.ref(run), { type: "run.dequeue", data: {} });
          await this.send(this.ref(run), { type: "run.assign", data: { laneCount: plan.laneCount, assignments: plan.assignments } });
        } finally {
          this.reserved.delete(run.id);
        }
        // One run per tenant per pass: the next pass sees its tenant's new count.
        if (queued.length > heads.size) this.admitQueued();
      }
    });
  }

  /** Live workers, with what the live runs hold of each (`idle`: as if no run held any, what the fleet could hold at all). */
  private candidates(opts: { idle?: boolean } = {}): Candidate[] {
    const committed = new Map<string, { vus: number; arrivalRate: number }>();
    const take = (workerId: string, s: { vus: number; arrivalRate: number }) => {
      const c = committed.get(workerId) ?? { vus: 0, arrivalRate: 0 };
      committed.set(workerId, { vus: c.vus + s.vus, arrivalRate: c.arrivalRate + s.arrivalRate });
    };
    if (!opts.idle) {
      for (const run of this.live.values()) for (const [workerId, s] of Object.entries(this.stateOf(run)?.shares ?? {})) take(workerId, s);
      for (const shares of this.reserved.values()) for (const s of shares) take(s.workerId, s);
    }
    return this.fleet.live().map((w) => ({
      workerId: w.workerId,
      labels: w.labels,
      capacity: { maxVUs: w.capacity.maxVUs, maxArrivalRate: w.capacity.maxArrivalRate },
      committed: committed.get(w.workerId) ?? { vus: 0, arrivalRate: 0 },
      threads: w.capacity.threads,
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
        // A new trace: the timer was set within the decision it derives from, whose trace a run's end minutes later is not part of.
        void context.with(ROOT_CONTEXT, action);
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

/** What a run's start waits for its setup beyond the workers' readiness: the setup's longest (0 without one). */
const setupBudgetMs = (state: RunState): number => (state.target?.setup ? phaseBudgetMs(state.target.setup) : 0);
