import { describe, expect, it } from "vitest";
import { type CommandInit, type CommandType, createCommand, eventsFromCommand } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { type AgentState, agentDecider, openActions } from "./agent.ts";

const aggregate = { type: "agent" as const, id: "a1" };
const cmd = <T extends CommandType>(type: T, data: CommandInit<T>["data"], actor = "system") =>
  createCommand({ type, tenantId: "default", aggregate, data, actor });
const decide = (state: AgentState, command: ReturnType<typeof cmd>) => agentDecider.decide(state, command as never);
const apply = (state: AgentState, command: ReturnType<typeof cmd>) =>
  eventsFromCommand(command, decide(state, command)).reduce(agentDecider.evolve, state);
const code = (state: AgentState, command: ReturnType<typeof cmd>): string | undefined => {
  try {
    decide(state, command);
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
};

const request = cmd("agent.request-action", { action: "restart-api", params: { graceful: true }, timeoutSec: 30 }, "user:ops");
const asked = apply(agentDecider.initialState, request);
const actionId = request.id;
const started = apply(asked, cmd("agent.report-action-started", { actionId }));
const completed = { actionId, exitCode: 0 as const, output: "ok\n", truncated: false, durationMs: 12 };

describe("agent decider", () => {
  it("records a request under the command's id, with who asked", () => {
    expect(decide(agentDecider.initialState, request)).toEqual([
      {
        type: "agent.action-requested",
        data: { actionId, action: "restart-api", params: { graceful: true }, requestedBy: "user:ops", timeoutSec: 30 },
      },
    ]);
    expect(asked.actions[actionId]).toMatchObject({ status: "requested", action: "restart-api" });
    expect(openActions(asked).map((a) => a.actionId)).toEqual([actionId]);
  });

  it("follows the agent's reports to an outcome, and then changes no more", () => {
    expect(started.actions[actionId]?.status).toBe("started");
    const done = apply(started, cmd("agent.report-action-completed", completed));
    expect(done.actions[actionId]?.status).toBe("completed");
    expect(openActions(done)).toEqual([]);
    // A retried report, a late failure, or the deadline after the outcome: nothing new.
    expect(decide(done, cmd("agent.report-action-completed", completed))).toEqual([]);
    expect(decide(done, cmd("agent.report-action-failed", { actionId, reason: "late" }))).toEqual([]);
    expect(decide(done, cmd("agent.expire-action", { actionId, reason: "no outcome" }))).toEqual([]);
    expect(decide(done, cmd("agent.report-action-started", { actionId }))).toEqual([]);
  });

  it("fails an action whose outcome never came", () => {
    const expired = apply(started, cmd("agent.expire-action", { actionId, reason: "no outcome from the agent within 40 s" }));
    expect(expired.actions[actionId]?.status).toBe("failed");
    expect(decide(expired, cmd("agent.report-action-completed", completed))).toEqual([]);
  });

  it("refuses a report on an action nobody asked for", () => {
    expect(code(asked, cmd("agent.report-action-started", { actionId: "nobody-asked" }))).toBe("not_found");
    expect(code(asked, cmd("agent.report-action-failed", { actionId: "nobody-asked", reason: "x" }))).toBe("not_found");
  });
});
