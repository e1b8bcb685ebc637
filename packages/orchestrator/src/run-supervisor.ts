import {
  createCommand,
  isTerminal,
  type CommandInit,
  type EventEnvelope,
  type Logger,
  type RunState,
  type WorkerRegistration,
} from "@loadline/core";
import type { CommandHandler } from "./command-handler.ts";
import { planRun } from "./planner.ts";

export type SupervisorTimings = {
  /** How long a run waits for a live worker before it fails. */
  planWaitMs: number;
  /** How long assigned workers have to report that they started. */
  startDeadlineMs: number;
  /** How long workers have to confirm a stop. */
  stopDeadlineMs: number;
};

export const DEFAULT_TIMINGS: SupervisorTimings = { planWaitMs: 5_000, startDeadlineMs: 30_000, stopDeadlineMs: 30_000 };

type RunRef = { tenantId: string; id: string };

/**
 * The process manager of runs: it reacts to run events with the next command (plan the
 * run, stop it at its duration, fail it when workers miss a deadline), and keeps the
 * timers. Its state is only timers: after a restart, `recover` rebuilds them from the runs.
 */
export class RunSupervisor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly handler: CommandHandler,
    private readonly liveWorkers: () => Promise<WorkerRegistration[]>,
    private readonly log: Logger,
    private readonly timings: SupervisorTimings = DEFAULT_TIMINGS,
  ) {}

  /** Called with every event the orchestrator appended. */
  onEvents(events: readonly EventEnvelope[]): void {
    for (const event of events) {
      if (event.aggregate.type !== "run") continue;
      const run = { tenantId: event.tenantId, id: event.aggregate.id };
      switch (event.type) {
        case "run.created":
          void this.plan(run);
          break;
        case "run.assigned":
          this.schedule(run, this.timings.startDeadlineMs, () => this.fail(run, "workers did not start in time"));
          break;
        case "run.started":
          this.scheduleEnd(run, event.data.startedAt);
          break;
        case "run.stopping":
          this.schedule(run, this.timings.stopDeadlineMs, () => this.fail(run, "workers did not confirm the stop in time"));
          break;
        case "run.completed":
        case "run.failed":
        case "run.cancelled":
          this.clear(run);
          break;
        default:
          break;
      }
    }
  }

  /** Picks up every run that was live when the orchestrator last stopped. */
  recover(runs: ReadonlyMap<string, { tenantId: string; state: RunState }>): void {
    for (const [id, { tenantId, state }] of runs) {
      const run = { tenantId, id };
      if (isTerminal(state.status)) continue;
      this.log.info({ runId: id, status: state.status }, "recovering run");
      if (state.status === "Pending") void this.plan(run);
      else if (state.status === "Starting") this.schedule(run, this.timings.startDeadlineMs, () => this.fail(run, "workers did not start in time"));
      else if (state.status === "Running" && state.startedAt) this.scheduleEnd(run, state.startedAt);
      else if (state.status === "Stopping") this.schedule(run, this.timings.stopDeadlineMs, () => this.fail(run, "workers did not confirm the stop in time"));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private scheduleEnd(run: RunRef, startedAt: string): void {
    void this.handler.state({ tenantId: run.tenantId, aggregate: { type: "run", id: run.id } }).then((s) => {
      const state = s as RunState;
      if (!state.parameters) return;
      const endsAt = Date.parse(startedAt) + state.parameters.durationSec * 1000;
      this.schedule(run, endsAt - Date.now(), () => this.send(run, { type: "run.stop", data: { reason: "duration" } }));
    });
  }

  private async plan(run: RunRef): Promise<void> {
    const state = (await this.handler.state({ tenantId: run.tenantId, aggregate: { type: "run", id: run.id } })) as RunState;
    if (!state.parameters || state.status !== "Pending") return;
    const deadline = Date.now() + this.timings.planWaitMs;
    for (;;) {
      const plan = planRun(await this.liveWorkers(), state.parameters);
      if (plan.ok) return this.send(run, { type: "run.assign", data: { assignments: plan.assignments } });
      // A fleet that is still starting up gets a moment; a short capacity does not improve by waiting.
      if (Date.now() >= deadline || this.stopped) return this.fail(run, plan.reason);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private fail(run: RunRef, reason: string): Promise<void> {
    return this.send(run, { type: "run.fail", data: { reason } });
  }

  /** Sends a follow-up command, retrying while NATS is away: a run must not miss its stop. */
  private async send(run: RunRef, command: Pick<CommandInit<"run.stop" | "run.assign" | "run.fail">, "type" | "data">): Promise<void> {
    const envelope = createCommand({
      ...command,
      tenantId: run.tenantId,
      aggregate: { type: "run", id: run.id },
      actor: "orchestrator",
    } as CommandInit<"run.stop">);
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const outcome = await this.handler.handle(envelope);
        // A conflict means the run moved on already (stopped by hand, say): nothing to do.
        if (!outcome.ok && outcome.error.code !== "conflict") {
          this.log.warn({ runId: run.id, command: command.type, error: outcome.error }, "supervisor command refused");
        }
        return;
      } catch (err) {
        this.log.error({ err, runId: run.id, command: command.type, attempt }, "supervisor command failed, retrying");
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * attempt)));
      }
    }
  }

  private schedule(run: RunRef, delayMs: number, action: () => Promise<void>): void {
    this.clear(run);
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(run.id);
      void action();
    }, Math.max(0, delayMs));
    this.timers.set(run.id, timer);
  }

  private clear(run: RunRef): void {
    const t = this.timers.get(run.id);
    if (t) clearTimeout(t);
    this.timers.delete(run.id);
  }
}
