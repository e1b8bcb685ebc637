import type { NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import type { ActionParams } from "../schemas/agent.ts";
import type { Decider } from "./decider.ts";

export type ActionStatus = "requested" | "started" | "completed" | "failed";

/** One action asked of an agent, as its events tell it. */
export type AgentAction = {
  actionId: string;
  action: string;
  params: ActionParams;
  requestedBy: string;
  requestedAt: string;
  /** The request's correlation id (a run's, when its timeline fired it): what the action's later events carry. */
  correlationId: string;
  status: ActionStatus;
  runId?: string;
  timeoutSec?: number;
  startedAt?: string;
  endedAt?: string;
};

/** An agent's record on LL_EVENTS: the actions asked of it. Its registration and telemetry are on LL_AGENT. */
export type AgentState = { version: number; actions: Record<string, AgentAction> };

type AgentCommand =
  | "agent.request-action"
  | "agent.report-action-started"
  | "agent.report-action-completed"
  | "agent.report-action-failed"
  | "agent.expire-action";

const ENDED: readonly ActionStatus[] = ["completed", "failed"];

/** Actions asked and not yet ended: what the orchestrator keeps deadlines for. */
export const openActions = (state: AgentState): AgentAction[] => Object.values(state.actions).filter((a) => !ENDED.includes(a.status));

function known(state: AgentState, actionId: string): AgentAction {
  const action = state.actions[actionId];
  if (!action) throw new DomainError("not_found", `no action ${actionId} was asked of this agent`, "actionId");
  return action;
}

/**
 * The agent's reports close what was asked: a report on an action that has ended already (a
 * retry, or an outcome that came after the deadline failed it) changes nothing.
 */
export const agentDecider: Decider<AgentState, AgentCommand> = {
  commands: [
    "agent.request-action",
    "agent.report-action-started",
    "agent.report-action-completed",
    "agent.report-action-failed",
    "agent.expire-action",
  ],
  initialState: { version: 0, actions: {} },
  decide(state, command): NewEvent[] {
    switch (command.type) {
      case "agent.request-action": {
        const { action, params, runId, timeoutSec } = command.data;
        return [
          {
            type: "agent.action-requested",
            data: {
              actionId: command.id,
              action,
              params,
              requestedBy: command.actor,
              ...(runId ? { runId } : {}),
              ...(timeoutSec ? { timeoutSec } : {}),
            },
          },
        ];
      }
      case "agent.report-action-started": {
        const action = known(state, command.data.actionId);
        return action.status === "requested" ? [{ type: "agent.action-started", data: command.data }] : [];
      }
      case "agent.report-action-completed":
        return ENDED.includes(known(state, command.data.actionId).status) ? [] : [{ type: "agent.action-completed", data: command.data }];
      case "agent.report-action-failed":
        return ENDED.includes(known(state, command.data.actionId).status) ? [] : [{ type: "agent.action-failed", data: command.data }];
      case "agent.expire-action": {
        const { actionId, reason } = command.data;
        return ENDED.includes(known(state, actionId).status) ? [] : [{ type: "agent.action-failed", data: { actionId, reason } }];
      }
    }
  },
  evolve(state, event) {
    const at = event.time;
    const change = (actionId: string, patch: Partial<AgentAction>): AgentState => {
      const action = state.actions[actionId];
      if (!action) return { ...state, version: state.version + 1 };
      return { version: state.version + 1, actions: { ...state.actions, [actionId]: { ...action, ...patch } } };
    };
    switch (event.type) {
      case "agent.action-requested": {
        const { actionId, action, params, requestedBy, runId, timeoutSec } = event.data;
        const asked: AgentAction = {
          actionId,
          action,
          params,
          requestedBy,
          requestedAt: at,
          correlationId: event.correlationId,
          status: "requested",
          ...(runId ? { runId } : {}),
          ...(timeoutSec ? { timeoutSec } : {}),
        };
        return { version: state.version + 1, actions: { ...state.actions, [actionId]: asked } };
      }
      case "agent.action-started":
        return change(event.data.actionId, { status: "started", startedAt: at });
      case "agent.action-completed":
        return change(event.data.actionId, { status: "completed", endedAt: at });
      case "agent.action-failed":
        return change(event.data.actionId, { status: "failed", endedAt: at });
      default:
        return state;
    }
  },
};
