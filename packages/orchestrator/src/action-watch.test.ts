import {
  type AgentAction,
  agentDecider,
  type CommandEnvelope,
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  InMemoryEventStore,
  loadAggregate,
} from "@loadline/core";
import { eventually, OPEN_PLATFORM } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterEach, describe, expect, it } from "vitest";
import { ActionWatch, DEFAULT_ACTION_GRACES, expiryOf } from "./action-watch.ts";
import { CommandHandler } from "./command-handler.ts";

const log = createLogger("test", "silent");
const T0 = Date.parse("2026-12-05T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();
const action = (over: Partial<AgentAction>): AgentAction => ({
  actionId: "a1",
  action: "restart-api",
  params: {},
  requestedBy: "key:k",
  requestedAt: at(0),
  correlationId: "c1",
  status: "requested",
  ...over,
});

describe("expiryOf", () => {
  const g = DEFAULT_ACTION_GRACES;
  it("fails a request not taken up within the take-up grace", () => {
    expect(expiryOf(action({}), T0 + 9_999, g)).toBeNull();
    expect(expiryOf(action({}), T0 + 10_000, g)).toBe("the agent did not take it up within 10 s (not running, or not listening)");
  });

  it("fails a started action with no outcome by its timeout (default 60 s) plus the outcome grace", () => {
    const started = action({ status: "started", startedAt: at(1_000) });
    expect(expiryOf(started, T0 + 1_000 + 69_999, g)).toBeNull();
    expect(expiryOf(started, T0 + 1_000 + 70_000, g)).toBe("no outcome from the agent within 70 s: it may have been killed mid-action");
    const short = action({ status: "started", startedAt: at(0), timeoutSec: 5 });
    expect(expiryOf(short, T0 + 14_999, g)).toBeNull();
    expect(expiryOf(short, T0 + 15_000, g)).toMatch(/within 15 s/);
  });

  it("leaves an ended action alone", () => {
    for (const status of ["completed", "failed"] as const) expect(expiryOf(action({ status }), T0 + 1e9, g)).toBeNull();
  });
});

describe("ActionWatch", () => {
  const watches: ActionWatch[] = [];
  afterEach(() => {
    for (const w of watches.splice(0)) w.stop();
  });

  /** A real handler on an in-memory store, and a watch on it with a clock the test moves. */
  function setup(store = new InMemoryEventStore()) {
    const events: EventEnvelope[] = [];
    let watch: ActionWatch | undefined;
    const handler = new CommandHandler(store, log, OPEN_PLATFORM, (e) => {
      events.push(...e);
      watch?.onEvents(e);
    });
    let offset = 0;
    watch = new ActionWatch(
      handler,
      log,
      { takeUpMs: 1_000, outcomeGraceMs: 500, defaultTimeoutSec: 2, tickMs: 60_000 },
      () => Date.now() + offset,
    );
    watches.push(watch);
    const send = <T extends CommandType>(type: T, data: CommandInit<T>["data"], id?: string) =>
      handler.handle({
        ...createCommand({ type, tenantId: "t1", aggregate: { type: "agent", id: "db-1" }, data } as CommandInit<T>),
        ...(id ? { id } : {}),
      } as CommandEnvelope);
    return { handler, watch, events, send, later: (ms: number) => (offset += ms) };
  }
  const failures = (events: EventEnvelope[]) =>
    events.filter((e) => e.type === "agent.action-failed").map((e) => e.data as { actionId: string; reason: string });

  it("fails an action the agent never took up, once", async () => {
    const { watch, events, send, later } = setup();
    await send("agent.request-action", { action: "restart-api", params: {} }, "act-1");
    watch.tick();
    later(900);
    watch.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(failures(events)).toEqual([]);
    later(200);
    watch.tick();
    watch.tick();
    await eventually(() => failures(events).length === 1, 2_000);
    expect(failures(events)).toEqual([
      { actionId: "act-1", reason: "the agent did not take it up within 1 s (not running, or not listening)" },
    ]);
    later(10_000);
    watch.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(failures(events)).toHaveLength(1);
  });

  it("fails an action started and never reported on, by its own timeout plus the grace", async () => {
    const { watch, events, send, later } = setup();
    await send("agent.request-action", { action: "restart-api", params: {}, timeoutSec: 1 }, "act-2");
    await send("agent.report-action-started", { actionId: "act-2" });
    later(1_400);
    watch.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(failures(events)).toEqual([]);
    later(200);
    watch.tick();
    await eventually(() => failures(events).length === 1, 2_000);
    expect(failures(events)[0]).toEqual({
      actionId: "act-2",
      reason: "no outcome from the agent within 1.5 s: it may have been killed mid-action",
    });
  });

  it("fails nothing once an outcome came, and a late report after an expiry changes nothing", async () => {
    const { watch, events, send, later } = setup();
    await send("agent.request-action", { action: "restart-api", params: {} }, "act-3");
    await send("agent.report-action-started", { actionId: "act-3" });
    await send("agent.report-action-completed", { actionId: "act-3", exitCode: 0, output: "ok", truncated: false, durationMs: 3 });
    await send("agent.request-action", { action: "restart-api", params: {} }, "act-4");
    await send("agent.report-action-failed", { actionId: "act-4", reason: "not allowed" });
    later(3_600_000);
    watch.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(failures(events).map((f) => f.reason)).toEqual(["not allowed"]);
    expect(events.map((e) => e.type)).toContain("agent.action-completed");
  });

  it("rebuilt on takeover from the agents' records, it keeps their deadlines", async () => {
    const store = new InMemoryEventStore();
    const first = setup(store);
    await first.send("agent.request-action", { action: "restart-api", params: {} }, "act-5");
    first.watch.stop();
    // A new orchestrator: what recovery does, the agent read from the store and primed, the watch told of it.
    const second = setup(store);
    second.handler.primeAgent("t1", "db-1", await loadAggregate(store, agentDecider, "t1", { type: "agent", id: "db-1" }));
    second.watch.recover([{ tenantId: "t1", id: "db-1" }]);
    second.later(5_000);
    second.watch.tick();
    await eventually(() => failures(second.events).length === 1, 2_000);
    expect(failures(second.events)[0]?.actionId).toBe("act-5");
  });
});
