import { type EventEnvelope, type EventType, eventExamples } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { type AgentActionEvent, type AgentMessage, evolveAgent, foldAgentActions, runSutOf } from "./agent-rows.ts";
import { sutSeriesOf } from "./agent-views.ts";

let n = 0;
function event<T extends EventType>(type: T, data: unknown, time: string, over: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: `e${++n}`,
    type,
    schemaVersion: 1,
    tenantId: "acme",
    aggregate: { type: "agent", id: "agent-1" },
    time,
    actor: "agent:agent-1",
    causationId: null,
    correlationId: "c",
    data,
    ...over,
  } as EventEnvelope;
}

const registered = (time: string) => event("agent.registered", eventExamples["agent.registered"], time) as AgentMessage;
const telemetry = (at: string, labels: Record<string, string> = { service: "api" }) =>
  event("agent.telemetry", { ...eventExamples["agent.telemetry"], at, labels }, at) as AgentMessage;

describe("evolveAgent", () => {
  it("takes the registration, then moves last seen and the latest telemetry forward only", () => {
    const a = evolveAgent(null, registered("2026-12-05T10:00:00.000Z"));
    expect(a).toMatchObject({ agentId: "agent-1", host: "api-1.internal", version: "0.1.0", lastTelemetry: null });
    expect(a.registeredAt?.toISOString()).toBe("2026-12-05T10:00:00.000Z");
    const b = evolveAgent(a, telemetry("2026-12-05T10:00:02.000Z", { service: "api", zone: "b" }));
    expect(b.lastSeenAt.toISOString()).toBe("2026-12-05T10:00:02.000Z");
    expect(b.labels).toEqual({ service: "api", zone: "b" });
    expect(b.host).toBe("api-1.internal");
    const late = evolveAgent(b, telemetry("2026-12-05T10:00:01.000Z", { service: "old" }));
    expect(late).toBe(b);
  });

  it("knows an agent by its telemetry alone when its registration has aged out", () => {
    const a = evolveAgent(null, telemetry("2026-12-05T10:00:02.000Z"));
    expect(a).toMatchObject({ host: null, version: null, actions: null, registeredAt: null, labels: { service: "api" } });
    expect(a.lastTelemetry?.at).toBe("2026-12-05T10:00:02.000Z");
  });
});

describe("foldAgentActions", () => {
  const id = "act-1";
  const requested = event(
    "agent.action-requested",
    { actionId: id, action: "restart-api", params: {}, requestedBy: "user:o", runId: "run-1" },
    "2026-12-05T10:00:00.000Z",
  ) as AgentActionEvent;
  const started = event("agent.action-started", { actionId: id }, "2026-12-05T10:00:01.000Z") as AgentActionEvent;
  const failed = event(
    "agent.action-failed",
    { actionId: id, reason: "exited with code 3", exitCode: 3, output: "no\n", truncated: false, durationMs: 95 },
    "2026-12-05T10:00:02.000Z",
  ) as AgentActionEvent;

  it("folds an action from its request to its outcome", () => {
    const { upserts, orphans } = foldAgentActions([], [requested, started, failed]);
    expect(orphans).toEqual([]);
    expect(upserts).toHaveLength(1);
    expect(upserts[0]).toMatchObject({
      actionId: id,
      agentId: "agent-1",
      runId: "run-1",
      status: "failed",
      exitCode: 3,
      reason: "exited with code 3",
      durationMs: 95,
    });
    expect(upserts[0]!.startedAt?.toISOString()).toBe("2026-12-05T10:00:01.000Z");
    expect(upserts[0]!.endedAt?.toISOString()).toBe("2026-12-05T10:00:02.000Z");
  });

  it("continues from the stored row, and leaves an outcome of an action never asked (or another tenant's) as an orphan", () => {
    const [row] = foldAgentActions([], [requested]).upserts;
    const completed = event(
      "agent.action-completed",
      { actionId: id, exitCode: 0, output: "ok", truncated: false, durationMs: 4 },
      "2026-12-05T10:00:03.000Z",
    ) as AgentActionEvent;
    expect(foldAgentActions([row!], [completed]).upserts[0]).toMatchObject({ status: "completed", exitCode: 0, output: "ok" });
    const stranger = { ...completed, tenantId: "other" } as AgentActionEvent;
    expect(foldAgentActions([row!], [stranger])).toEqual({ upserts: [], orphans: [stranger] });
    expect(foldAgentActions([], [started]).orphans).toEqual([started]);
  });
});

describe("runSutOf", () => {
  it("keeps the SUT selector of a run.created that names one", () => {
    const target = { targetUrl: "http://x", requests: [{ method: "GET", path: "/" }] };
    const created = (more: object) =>
      event(
        "run.created",
        { loadTestId: "lt", targetUsers: 1, spawnRate: 1, durationSec: 1, target: { ...target, ...more } },
        "2026-12-05T10:00:00.000Z",
        {
          aggregate: { type: "run", id: "run-1" },
        },
      );
    expect(runSutOf(created({ sut: { labels: { service: "api" } } }))).toEqual({
      tenantId: "acme",
      runId: "run-1",
      labels: { service: "api" },
    });
    expect(runSutOf(created({}))).toBeNull();
  });
});

describe("sutSeriesOf", () => {
  const rows: { agentId: string; second: number; values: Record<string, number> }[] = [
    { agentId: "b", second: 1, values: { "host.cpu.busy": 20, "process.api.cpuPercent": 50, "host.cpu.user": 5 } },
    { agentId: "a", second: 2, values: { "host.cpu.busy": 11 } },
    { agentId: "a", second: 0, values: { "host.cpu.busy": 10 } },
  ];

  it("answers the default series each agent has, in the order of the run's seconds", () => {
    expect(sutSeriesOf(rows, null)).toEqual({
      agents: ["a", "b"],
      series: [
        {
          agentId: "a",
          name: "host.cpu.busy",
          points: [
            [0, 10],
            [2, 11],
          ],
        },
        { agentId: "b", name: "host.cpu.busy", points: [[1, 20]] },
        { agentId: "b", name: "process.api.cpuPercent", points: [[1, 50]] },
      ],
    });
  });

  it("answers the series asked for for every agent, empty where it has none", () => {
    expect(sutSeriesOf(rows, ["host.cpu.user"]).series).toEqual([
      { agentId: "a", name: "host.cpu.user", points: [] },
      { agentId: "b", name: "host.cpu.user", points: [[1, 5]] },
    ]);
  });
});
