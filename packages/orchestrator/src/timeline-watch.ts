import { createHash } from "node:crypto";
import { type CommandEnvelope, createCommand, type EventEnvelope, isTerminal, type RunState, type TimelineStep } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { AgentLookup } from "./agent-directory.ts";
import type { CommandHandler } from "./command-handler.ts";

/** The namespace of the timeline's request ids (any fixed UUID: it only keeps them apart from other v5 ids). */
const TIMELINE_NAMESPACE = "6f1d3c2a-8b4e-5f70-9a1b-2c3d4e5f6a7b";

/** A name-based UUID (RFC 9562 version 5: SHA-1 of a namespace and a name): the same parts, the same id. */
export function stableId(namespace: string, name: string): string {
  const bytes = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The command id (and so the action id) of step `index` of a run's timeline sent to one agent:
 * whoever sends it, once or again after a failover, the handler knows it as already applied.
 */
export const timelineActionId = (runId: string, index: number, agentId: string): string =>
  stableId(TIMELINE_NAMESPACE, `${runId}/${index}/${agentId}`);

/** The steps whose second has come (`startedAt + atSec`) and that are not done yet, in order. */
export function dueSteps(timeline: readonly TimelineStep[], startedAtMs: number, nowMs: number, done: ReadonlySet<number>): number[] {
  const due: number[] = [];
  timeline.forEach((step, i) => {
    if (!done.has(i) && nowMs >= startedAtMs + step.atSec * 1000) due.push(i);
  });
  return due;
}

export type TimelineOptions = { tickMs: number };
export const DEFAULT_TIMELINE_OPTIONS: TimelineOptions = { tickMs: 200 };

type RunRef = { tenantId: string; id: string };

/**
 * Fires a run's fault steps on its clock: at `startedAt + atSec` of a Running run, the step's
 * action of every live agent whose labels include its selector (none live: a warning, nothing
 * recorded). A step is fired once per orchestrator; across a failover its deterministic request
 * ids make a resend a no-op, and a new orchestrator counts a step recorded for any agent as done
 * (from the agents' events it replayed), so it fires only steps still due or never recorded.
 */
export class TimelineWatch {
  private readonly runs = new Map<string, RunRef>();
  /** Steps fired or found recorded, by run: never fired again by this instance. */
  private readonly done = new Map<string, Set<number>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly handler: Pick<CommandHandler, "peekRun" | "peekAgent" | "handle" | "runCorrelation">,
    private readonly agents: AgentLookup,
    private readonly log: Logger,
    private readonly opts: TimelineOptions = DEFAULT_TIMELINE_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  onEvents(events: readonly EventEnvelope[]): void {
    for (const e of events) {
      if (e.aggregate.type === "run") this.track({ tenantId: e.tenantId, id: e.aggregate.id });
      else if (e.type === "agent.action-requested" && e.data.runId)
        this.recorded(e.tenantId, e.aggregate.id, e.data.runId, e.data.actionId);
    }
  }

  /**
   * At takeover, after the runs and agents were primed into the handler from the event stream:
   * the clock runs from then on, once the activation can no longer fail.
   */
  recover(runs: Iterable<RunRef>, agents: Iterable<RunRef>): void {
    for (const run of runs) this.track(run);
    for (const agent of agents) {
      const state = this.handler.peekAgent(agent.tenantId, agent.id);
      for (const action of Object.values(state?.actions ?? {}))
        if (action.runId) this.recorded(agent.tenantId, agent.id, action.runId, action.actionId);
    }
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private track(run: RunRef): void {
    if (this.runs.has(run.id)) return;
    const state = this.handler.peekRun(run.tenantId, run.id);
    if (state?.target?.timeline && !finished(state)) this.runs.set(run.id, run);
  }

  /** Which step of the run an action of this agent was (its id says, being derived from the step). */
  private recorded(tenantId: string, agentId: string, runId: string, actionId: string): void {
    const timeline = this.handler.peekRun(tenantId, runId)?.target?.timeline ?? [];
    const index = timeline.findIndex((_, i) => timelineActionId(runId, i, agentId) === actionId);
    if (index >= 0) this.doneOf(runId).add(index);
  }

  private doneOf(runId: string): Set<number> {
    const done = this.done.get(runId) ?? new Set<number>();
    this.done.set(runId, done);
    return done;
  }

  /** Exposed for tests: one look at every watched run's clock. */
  tick(): void {
    if (this.stopped) return;
    const now = this.now();
    for (const run of this.runs.values()) {
      const state = this.handler.peekRun(run.tenantId, run.id);
      if (!state || finished(state)) {
        // Stopped, ended: nothing more is fired for it.
        this.runs.delete(run.id);
        this.done.delete(run.id);
        continue;
      }
      const timeline = state.target?.timeline;
      if (state.status !== "Running" || !state.startedAt || !timeline) continue;
      const done = this.doneOf(run.id);
      for (const index of dueSteps(timeline, Date.parse(state.startedAt), now, done)) {
        done.add(index);
        const step = timeline[index];
        if (step) this.fire(run, index, step);
      }
    }
  }

  private fire(run: RunRef, index: number, step: TimelineStep): void {
    const targets = this.agents.matching(run.tenantId, step.agent);
    if (targets.length === 0) {
      this.log.warn(
        { runId: run.id, step: index, action: step.action, agent: step.agent },
        "timeline step due, but no live agent matches it",
      );
      return;
    }
    for (const agent of targets) {
      const timeoutSec = agent.actions?.get(step.action)?.timeoutSec;
      const command: CommandEnvelope = {
        ...createCommand({
          type: "agent.request-action",
          tenantId: run.tenantId,
          aggregate: { type: "agent", id: agent.agentId },
          data: { action: step.action, params: step.params, runId: run.id, ...(timeoutSec ? { timeoutSec } : {}) },
          actor: "orchestrator",
          correlationId: this.handler.runCorrelation(run.tenantId, run.id) ?? run.id, // the run's own: its actions are part of it
        }),
        id: timelineActionId(run.id, index, agent.agentId),
      };
      void this.send(run, index, command);
    }
  }

  private async send(run: RunRef, index: number, command: CommandEnvelope): Promise<void> {
    try {
      const outcome = await this.handler.handle(command);
      if (outcome.ok)
        this.log.info({ runId: run.id, step: index, agentId: command.aggregate.id, actionId: command.id }, "timeline step fired");
      else this.log.warn({ runId: run.id, step: index, agentId: command.aggregate.id, error: outcome.error }, "timeline step refused");
    } catch (err) {
      // NATS away: the step is due again next tick (its ids make a resend to agents that got it a no-op).
      this.log.error({ err, runId: run.id, step: index, agentId: command.aggregate.id }, "timeline step could not be sent");
      this.done.get(run.id)?.delete(index);
    }
  }
}

/** A run past its load: a stop was asked, or it ended. */
const finished = (state: RunState): boolean => isTerminal(state.status) || state.status === "Stopping" || state.status === "Analyzing";
