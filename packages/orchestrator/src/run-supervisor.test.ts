import {
  type CommandEnvelope,
  type CommandInit,
  type CommandType,
  createCommand,
  DEFAULT_GRACEFUL_STOP_SEC,
  type EventEnvelope,
  type EventType,
  InMemoryEventStore,
  loadAggregate,
  newId,
  runDecider,
  type WorkerRegistration,
} from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandHandler } from "./command-handler.ts";
import { RunSupervisor, type SupervisorTimings } from "./run-supervisor.ts";

const log = createLogger("test", "silent");
const TENANT = "default";
const timings: SupervisorTimings = { planWaitMs: 1_000, readyDeadlineMs: 5_000, stopDeadlineMs: 2_000, unheldWaitMs: 10_000 };
const target = { targetUrl: "http://127.0.0.1:9", requests: [{ method: "GET" as const, path: "/" }] };

/**
 * The supervisor over the real command handler and deciders, an event store in memory and a
 * fleet the test sets, on a fake clock: deadlines are checked to the millisecond.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Everything here is in memory: one turn of the (real) event loop finishes every chain of promises in flight. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const elapse = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
};

const worker = (workerId: string, maxVUs: number, labels: Record<string, string> = { pool: "p" }): WorkerRegistration => ({
  workerId,
  version: "test",
  capacity: { threads: 1, maxVUs, maxArrivalRate: 1000 },
  labels,
  startedAt: new Date().toISOString(),
  heartbeatAt: new Date().toISOString(),
  status: "active",
  assignments: [],
});

function harness(fleet: WorkerRegistration[], store = new InMemoryEventStore()) {
  const live = [...fleet];
  let supervisor: RunSupervisor | undefined;
  const handler = new CommandHandler(store, log, OPEN_PLATFORM, (events) => supervisor?.onEvents(events));
  supervisor = new RunSupervisor(handler, { live: () => live, expect: () => undefined }, log, timings);
  const sup = supervisor;
  const send = async <T extends CommandType>(type: T, id: string, data: CommandInit<T>["data"]) => {
    const command = createCommand({ type, tenantId: TENANT, aggregate: { type: "run", id }, data } as CommandInit<T>);
    const outcome = await handler.handle(command as CommandEnvelope);
    await settle();
    return outcome;
  };
  const events = async (id: string): Promise<EventEnvelope[]> => (await store.read(TENANT, { type: "run", id })).events.map((e) => e.event);
  return {
    store,
    handler,
    supervisor: sup,
    send,
    events,
    types: async (id: string): Promise<EventType[]> => (await events(id)).map((e) => e.type),
    ofType: async <T extends EventType>(id: string, type: T) =>
      (await events(id)).filter((e): e is Extract<EventEnvelope, { type: T }> => e.type === type),
    /** A run of `users` VUs on `workers` workers of pool p, planned: its id. */
    async create(over: Partial<CommandInit<"run.create">["data"]> = {}) {
      const id = newId();
      await send("run.create", id, {
        loadTestId: "lt",
        targetUsers: 6,
        spawnRate: 6,
        durationSec: 600,
        target,
        placement: { workers: 2, selector: { pool: "p" } },
        ...over,
      });
      return id;
    },
    async ready(id: string, ...workerIds: string[]) {
      for (const workerId of workerIds) await send("run.report-worker-ready", id, { workerId });
    },
    async stopped(id: string, workerId: string) {
      await send("run.report-worker-stopped", id, { workerId, requests: 1, failures: 0 });
    },
    async lose(workerId: string) {
      live.splice(
        live.findIndex((w) => w.workerId === workerId),
        1,
      );
      sup.onWorkerLost({ workerId, lastSeenAt: new Date().toISOString(), why: "lapsed" });
      await settle();
    },
    async join(w: WorkerRegistration) {
      live.push(w);
      sup.onWorkerJoined();
      await settle();
    },
  };
}
type Harness = ReturnType<typeof harness>;

/** a and b, 3 VUs each, full with a 6-VU run of two lanes: it is Running. */
async function fullRun(h: Harness, over: Parameters<Harness["create"]>[0] = {}): Promise<string> {
  const id = await h.create(over);
  expect((await h.ofType(id, "run.worker-assigned")).map((e) => [e.data.workerId, e.data.lanes])).toEqual([
    ["a", [0]],
    ["b", [1]],
  ]);
  await h.ready(id, "a", "b");
  expect((await h.types(id)).at(-1)).toBe("run.started");
  return id;
}

describe("RunSupervisor: the stop deadline", () => {
  /** The workers may rightly take the run's graceful stop (the default here) before they confirm. */
  const deadline = DEFAULT_GRACEFUL_STOP_SEC * 1000 + timings.stopDeadlineMs;

  it("fails a run whose workers never confirm the stop, its graceful stop and the stop deadline after the stop (not after its start)", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await elapse(deadline); // running longer than the stop deadline: a deadline counted from the start would fire at once
    await h.send("run.stop", id, { reason: "requested" });
    const [stopping] = await h.ofType(id, "run.stopping");
    await elapse(deadline - 1);
    expect(await h.types(id)).not.toContain("run.failed");
    await elapse(1);
    const [failed] = await h.ofType(id, "run.failed");
    expect(failed?.data.reason).toBe("workers did not confirm the stop in time");
    expect(Date.parse(failed!.time) - Date.parse(stopping!.time)).toBe(deadline);
    h.supervisor.stop();
  });

  it("waits the longest graceful stop of the run's workloads before the stop deadline counts", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const workload = { type: "constant-vus" as const, vus: 6, durationSec: 600, gracefulStop: "1m" };
    const id = await fullRun(h, { target: { ...target, workload } });
    await h.send("run.stop", id, { reason: "requested" });
    const [stopping] = await h.ofType(id, "run.stopping");
    await elapse(60_000 + timings.stopDeadlineMs - 1);
    expect(await h.types(id)).not.toContain("run.failed");
    await elapse(1);
    const [failed] = await h.ofType(id, "run.failed");
    expect(Date.parse(failed!.time) - Date.parse(stopping!.time)).toBe(60_000 + timings.stopDeadlineMs);
    h.supervisor.stop();
  });

  it("completes a run whose workers all confirm within the deadline, even at its last moment", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await elapse(5_000);
    await h.send("run.stop", id, { reason: "requested" });
    await elapse(500);
    await h.stopped(id, "a");
    await elapse(deadline - 501);
    await h.stopped(id, "b");
    expect((await h.types(id)).slice(-3)).toEqual(["run.worker-stopped", "run.worker-stopped", "run.completed"]);
    h.supervisor.stop();
  });
});

describe("RunSupervisor: the ready deadline", () => {
  it("fails a run whose workers are not all ready by the deadline, naming the late ones", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await h.create();
    await h.ready(id, "a");
    await elapse(timings.readyDeadlineMs - 1);
    expect(await h.types(id)).not.toContain("run.failed");
    await elapse(1);
    expect((await h.ofType(id, "run.failed"))[0]?.data.reason).toBe("workers b were not ready within 5 s");
    h.supervisor.stop();
  });

  it("fails a run still short of lanes at the deadline, however ready its workers are", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await h.create();
    await h.ready(id, "a");
    await h.lose("b"); // a has no room for b's lane
    expect((await h.types(id)).at(-1)).toBe("run.worker-lost");
    await elapse(timings.readyDeadlineMs);
    expect((await h.ofType(id, "run.failed"))[0]?.data.reason).toBe("no live worker took lane 1 of lost worker b within 5 s");
    h.supervisor.stop();
  });
});

describe("RunSupervisor: lanes nobody holds", () => {
  it("goes on without a lost worker's lanes when nobody has room, and hands them to a worker that joins", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await h.lose("b");
    expect((await h.types(id)).slice(-1)).toEqual(["run.worker-lost"]); // not failed: it waits for a taker
    await elapse(3_000);
    await h.join(worker("c", 100));
    const handed = (await h.ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");
    expect(handed.map((e) => e.data)).toEqual([
      { workerId: "c", lanes: [1], vus: 3, arrivalRate: 0, laneCount: 2, reason: "reassigned", replaces: "b" },
    ]);
    await elapse(timings.unheldWaitMs);
    expect((await h.types(id)).at(-1)).toBe("run.worker-assigned"); // held again: no deadline left to fail it
    h.supervisor.stop();
  });

  it("gives a joiner nothing off the run's selector or beyond its room, and fails the run when nobody takes the lanes in time", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await h.lose("b");
    await elapse(1_000);
    await h.join(worker("elsewhere", 100, { pool: "q" }));
    await h.join(worker("small", 2));
    expect((await h.types(id)).at(-1)).toBe("run.worker-lost");
    await elapse(timings.unheldWaitMs - 1_001);
    expect(await h.types(id)).not.toContain("run.failed");
    await elapse(1);
    expect((await h.ofType(id, "run.failed"))[0]?.data.reason).toBe("no live worker took lane 1 of lost worker b within 10 s");
    h.supervisor.stop();
  });

  it("gives a joiner nothing when every lane is held: the run goes on undisturbed", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    const before = await h.events(id);
    await h.join(worker("c", 100));
    expect(await h.events(id)).toEqual(before);
    h.supervisor.stop();
  });

  it("hands them to a worker whose other run ended", async () => {
    const h = harness([worker("a", 3), worker("b", 3), worker("f", 3, { pool: "p", only: "s" })]);
    const id = await fullRun(h);
    const other = await h.create({ targetUsers: 3, placement: { selector: { only: "s" } } });
    await h.ready(other, "f");
    await h.lose("b");
    expect((await h.types(id)).at(-1)).toBe("run.worker-lost");
    await h.send("run.stop", other, { reason: "requested" });
    await h.stopped(other, "f");
    expect((await h.types(other)).at(-1)).toBe("run.completed");
    const handed = (await h.ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");
    expect(handed.map((e) => [e.data.workerId, e.data.lanes, e.data.replaces])).toEqual([["f", [1], "b"]]);
    h.supervisor.stop();
  });

  it("after a takeover, hands them to a worker already there", async () => {
    const first = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(first);
    await first.lose("b");
    first.supervisor.stop();
    await elapse(4_000);
    // A new orchestrator, its state rebuilt from the store; c joined while nobody was watching.
    const second = harness([worker("a", 3), worker("c", 3)], first.store);
    second.handler.primeRun(TENANT, id, await loadAggregate(first.store, runDecider, TENANT, { type: "run", id }));
    second.supervisor.recover([{ tenantId: TENANT, id }]);
    await settle();
    const handed = (await second.ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");
    expect(handed.map((e) => [e.data.workerId, e.data.lanes])).toEqual([["c", [1]]]);
    second.supervisor.stop();
  });

  it("after a takeover, counts the wait from the loss, not from the takeover", async () => {
    const third = harness([worker("a", 3), worker("b", 3)]);
    const short = await fullRun(third);
    await third.lose("b");
    third.supervisor.stop();
    await elapse(4_000);
    const fourth = harness([worker("a", 3)], third.store);
    fourth.handler.primeRun(TENANT, short, await loadAggregate(third.store, runDecider, TENANT, { type: "run", id: short }));
    fourth.supervisor.recover([{ tenantId: TENANT, id: short }]);
    await elapse(timings.unheldWaitMs - 4_001);
    expect(await fourth.types(short)).not.toContain("run.failed");
    await elapse(1);
    expect(await fourth.types(short)).toContain("run.failed");
    fourth.supervisor.stop();
  });
});
