import type { EventEnvelope, EventOf } from "@loadline/core";
import type { AgentActionRow, AgentRow, RunSutRow } from "./schema.ts";

/** Pure folds of agent messages into read-model rows (no I/O): `null` is "no row". */

export type AgentMessage = EventOf<"agent.registered" | "agent.telemetry">;
export type AgentActionEvent = EventOf<
  "agent.action-requested" | "agent.action-started" | "agent.action-completed" | "agent.action-failed"
>;

export const isAgentMessage = (e: EventEnvelope): e is AgentMessage => e.type === "agent.registered" || e.type === "agent.telemetry";
export const isAgentActionEvent = (e: EventEnvelope): e is AgentActionEvent => e.type.startsWith("agent.action-");

/** When the message says the agent was last heard from: telemetry's `at`, else the envelope's time; NaN when neither parses. */
export function seenAtOf(message: AgentMessage): number {
  const at = message.type === "agent.telemetry" ? Date.parse(message.data.at) : Number.NaN;
  return Number.isFinite(at) ? at : Date.parse(message.time);
}

/**
 * An agent after one of its LL_AGENT messages. A registration sets what it tells; telemetry
 * moves last_seen_at and last_telemetry forward only (an older interval delivered late changes
 * nothing), and its labels are the agent's latest. An agent first known by telemetry (its
 * registration aged out of LL_AGENT) has no host, version or actions until it registers again.
 */
export function evolveAgent(row: AgentRow | null, message: AgentMessage): AgentRow {
  const seenAt = new Date(seenAtOf(message));
  const base: AgentRow = row ?? {
    tenantId: message.tenantId,
    agentId: message.aggregate.id,
    host: null,
    version: null,
    labels: {},
    actions: null,
    sources: null,
    registeredAt: null,
    lastSeenAt: seenAt,
    lastTelemetry: null,
  };
  const later = row === null || seenAt.getTime() >= row.lastSeenAt.getTime();
  const lastSeenAt = later ? seenAt : base.lastSeenAt;
  if (message.type === "agent.registered") {
    const { host, version, labels, actions, sources } = message.data;
    return { ...base, host, version, labels, actions, sources, registeredAt: new Date(message.time), lastSeenAt };
  }
  if (!later) return base;
  return { ...base, labels: message.data.labels, lastSeenAt, lastTelemetry: message.data };
}

/** An action after one of its events; null (an orphan) for an outcome of an action never seen asked. */
export function evolveAgentAction(row: AgentActionRow | null, event: AgentActionEvent): AgentActionRow | null {
  const at = new Date(event.time);
  switch (event.type) {
    case "agent.action-requested": {
      const { actionId, action, params, requestedBy, runId } = event.data;
      return {
        tenantId: event.tenantId,
        agentId: event.aggregate.id,
        actionId,
        action,
        params,
        requestedBy,
        runId: runId ?? null,
        status: "requested",
        requestedAt: at,
        startedAt: null,
        endedAt: null,
        exitCode: null,
        output: null,
        truncated: null,
        reason: null,
        durationMs: null,
      };
    }
    case "agent.action-started":
      return row && { ...row, status: "started", startedAt: at };
    case "agent.action-completed": {
      const { exitCode, output, truncated, durationMs } = event.data;
      return row && { ...row, status: "completed", endedAt: at, exitCode, output, truncated, durationMs, reason: null };
    }
    case "agent.action-failed": {
      const { reason, exitCode, output, truncated, durationMs } = event.data;
      return (
        row && {
          ...row,
          status: "failed",
          endedAt: at,
          reason,
          exitCode: exitCode ?? null,
          output: output ?? null,
          truncated: truncated ?? null,
          durationMs: durationMs ?? null,
        }
      );
    }
  }
}

/** Folds a batch of action events into their rows in memory (keyed by action id): the rows to upsert, and the orphans. */
export function foldAgentActions(
  existing: readonly AgentActionRow[],
  events: readonly AgentActionEvent[],
): { upserts: AgentActionRow[]; orphans: AgentActionEvent[] } {
  const rows = new Map(existing.map((r) => [r.actionId, r]));
  const changed = new Set<string>();
  const orphans: AgentActionEvent[] = [];
  for (const event of events) {
    const id = event.data.actionId;
    // Another tenant's (or agent's) action id is not this event's: an orphan, never a row to change.
    const before = rows.get(id) ?? null;
    const mine = before && before.tenantId === event.tenantId && before.agentId === event.aggregate.id ? before : null;
    if (before && !mine) {
      orphans.push(event);
      continue;
    }
    const next = evolveAgentAction(mine, event);
    if (next === null) orphans.push(event);
    else {
      rows.set(id, next);
      changed.add(id);
    }
  }
  return { upserts: [...changed].map((id) => rows.get(id)!), orphans };
}

/** The SUT selector a run.created names in its target; null when it names none. */
export function runSutOf(event: EventEnvelope): RunSutRow | null {
  if (event.type !== "run.created" || !event.data.target.sut) return null;
  return { tenantId: event.tenantId, runId: event.aggregate.id, labels: event.data.target.sut.labels };
}
