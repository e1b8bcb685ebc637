import {
  type CommandEnvelope,
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type EventStore,
  eventExamples,
  newId,
  type TimelineStep,
  type WorkerRegistration,
} from "@loadline/core";
import { eventually, OPEN_PLATFORM } from "@loadline/core/testing";
import { CommandBus, JetStreamEventStore, openWorkerBucket, subjects, WorkerHeartbeat } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentDirectory, AgentRoster } from "./agent-directory.ts";
import { Orchestrator } from "./orchestrator.ts";
import { DEFAULT_TIMINGS } from "./run-supervisor.ts";
import { timelineActionId } from "./timeline-watch.ts";

/**
 * Agent actions through a real orchestrator on the real NATS: the echo of a stored request, the
 * deadlines of the action watch, the timeline's steps on a run's clock (also across a failover),
 * with fake agents that speak the agent's protocol: registration and telemetry on LL_AGENT,
 * requests heard on their agentControl subject, reports sent through the CommandBus.
 */
const log = createLogger("test", (process.env.TEST_LOG as "info") ?? "silent");
const timings = { ...DEFAULT_TIMINGS, planWaitMs: 2_000, readyDeadlineMs: 5_000, stopDeadlineMs: 5_000, unheldWaitMs: 10_000 };
const lease = { ttlMs: 1_500, renewMs: 300, pollMs: 100 };
const TENANT = "default";
let env: TestNats;
let bus: CommandBus;
let store: EventStore;

beforeAll(async () => {
  env = await testNats();
  bus = new CommandBus(env.nc, env.ns);
  store = new JetStreamEventStore(env.nc, env.ns);
});
afterAll(() => env.cleanup());

const start = (over: Partial<Parameters<typeof Orchestrator.start>[0]> = {}) =>
  Orchestrator.start({
    nc: env.nc,
    ns: env.ns,
    log,
    timings,
    lease,
    platform: OPEN_PLATFORM,
    actions: { takeUpMs: 1_000, outcomeGraceMs: 500, tickMs: 100 },
    agents: { timeline: { tickMs: 100 } },
    ...over,
  });

async function withOrchestrator<T>(fn: (o: Orchestrator) => Promise<T>): Promise<T> {
  const orchestrator = await start();
  try {
    await orchestrator.whenActive();
    return await fn(orchestrator);
  } finally {
    await orchestrator.stop();
  }
}

const agentEvents = async (agentId: string): Promise<EventEnvelope[]> =>
  (await store.read(TENANT, { type: "agent", id: agentId })).events.map((e) => e.event);
const ofType = async <T extends EventEnvelope["type"]>(agentId: string, type: T) =>
  (await agentEvents(agentId)).filter((e): e is Extract<EventEnvelope, { type: T }> => e.type === type);

const agentCommand = <T extends CommandType>(type: T, agentId: string, data: CommandInit<T>["data"], actor = "key:test"): CommandEnvelope =>
  createCommand({ type, tenantId: TENANT, aggregate: { type: "agent", id: agentId }, data, actor } as CommandInit<T>) as CommandEnvelope;

type FakeAgent = { heard: EventEnvelope[]; stop(): Promise<void> };

/**
 * An agent as packages/agent speaks: its registration then telemetry every 300 ms on LL_AGENT,
 * the requests echoed to it, and its reports (started, then completed) through the bus. `mute`:
 * it hears nothing (not listening); `hang`: it starts and never reports an outcome.
 */
async function fakeAgent(agentId: string, labels: Record<string, string>, mode: "ok" | "mute" | "hang" = "ok"): Promise<FakeAgent> {
  const js = jetstream(env.nc);
  const envelope = (type: "agent.registered" | "agent.telemetry", data: object) =>
    JSON.stringify({
      id: newId(),
      type,
      schemaVersion: 1,
      tenantId: TENANT,
      aggregate: { type: "agent", id: agentId },
      time: new Date().toISOString(),
      actor: `agent:${agentId}`,
      causationId: null,
      correlationId: agentId,
      data,
    });
  await js.publish(
    subjects.agent(env.ns, TENANT, agentId, "registered"),
    envelope("agent.registered", {
      ...eventExamples["agent.registered"],
      labels,
      actions: [{ name: "slow-down", params: {}, timeoutSec: 5 }],
    }),
  );
  const beat = () =>
    js
      .publish(
        subjects.agent(env.ns, TENANT, agentId, "telemetry"),
        envelope("agent.telemetry", { ...eventExamples["agent.telemetry"], labels }),
      )
      .catch(() => undefined);
  await beat();
  const timer = setInterval(beat, 300);
  const heard: EventEnvelope[] = [];
  const report = <T extends CommandType>(type: T, data: CommandInit<T>["data"]) =>
    bus.send(agentCommand(type, agentId, data, `agent:${agentId}`)).catch(() => undefined);
  const sub =
    mode === "mute"
      ? undefined
      : env.nc.subscribe(subjects.agentControl(env.ns, TENANT, agentId), {
          callback: (_, m) => {
            const e = m.json<EventEnvelope>();
            heard.push(e);
            if (e.type !== "agent.action-requested") return;
            void (async () => {
              await report("agent.report-action-started", { actionId: e.data.actionId });
              if (mode === "ok")
                await report("agent.report-action-completed", {
                  actionId: e.data.actionId,
                  exitCode: 0,
                  output: "done\n",
                  truncated: false,
                  durationMs: 5,
                });
            })();
          },
        });
  await env.nc.flush();
  return {
    heard,
    async stop() {
      clearInterval(timer);
      sub?.unsubscribe();
    },
  };
}

describe("AgentRoster", () => {
  it("lists the agents heard within the live window whose labels include the selector", () => {
    let now = 10_000;
    const roster = new AgentRoster(5_000, () => now);
    roster.heard("t", "a", 9_000, { labels: { role: "db", zone: "a" }, actions: [{ name: "x", timeoutSec: 3 }] });
    roster.heard("t", "b", 4_000, { labels: { role: "db" } });
    roster.heard("t", "a", 9_500, { labels: { role: "db", zone: "a" } }); // telemetry: the registration's actions stay
    expect(roster.matching("t", { role: "db" }).map((e) => e.agentId)).toEqual(["a"]);
    expect(roster.matching("t", { role: "db", zone: "b" })).toEqual([]);
    expect(roster.get("t", "a")?.actions?.get("x")).toEqual({ timeoutSec: 3 });
    now = 14_600;
    expect(roster.matching("t", { role: "db" })).toEqual([]);
    // An old message replayed after a newer one does not make it younger.
    roster.heard("t", "a", 1_000, {});
    expect(roster.get("t", "a")?.lastSeenMs).toBe(9_500);
  });
});

describe("AgentDirectory", () => {
  it("knows the live agents from LL_AGENT: those heard before it started, and after", async () => {
    const before = await fakeAgent("dir-1", { role: "dir", zone: "a" });
    const directory = new AgentDirectory(env.nc, env.ns, log);
    await directory.start();
    try {
      expect(directory.matching(TENANT, { role: "dir" }).map((e) => e.agentId)).toEqual(["dir-1"]);
      expect([...(directory.get(TENANT, "dir-1")?.actions?.keys() ?? [])]).toEqual(["slow-down"]);
      const after = await fakeAgent("dir-2", { role: "dir", zone: "b" });
      await eventually(() => directory.matching(TENANT, { role: "dir" }).length === 2, 5_000);
      expect(directory.matching(TENANT, { role: "dir", zone: "b" }).map((e) => e.agentId)).toEqual(["dir-2"]);
      await after.stop();
    } finally {
      await before.stop();
      await directory.stop();
    }
  });
});

describe("agent actions through the orchestrator", () => {
  it("echoes a stored request to its agent, and records what the agent reports", async () => {
    const agent = await fakeAgent("echo-1", { role: "echo" });
    try {
      await withOrchestrator(async () => {
        const command = agentCommand("agent.request-action", "echo-1", { action: "slow-down", params: { ms: 300 } });
        expect(await bus.send(command)).toMatchObject({ ok: true });
        await eventually(() => agent.heard.length === 1, 5_000);
        expect(agent.heard[0]).toMatchObject({
          type: "agent.action-requested",
          tenantId: TENANT,
          aggregate: { type: "agent", id: "echo-1" },
          data: { actionId: command.id, action: "slow-down", params: { ms: 300 }, requestedBy: "key:test" },
        });
        await eventually(async () => (await ofType("echo-1", "agent.action-completed")).length === 1, 5_000);
        expect((await agentEvents("echo-1")).map((e) => e.type)).toEqual([
          "agent.action-requested",
          "agent.action-started",
          "agent.action-completed",
        ]);
        // A retried report changes nothing; nothing is failed after the outcome.
        await bus.send(agentCommand("agent.report-action-failed", "echo-1", { actionId: command.id, reason: "late" }, "agent:echo-1"));
        await new Promise((r) => setTimeout(r, 2_000));
        expect(await ofType("echo-1", "agent.action-failed")).toEqual([]);
      });
    } finally {
      await agent.stop();
    }
  });

  it("fails an action no agent took up, and one started without an outcome, with the reason", async () => {
    const mute = await fakeAgent("mute-1", { role: "mute" }, "mute");
    const hang = await fakeAgent("hang-1", { role: "hang" }, "hang");
    try {
      await withOrchestrator(async () => {
        await bus.send(agentCommand("agent.request-action", "mute-1", { action: "slow-down", params: {} }));
        await bus.send(agentCommand("agent.request-action", "hang-1", { action: "slow-down", params: {}, timeoutSec: 1 }));
        const [notTaken] = await eventually(async () => {
          const failed = await ofType("mute-1", "agent.action-failed");
          return failed.length > 0 && failed;
        }, 5_000);
        expect(notTaken?.data.reason).toBe("the agent did not take it up within 1 s (not running, or not listening)");
        const [noOutcome] = await eventually(async () => {
          const failed = await ofType("hang-1", "agent.action-failed");
          return failed.length > 0 && failed;
        }, 6_000);
        expect(noOutcome?.data.reason).toBe("no outcome from the agent within 1.5 s: it may have been killed mid-action");
        expect((await agentEvents("hang-1")).map((e) => e.type)).toEqual([
          "agent.action-requested",
          "agent.action-started",
          "agent.action-failed",
        ]);
      });
    } finally {
      await mute.stop();
      await hang.stop();
    }
  });
});

/** A fake worker's heartbeat and registration, as orchestrator.test.ts's. */
async function fakeWorker(workerId: string, labels: Record<string, string>): Promise<{ stop(): void }> {
  const startedAt = new Date().toISOString();
  const registration = (): WorkerRegistration => ({
    workerId,
    version: "test",
    capacity: { threads: 1, maxVUs: 100, maxArrivalRate: 1000 },
    labels,
    startedAt,
    heartbeatAt: new Date().toISOString(),
    status: "active",
    assignments: [],
  });
  const kv = await openWorkerBucket(env.nc, env.ns);
  const heartbeat = new WorkerHeartbeat({ nc: env.nc, ns: env.ns, kv, workerId, registration, intervalMs: 300 });
  await heartbeat.start();
  return { stop: () => void heartbeat.stop({ leave: true }).catch(() => undefined) };
}

/** A run of a test with `timeline`, on one fake worker, made ready: its id and its agreed start. */
async function runWithTimeline(
  workerId: string,
  label: string,
  timeline: TimelineStep[],
  durationSec: number,
): Promise<{ id: string; startedAt: number }> {
  const loadTestId = newId();
  const spec = {
    name: "timeline",
    tags: [],
    targetUrl: "http://127.0.0.1:9",
    requests: [{ method: "GET" as const, path: "/" }],
    defaultUsers: 1,
    defaultSpawnRate: 1,
    defaultDurationSec: durationSec,
    timeline,
  };
  const created = await bus.send(
    createCommand({ type: "load-test.create", tenantId: TENANT, aggregate: { type: "load-test", id: loadTestId }, data: { spec } }),
  );
  expect(created).toMatchObject({ ok: true });
  const id = newId();
  const run = { type: "run" as const, id };
  expect(
    await bus.send(
      createCommand({
        type: "run.start",
        tenantId: TENANT,
        aggregate: run,
        data: { loadTestId, overrides: {}, placement: { workers: 1, selector: { test: label } } },
      }),
    ),
  ).toMatchObject({ ok: true });
  await eventually(async () => (await store.read(TENANT, run)).events.some((e) => e.event.type === "run.worker-assigned"), 5_000);
  await bus.send(createCommand({ type: "run.report-worker-ready", tenantId: TENANT, aggregate: run, data: { workerId } }));
  const started = await eventually(async () => {
    const e = (await store.read(TENANT, run)).events.find((s) => s.event.type === "run.started")?.event;
    return e?.type === "run.started" ? e : undefined;
  }, 5_000);
  return { id, startedAt: Date.parse(started.data.startedAt) };
}

const requestedOf = async (agentId: string, runId: string) =>
  (await ofType(agentId, "agent.action-requested")).filter((e) => e.data.runId === runId);

describe("a run's timeline", () => {
  it("fires each step once at its second, only to live agents with the step's labels", async () => {
    const worker = await fakeWorker("tl-w1", { test: "timeline" });
    const agents = await Promise.all([
      fakeAgent("tl-db-1", { role: "tl-db" }),
      fakeAgent("tl-db-2", { role: "tl-db" }),
      fakeAgent("tl-web-1", { role: "tl-web" }),
    ]);
    try {
      await withOrchestrator(async () => {
        const { id, startedAt } = await runWithTimeline(
          "tl-w1",
          "timeline",
          [{ atSec: 1, agent: { role: "tl-db" }, action: "slow-down", params: { ms: 100 } }],
          4,
        );
        await eventually(async () => (await requestedOf("tl-db-1", id)).length > 0 && (await requestedOf("tl-db-2", id)).length > 0, 5_000);
        for (const agentId of ["tl-db-1", "tl-db-2"]) {
          const [req] = await requestedOf(agentId, id);
          expect(req?.data).toMatchObject({
            actionId: timelineActionId(id, 0, agentId),
            action: "slow-down",
            params: { ms: 100 },
            runId: id,
            timeoutSec: 5,
          });
          const lateMs = Date.parse(req!.time) - (startedAt + 1_000);
          expect(lateMs).toBeGreaterThanOrEqual(0);
          expect(lateMs).toBeLessThan(1_000);
        }
        await eventually(async () => (await ofType("tl-db-2", "agent.action-completed")).length === 1, 5_000);
        await new Promise((r) => setTimeout(r, 1_000));
        expect(await requestedOf("tl-db-1", id)).toHaveLength(1);
        expect(await requestedOf("tl-web-1", id)).toEqual([]);
        expect(agents[2]?.heard).toEqual([]);
      });
    } finally {
      worker.stop();
      for (const a of agents) await a.stop();
    }
  }, 30_000);

  it("a new orchestrator taking over fires the steps still due, and not again those already fired", async () => {
    const worker = await fakeWorker("tl-w2", { test: "failover" });
    const agent = await fakeAgent("tl-fo-1", { role: "tl-fo" });
    const first = await start({ id: "orchestrator-first" });
    await first.whenActive();
    const second = await start({ id: "orchestrator-second" });
    try {
      const steps: TimelineStep[] = [
        { atSec: 0.5, agent: { role: "tl-fo" }, action: "slow-down", params: { step: 0 } },
        { atSec: 4, agent: { role: "tl-fo" }, action: "slow-down", params: { step: 1 } },
      ];
      const { id } = await runWithTimeline("tl-w2", "failover", steps, 8);
      await eventually(async () => (await requestedOf("tl-fo-1", id)).length === 1, 5_000);
      await first.stop(); // hands the lease on: the second rebuilds from the stream
      await second.whenActive();
      await eventually(async () => (await requestedOf("tl-fo-1", id)).length === 2, 8_000);
      await new Promise((r) => setTimeout(r, 1_500));
      const requested = await requestedOf("tl-fo-1", id);
      expect(requested.map((e) => e.data.params)).toEqual([{ step: 0 }, { step: 1 }]);
      expect(requested.map((e) => e.data.actionId)).toEqual([timelineActionId(id, 0, "tl-fo-1"), timelineActionId(id, 1, "tl-fo-1")]);
      expect(agent.heard).toHaveLength(2);
    } finally {
      await first.stop();
      await second.stop();
      worker.stop();
      await agent.stop();
    }
  }, 40_000);
});
