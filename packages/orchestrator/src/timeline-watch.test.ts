import {
  type AgentState,
  agentDecider,
  type CommandEnvelope,
  type EventEnvelope,
  type EventStore,
  InMemoryEventStore,
  loadAggregate,
  type RunState,
  type TimelineStep,
} from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import type { CommandOutcome } from "@loadline/nats";
import { createLogger } from "@loadline/service";
import { afterEach, describe, expect, it } from "vitest";
import { AgentRoster } from "./agent-directory.ts";
import { CommandHandler } from "./command-handler.ts";
import { dueSteps, stableId, TimelineWatch, timelineActionId } from "./timeline-watch.ts";

const log = createLogger("test", "silent");

describe("stableId", () => {
  it("is RFC 9562's version 5: the known vector, and the same parts give the same id", () => {
    expect(stableId("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(timelineActionId("run-1", 0, "db-1")).toBe(timelineActionId("run-1", 0, "db-1"));
    const ids = new Set([timelineActionId("run-1", 0, "db-1"), timelineActionId("run-1", 1, "db-1"), timelineActionId("run-1", 0, "db-2")]);
    expect(ids.size).toBe(3);
    expect(timelineActionId("run-1", 0, "db-1")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

const step = (atSec: number, agent: Record<string, string>, action = "slow-down"): TimelineStep => ({
  atSec,
  agent,
  action,
  params: { ms: 200 },
});

describe("dueSteps", () => {
  const timeline = [step(1, { a: "1" }), step(2.5, { a: "1" }), step(0, { a: "1" })];
  it("lists the steps whose second has come and are not done, in order", () => {
    expect(dueSteps(timeline, 1_000, 999, new Set())).toEqual([]);
    expect(dueSteps(timeline, 1_000, 1_000, new Set())).toEqual([2]);
    expect(dueSteps(timeline, 1_000, 2_000, new Set([2]))).toEqual([0]);
    expect(dueSteps(timeline, 1_000, 60_000, new Set([0]))).toEqual([1, 2]);
  });
});

const START = Date.parse("2026-12-05T10:00:00.000Z");
const RUN = "run-tl-1";

/** A run as the handler would have it (only what the watch reads), and the agents' handler real, on `store`. */
function setup(store: EventStore, run: { status: RunState["status"]; timeline: TimelineStep[] }, roster: AgentRoster) {
  const events: EventEnvelope[] = [];
  let clock = START;
  let state = { status: run.status, startedAt: new Date(START).toISOString(), target: { timeline: run.timeline } } as unknown as RunState;
  let watch: TimelineWatch | undefined;
  const agents = new CommandHandler(store, log, OPEN_PLATFORM, (e) => {
    events.push(...e);
    watch?.onEvents(e);
  });
  const handler = {
    peekRun: (_: string, id: string) => (id === RUN ? state : undefined),
    peekAgent: (tenantId: string, id: string): AgentState | undefined => agents.peekAgent(tenantId, id),
    handle: (command: CommandEnvelope): Promise<CommandOutcome> => agents.handle(command),
    runCorrelation: (_: string, id: string) => (id === RUN ? "run-correlation" : undefined),
  };
  watch = new TimelineWatch(handler, roster, log, { tickMs: 60_000 }, () => clock);
  return {
    watch,
    agents,
    events,
    at: (sec: number) => {
      clock = START + sec * 1000;
    },
    set: (status: RunState["status"]) => {
      state = { ...state, status } as RunState;
    },
  };
}

const requested = (events: EventEnvelope[]) =>
  events
    .filter((e): e is Extract<EventEnvelope, { type: "agent.action-requested" }> => e.type === "agent.action-requested")
    .map((e) => ({ agent: e.aggregate.id, action: e.data.action, runId: e.data.runId, id: e.data.actionId }));
const settle = () => new Promise((r) => setTimeout(r, 30));

describe("TimelineWatch", () => {
  const watches: TimelineWatch[] = [];
  afterEach(() => {
    for (const w of watches.splice(0)) w.stop();
  });

  function roster() {
    const r = new AgentRoster(5_000, () => START + 1_000_000); // every agent below heard "now"
    r.heard("t1", "db-1", START + 1_000_000, { labels: { role: "db", zone: "a" }, actions: [{ name: "slow-down", timeoutSec: 7 }] });
    r.heard("t1", "db-2", START + 1_000_000, { labels: { role: "db", zone: "b" } });
    r.heard("t1", "web-1", START + 1_000_000, { labels: { role: "web" } });
    r.heard("t1", "db-old", START, { labels: { role: "db" } }); // not heard for long: not live
    r.heard("t2", "db-9", START + 1_000_000, { labels: { role: "db" } }); // another tenant's
    return r;
  }

  it("fires each step once at its second, to every live matching agent of the run's tenant, with the run's id", async () => {
    const t = setup(
      new InMemoryEventStore(),
      { status: "Running", timeline: [step(1, { role: "db" }), step(2, { role: "web" }, "restart")] },
      roster(),
    );
    watches.push(t.watch);
    t.watch.onEvents([{ tenantId: "t1", aggregate: { type: "run", id: RUN } } as EventEnvelope]);
    t.at(0.9);
    t.watch.tick();
    await settle();
    expect(requested(t.events)).toEqual([]);
    t.at(1);
    t.watch.tick();
    t.watch.tick();
    await settle();
    t.watch.tick();
    await settle();
    expect(requested(t.events)).toEqual([
      { agent: "db-1", action: "slow-down", runId: RUN, id: timelineActionId(RUN, 0, "db-1") },
      { agent: "db-2", action: "slow-down", runId: RUN, id: timelineActionId(RUN, 0, "db-2") },
    ]);
    // The registered timeout goes with the request (the action watch's deadline); it is part of the run: the run's correlation id.
    expect(t.agents.peekAgent("t1", "db-1")?.actions[timelineActionId(RUN, 0, "db-1")]?.timeoutSec).toBe(7);
    expect(new Set(t.events.filter((e) => e.type === "agent.action-requested").map((e) => e.correlationId))).toEqual(
      new Set(["run-correlation"]),
    );
    t.at(2);
    t.watch.tick();
    await settle();
    expect(requested(t.events).map((r) => r.agent)).toEqual(["db-1", "db-2", "web-1"]);
  });

  it("records nothing for a step no live agent matches", async () => {
    const t = setup(new InMemoryEventStore(), { status: "Running", timeline: [step(0, { role: "cache" })] }, roster());
    watches.push(t.watch);
    t.watch.recover([{ tenantId: "t1", id: RUN }], []);
    t.at(5);
    t.watch.tick();
    await settle();
    expect(t.events).toEqual([]);
  });

  it("stops firing when the run stops", async () => {
    const t = setup(
      new InMemoryEventStore(),
      { status: "Running", timeline: [step(1, { role: "db" }), step(3, { role: "db" })] },
      roster(),
    );
    watches.push(t.watch);
    t.watch.recover([{ tenantId: "t1", id: RUN }], []);
    t.at(1.5);
    t.watch.tick();
    await settle();
    t.set("Stopping");
    t.at(10);
    t.watch.tick();
    await settle();
    expect(requested(t.events)).toHaveLength(2);
  });

  it("after a takeover fires only what is still due: not a step recorded, but one that was due and never recorded", async () => {
    const store = new InMemoryEventStore();
    const timeline = [step(1, { role: "db" }), step(2, { role: "web" })];
    const first = setup(store, { status: "Running", timeline }, roster());
    watches.push(first.watch);
    first.watch.recover([{ tenantId: "t1", id: RUN }], []);
    first.at(1.5);
    first.watch.tick();
    await settle();
    first.watch.stop(); // the first orchestrator is gone before step 1's second

    const second = setup(store, { status: "Running", timeline }, roster());
    watches.push(second.watch);
    const agentRefs = ["db-1", "db-2", "web-1"].map((id) => ({ tenantId: "t1", id }));
    for (const a of agentRefs)
      second.agents.primeAgent(a.tenantId, a.id, await loadAggregate(store, agentDecider, a.tenantId, { type: "agent", id: a.id }));
    second.watch.recover([{ tenantId: "t1", id: RUN }], agentRefs);
    second.at(4);
    second.watch.tick();
    await settle();
    expect(requested(second.events).map((r) => r.agent)).toEqual(["web-1"]);
    second.watch.tick();
    await settle();
    expect(requested([...first.events, ...second.events]).map((r) => r.agent)).toEqual(["db-1", "db-2", "web-1"]);
  });

  it("a resend of a fired step (two instances at once, or a retry) records nothing new", async () => {
    const store = new InMemoryEventStore();
    const timeline = [step(1, { role: "db" })];
    const a = setup(store, { status: "Running", timeline }, roster());
    watches.push(a.watch);
    a.watch.recover([{ tenantId: "t1", id: RUN }], []);
    a.at(1);
    a.watch.tick();
    await settle();
    // A second watch that did not see the first's events: the handler knows the ids as applied.
    const b = setup(store, { status: "Running", timeline }, roster());
    watches.push(b.watch);
    b.watch.recover([{ tenantId: "t1", id: RUN }], []);
    b.at(1);
    b.watch.tick();
    await settle();
    expect(requested(a.events)).toHaveLength(2);
    expect(requested(b.events)).toEqual([]);
  });
});
