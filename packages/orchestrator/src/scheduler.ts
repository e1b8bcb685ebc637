import {
  applyStored,
  type CommandEnvelope,
  createCommand,
  type EventEnvelope,
  type EventStore,
  emptyAggregate,
  type LoadedAggregate,
  nextScheduleStep,
  type ScheduleState,
  type ScheduleStep,
  scheduleDecider,
  scheduledStartId,
  sleep,
} from "@loadline/core";
import type { CommandOutcome } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import type { CommandHandler } from "./command-handler.ts";
import { KeyedLanes } from "./keyed-lanes.ts";

export type SchedulerTimings = {
  /**
   * How late the latest due instant may be fired and still count as on time (nextScheduleStep):
   * longer than a takeover (~1.5-3 s) and a busy event loop, so neither makes a schedule whose
   * missed-fire policy is `skip` lose an instant; an outage longer than this did miss it.
   */
  missedAfterMs: number;
  /** When a step was refused (the schedule changed meanwhile, say), how soon the schedule is looked at again. */
  retryMs: number;
};

export const DEFAULT_SCHEDULER_TIMINGS: SchedulerTimings = { missedAfterMs: 60_000, retryMs: 30_000 };

export type ScheduleRef = { tenantId: string; id: string };

/** setTimeout takes ~24.8 days at most; a schedule further off is looked at again within the hour. */
const MAX_TIMER_MS = 3_600_000;
/** Steps taken at one look before the schedule is left for retryMs: a bound on a loop that should never happen. */
const STEPS_PER_LOOK = 16;
const RUN_ENDED = new Set<EventEnvelope["type"]>(["run.completed", "run.failed", "run.cancelled"]);

const keyOf = (ref: ScheduleRef): string => `${ref.tenantId}/${ref.id}`;

/**
 * The process manager of schedules, run by the active orchestrator only: one timer per enabled
 * schedule at its next due instant; at it, the step nextScheduleStep names (fire, skip, queue),
 * decided by the schedule's decider, then the fired run's `run.start` (its id and the command's
 * derived from the schedule and the instant, its actor `schedule:<id>`). Its only state is
 * timers derived from the schedules' states, which the command handler holds: a standby that
 * takes over reads the schedules (readSchedules), and `recover` fires what fell due meanwhile,
 * starts a fired run its predecessor did not, and sets the timers again.
 */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly known = new Map<string, ScheduleRef>();
  /** One schedule's steps one at a time (a timer and an event may look at once); other schedules' at once. */
  private readonly lanes = new KeyedLanes();
  private stopped = false;

  constructor(
    private readonly handler: CommandHandler,
    private readonly log: Logger,
    private readonly timings: SchedulerTimings = DEFAULT_SCHEDULER_TIMINGS,
    private readonly now: () => number = Date.now,
  ) {}

  recover(schedules: Iterable<ScheduleRef>): void {
    for (const ref of schedules) this.look(ref);
  }

  /** Called with every event the orchestrator appended: a schedule changed, or a run a queued fire waits for ended. */
  onEvents(events: readonly EventEnvelope[]): void {
    const refs = new Map<string, ScheduleRef>();
    for (const e of events) {
      if (e.aggregate.type === "schedule")
        refs.set(keyOf({ tenantId: e.tenantId, id: e.aggregate.id }), { tenantId: e.tenantId, id: e.aggregate.id });
      else if (e.aggregate.type === "run" && RUN_ENDED.has(e.type))
        for (const ref of this.waitingOn(e.tenantId, e.aggregate.id)) refs.set(keyOf(ref), ref);
    }
    for (const ref of refs.values()) this.look(ref);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves once no schedule is being stepped. */
  settled(): Promise<void> {
    return this.lanes.drained();
  }

  /** Schedules whose queued fire waits for this run. */
  private waitingOn(tenantId: string, runId: string): ScheduleRef[] {
    return [...this.known.values()].filter((ref) => {
      const state = ref.tenantId === tenantId ? this.handler.peekSchedule(ref.tenantId, ref.id) : undefined;
      return state?.status === "active" && state.queued?.liveRunId === runId;
    });
  }

  /** Takes the schedule's steps now, until it waits. */
  private look(ref: ScheduleRef): void {
    if (this.stopped) return;
    const key = keyOf(ref);
    this.known.set(key, ref);
    this.clear(key);
    void this.lanes
      .run(key, () => this.steps(ref))
      .catch((err: unknown) => {
        this.log.error({ err, schedule: ref }, "schedule step failed, trying again");
        this.at(ref, this.now() + this.timings.retryMs);
      });
  }

  private async steps(ref: ScheduleRef): Promise<void> {
    for (let i = 0; i < STEPS_PER_LOOK; i++) {
      if (this.stopped) return;
      const state = this.handler.peekSchedule(ref.tenantId, ref.id) ?? (await this.handler.loadSchedule(ref.tenantId, ref.id));
      const step = nextScheduleStep(state, {
        now: new Date(this.now()),
        missedAfterMs: this.timings.missedAfterMs,
        runStatus: (runId) => this.handler.peekRun(ref.tenantId, runId)?.status,
      });
      if (step.type === "idle") {
        if (state.status !== "active") this.known.delete(keyOf(ref));
        return;
      }
      if (step.type === "wait") return this.at(ref, step.until.getTime());
      const done = step.type === "start" ? await this.start(ref, state, step) : await this.decide(ref, step);
      if (!done) return this.at(ref, this.now() + this.timings.retryMs);
    }
    this.log.warn({ schedule: ref, steps: STEPS_PER_LOOK }, "a schedule took too many steps at once: looking again later");
    this.at(ref, this.now() + this.timings.retryMs);
  }

  /** Records a step's decision about a due instant; false when it was refused. */
  private async decide(ref: ScheduleRef, step: Exclude<ScheduleStep, { type: "idle" | "wait" | "start" }>): Promise<boolean> {
    const { type } = step;
    const command =
      step.type === "fire"
        ? createCommand({
            ...this.target(ref),
            type: "schedule.fire",
            data: { dueAt: step.dueAt, missed: step.missed, queued: step.queued },
          })
        : step.type === "skip"
          ? createCommand({
              ...this.target(ref),
              type: "schedule.skip",
              data: {
                dueAt: step.dueAt,
                reason: step.reason,
                missed: step.missed,
                ...(step.liveRunId !== undefined ? { liveRunId: step.liveRunId } : {}),
              },
            })
          : createCommand({ ...this.target(ref), type: "schedule.queue", data: { dueAt: step.dueAt, liveRunId: step.liveRunId } });
    const outcome = await this.handle(command);
    if (!outcome) return false;
    if (!outcome.ok) {
      this.log.warn({ schedule: ref, step, error: outcome.error }, "schedule step refused");
      return false;
    }
    if (outcome.seqs.length > 0)
      this.log.info({ schedule: ref, ...step }, `schedule ${type === "fire" ? "fired" : type === "skip" ? "skipped" : "queued"}`);
    return true;
  }

  /**
   * Starts the run a fire named, as the schedule says now. The command's id is derived too, so
   * one sent again (by a successor, or a retry) is answered from the run already made; a run
   * the handler refuses is put on the schedule's record, and not started again.
   */
  private async start(ref: ScheduleRef, state: ScheduleState, step: Extract<ScheduleStep, { type: "start" }>): Promise<boolean> {
    if (state.status === "none") return false;
    const { loadTestId, overrides, placement } = state.definition;
    const id = scheduledStartId(ref.id, step.dueAt);
    const command: CommandEnvelope = {
      ...createCommand({
        type: "run.start",
        tenantId: ref.tenantId,
        aggregate: { type: "run", id: step.runId },
        actor: `schedule:${ref.id}`,
        correlationId: id,
        data: { loadTestId, overrides, ...(placement ? { placement } : {}) },
      }),
      id,
    };
    const outcome = await this.handle(command);
    if (!outcome) return false;
    if (outcome.ok) {
      if (outcome.seqs.length > 0) this.log.info({ schedule: ref, dueAt: step.dueAt, runId: step.runId }, "scheduled run started");
      return true;
    }
    // Made meanwhile by another orchestrator (a takeover's overlap): the run is there, which is all a fire asks.
    if ((this.handler.peekRun(ref.tenantId, step.runId)?.status ?? "None") !== "None") return true;
    const reason = `${outcome.error.code}: ${outcome.error.message}`;
    this.log.warn({ schedule: ref, dueAt: step.dueAt, runId: step.runId, reason }, "a scheduled run could not start");
    const recorded = await this.handle(
      createCommand({ ...this.target(ref), type: "schedule.record-run-refused", data: { dueAt: step.dueAt, runId: step.runId, reason } }),
    );
    if (recorded && !recorded.ok)
      this.log.warn({ schedule: ref, error: recorded.error }, "the refusal of a scheduled run was not recorded");
    return recorded?.ok ?? false;
  }

  private target(ref: ScheduleRef) {
    return { tenantId: ref.tenantId, aggregate: { type: "schedule" as const, id: ref.id }, actor: "orchestrator" };
  }

  /** Hands a command to the handler, again while NATS is away (the same envelope: its id makes a retry harmless); null once stopped. */
  private async handle(command: CommandEnvelope): Promise<CommandOutcome | null> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        return await this.handler.handle(command);
      } catch (err) {
        this.log.error({ err, aggregate: command.aggregate, command: command.type, attempt }, "schedule command failed, retrying");
        await sleep(Math.min(5_000, 250 * attempt));
      }
    }
    return null;
  }

  private at(ref: ScheduleRef, at: number): void {
    const key = keyOf(ref);
    this.clear(key);
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        // A new trace: set within a decision's, which a fire hours later is not part of (nor every later fire of the chain).
        context.with(ROOT_CONTEXT, () => this.look(ref));
      },
      Math.max(0, Math.min(at - this.now(), MAX_TIMER_MS)),
    );
    this.timers.set(key, timer);
  }

  private clear(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }
}

/**
 * Every schedule's state from the event stream, primed into the handler: what a taking-over
 * orchestrator hands the scheduler's `recover`. Deleted ones are left out.
 */
export async function readSchedules(
  store: EventStore,
  handler: CommandHandler,
  onUnreadable: (seq: number, err: unknown) => void,
): Promise<ScheduleRef[]> {
  const schedules = new Map<string, ScheduleRef & { schedule: LoadedAggregate<ScheduleState> }>();
  for await (const stored of store.readAll({ aggregateType: "schedule", onUnreadable })) {
    const ref = { tenantId: stored.event.tenantId, id: stored.event.aggregate.id };
    const entry = schedules.get(keyOf(ref)) ?? { ...ref, schedule: emptyAggregate(scheduleDecider) };
    schedules.set(keyOf(ref), entry);
    applyStored(entry.schedule, scheduleDecider, stored);
  }
  for (const s of schedules.values()) handler.primeSchedule(s.tenantId, s.id, s.schedule);
  return [...schedules.values()].filter((s) => s.schedule.state.status === "active").map(({ tenantId, id }) => ({ tenantId, id }));
}
