import { type AgentAction, createCommand, type EventEnvelope, openActions } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { CommandHandler } from "./command-handler.ts";

/** How long an agent has to take up an action, and to report its outcome past the action's own timeout. */
export type ActionGraces = {
  /** From the request to the agent's `started` (default 10 s): the echo reaches a listening agent in milliseconds. */
  takeUpMs: number;
  /** Past the action's timeout, for the agent to report what came of it (default 10 s). */
  outcomeGraceMs: number;
  /** An action's timeout when its request named none (default 60 s). */
  defaultTimeoutSec: number;
  /** How often deadlines are looked at (default 500 ms). */
  tickMs: number;
};

export const DEFAULT_ACTION_GRACES: ActionGraces = { takeUpMs: 10_000, outcomeGraceMs: 10_000, defaultTimeoutSec: 60, tickMs: 500 };

const secs = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * Why an open action is failed now, or null while it may still end on its own. Its deadline
 * runs from the stored event's time (the request, the start), so a new orchestrator keeps the
 * deadlines its predecessor had.
 */
export function expiryOf(action: AgentAction, nowMs: number, graces: ActionGraces): string | null {
  if (action.status === "requested") {
    return nowMs - Date.parse(action.requestedAt) >= graces.takeUpMs
      ? `the agent did not take it up within ${secs(graces.takeUpMs)} (not running, or not listening)`
      : null;
  }
  if (action.status === "started" && action.startedAt) {
    const allowedMs = (action.timeoutSec ?? graces.defaultTimeoutSec) * 1000 + graces.outcomeGraceMs;
    return nowMs - Date.parse(action.startedAt) >= allowedMs
      ? `no outcome from the agent within ${secs(allowedMs)}: it may have been killed mid-action`
      : null;
  }
  return null;
}

type AgentRef = { tenantId: string; id: string };

/**
 * Fails the actions that cannot end on their own: not taken up (the agent was not listening when
 * the request was echoed, and the echo is not kept), or started and never reported on (the agent
 * died mid-action). Reads the agents as the handler has them (fed by its onEvents, primed at
 * takeover), and expires through the handler: a report that came first wins, the expiry is then
 * answered without events.
 */
export class ActionWatch {
  /** Agents with an action open, by `tenant/agent`. */
  private readonly agents = new Map<string, AgentRef>();
  /** Expiries sent and not yet answered: one at a time per action. */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly handler: Pick<CommandHandler, "peekAgent" | "handle">,
    private readonly log: Logger,
    private readonly graces: ActionGraces = DEFAULT_ACTION_GRACES,
    private readonly now: () => number = Date.now,
  ) {}

  onEvents(events: readonly EventEnvelope[]): void {
    for (const e of events) if (e.aggregate.type === "agent") this.track({ tenantId: e.tenantId, id: e.aggregate.id });
  }

  /**
   * Every agent aggregate replayed at takeover (primed into the handler already); deadlines are
   * looked at from then on, once the activation can no longer fail (nothing expired without the lease).
   */
  recover(agents: Iterable<AgentRef>): void {
    for (const agent of agents) this.track(agent);
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.graces.tickMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private track(agent: AgentRef): void {
    this.agents.set(`${agent.tenantId}/${agent.id}`, agent);
  }

  /** Exposed for tests: one look at every deadline. */
  tick(): void {
    if (this.stopped) return;
    const now = this.now();
    for (const [key, agent] of this.agents) {
      const state = this.handler.peekAgent(agent.tenantId, agent.id);
      const open = state ? openActions(state) : [];
      if (open.length === 0) {
        this.agents.delete(key); // tracked again by its next event
        continue;
      }
      for (const action of open) {
        const reason = expiryOf(action, now, this.graces);
        if (reason && !this.inFlight.has(action.actionId)) void this.expire(agent, action, reason);
      }
    }
  }

  private async expire(agent: AgentRef, action: AgentAction, reason: string): Promise<void> {
    this.inFlight.add(action.actionId);
    const command = createCommand({
      type: "agent.expire-action",
      tenantId: agent.tenantId,
      aggregate: { type: "agent", id: agent.id },
      data: { actionId: action.actionId, reason },
      actor: "orchestrator",
      correlationId: action.correlationId,
    });
    try {
      const outcome = await this.handler.handle(command);
      if (outcome.ok) this.log.warn({ agentId: agent.id, actionId: action.actionId, action: action.action, reason }, "agent action failed");
      else this.log.warn({ agentId: agent.id, actionId: action.actionId, error: outcome.error }, "action expiry refused");
    } catch (err) {
      // NATS away: the action is still open, and the next tick tries again.
      this.log.error({ err, agentId: agent.id, actionId: action.actionId }, "action expiry failed");
    } finally {
      this.inFlight.delete(action.actionId);
    }
  }
}
