import { describe, expect, it } from "vitest";
import { actionDetail, actionSignature, labelList, lastSeen, paramText, sortAgents } from "./agents.ts";
import type { AgentActionSummary, AgentView } from "./types.ts";

const agent = (agentId: string, state: AgentView["state"]): AgentView => ({
  agentId,
  host: "h",
  version: "0.1.0",
  labels: {},
  actions: [],
  sources: [],
  registeredAt: null,
  lastSeenAt: "2026-12-05T10:00:00.000Z",
  state,
  silentMs: 0,
});

const slowDown: AgentActionSummary = {
  name: "slow-down",
  description: "Make the target answer slower",
  params: {
    ms: { type: "number", min: 0, max: 5000, integer: true, required: true },
    seconds: { type: "number", max: 60 },
  },
  timeoutSec: 10,
};

describe("the fleet's agents", () => {
  it("lists the active before the lost, each by id", () => {
    const sorted = sortAgents([agent("b", "lost"), agent("c", "active"), agent("a", "lost"), agent("a2", "active")]);
    expect(sorted.map((a) => `${a.agentId}:${a.state}`)).toEqual(["a2:active", "c:active", "a:lost", "b:lost"]);
  });

  it("shows labels by name, whatever their order", () => {
    expect(labelList({ service: "api", env: "staging" })).toEqual(["env=staging", "service=api"]);
    expect(labelList({})).toEqual([]);
  });

  it("names an action with its parameters, the optional ones marked", () => {
    expect(actionSignature(slowDown)).toBe("slow-down(ms, seconds?)");
    expect(actionSignature({ name: "clear-cache", params: {}, timeoutSec: 5 })).toBe("clear-cache");
  });

  it("tells what each parameter accepts, and the timeout, never a command", () => {
    expect(paramText({ type: "enum", values: ["on", "off"], required: true })).toBe("one of on|off, required");
    expect(paramText({ type: "string", maxLength: 63, pattern: "[a-z]+" })).toBe("string, at most 63, matching [a-z]+");
    expect(paramText({ type: "number", min: 1 })).toBe("number ≥ 1");
    expect(paramText({ type: "boolean" })).toBe("boolean");
    expect(actionDetail(slowDown)).toBe(
      "Make the target answer slower\nms: number 0..5000, integer, required\nseconds: number ≤ 60\ntimeout 10 s",
    );
  });

  it("says when it was last heard from: tenths of a second while recent, else how long ago", () => {
    const now = Date.parse("2026-12-05T10:05:00.000Z");
    expect(lastSeen({ silentMs: 420, lastSeenAt: "2026-12-05T10:04:59.580Z" }, now)).toBe("0.4s ago");
    expect(lastSeen({ silentMs: 300_000, lastSeenAt: "2026-12-05T10:00:00.000Z" }, now)).toBe("5m ago");
  });
});
