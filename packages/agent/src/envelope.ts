import { type EventOf, newId } from "@loadline/core";

type AgentStreamEvent = "agent.registered" | "agent.telemetry";

/** An agent's own event for LL_AGENT, in the envelope every event travels in (its own correlation: it answers nothing). */
export function agentEvent<T extends AgentStreamEvent>(
  type: T,
  data: EventOf<T>["data"],
  agent: { tenantId: string; agentId: string },
): EventOf<T> {
  const id = newId();
  return {
    id,
    type,
    schemaVersion: 1,
    tenantId: agent.tenantId,
    aggregate: { type: "agent", id: agent.agentId },
    time: new Date().toISOString(),
    actor: `agent:${agent.agentId}`,
    causationId: null,
    correlationId: id,
    data,
  } as EventOf<T>;
}
