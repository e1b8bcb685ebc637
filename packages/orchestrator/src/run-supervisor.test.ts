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
  type PlatformDefaults,
  runDecider,
  type WorkerRegistration,
} from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandHandler } from "./command-handler.ts";
import { DEFAULT_TIMINGS, RunSupervisor, type SupervisorTimings } from "./run-supervisor.ts";

const log = createLogger("test", "silent");
const TENANT = "default";
const timings: SupervisorTimings = {
  ...DEFAULT_TIMINGS,
  planWaitMs: 1_000,
  readyDeadlineMs: 5_000,
  stopDeadlineMs: 2_000,
  unheldWaitMs: 10_000,
};
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

function harness(fleet: WorkerRegistration[], store = new InMemoryEventStore(), platform: PlatformDefaults = OPEN_PLATFORM) {
  const live = [...fleet];
  let supervisor: RunSupervisor | undefined;
  const handler = new CommandHandler(store, log, platform, (events) => supervisor?.onEvents(events));
  supervisor = new RunSupervisor(handler, { live: () => live, expect: () => undefined }, log, timings);
  const sup = supervisor;
  const send = async <T extends CommandType>(type: T, id: string, data: CommandInit<T>["data"], tenantId = TENANT) => {
    const command = createCommand({ type, tenantId, aggregate: { type: "run", id }, data } as CommandInit<T>);
    const outcome = await handler.handle(command as CommandEnvelope);
    await settle();
    return outcome;
  };
  const events = async (id: string, tenantId = TENANT): Promise<EventEnvelope[]> =>
    (await store.read(tenantId, { type: "run", id })).events.map((e) => e.event);
  return {
    store,
    handler,
    supervisor: sup,
    send,
    events,
    types: async (id: string, tenantId = TENANT): Promise<EventType[]> => (await events(id, tenantId)).map((e) => e.type),
    ofType: async <T extends EventType>(id: string, type: T) =>
      (await events(id)).filter((e): e is Extract<EventEnvelope, { type: T }> => e.type === type),
    /** A run of `users` VUs on `workers` workers of pool p, planned: its id. */
    async create(over: Partial<CommandInit<"run.create">["data"]> = {}, tenantId = TENANT) {
      const id = newId();
      await send(
        "run.create",
        id,
        {
          loadTestId: "lt",
          targetUsers: 6,
          spawnRate: 6,
          durationSec: 600,
          target,
          placement: { workers: 2, selector: { pool: "p" } },
          ...over,
        },
        tenantId,
      );
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

  it("ends a run whose workers all confirm within the deadline, even at its last moment (stopped by a user: Cancelled)", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await elapse(5_000);
    await h.send("run.stop", id, { reason: "requested" });
    await elapse(500);
    await h.stopped(id, "a");
    await elapse(deadline - 501);
    await h.stopped(id, "b");
    expect((await h.types(id)).slice(-3)).toEqual(["run.worker-stopped", "run.analyzing", "run.cancelled"]);
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
      // vcpus: the worker's registered threads, what the run's cost counts.
      { workerId: "c", lanes: [1], vus: 3, arrivalRate: 0, vcpus: 1, laneCount: 2, reason: "reassigned", replaces: "b" },
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
    expect((await h.types(other)).at(-1)).toBe("run.cancelled");
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

describe("RunSupervisor: the queue", () => {
  it("queues a run the busy fleet cannot hold, and starts it when the run holding the room ends", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const first = await fullRun(h);
    const second = await h.create();
    expect(await h.types(second)).toEqual(["run.created", "run.queued"]);
    const [queued] = await h.ofType(second, "run.queued");
    expect(queued!.data.reason).toMatch(/^the fleet is busy/);
    await h.send("run.stop", first, { reason: "duration" });
    await h.stopped(first, "a");
    await h.stopped(first, "b");
    // The first run's load is over (Analyzing, Completed): its room goes to the queued one, planned in the same step.
    expect(await h.types(second)).toEqual(["run.created", "run.queued", "run.dequeued", "run.worker-assigned", "run.worker-assigned"]);
    h.supervisor.stop();
  });

  /** A tenant that may run one run at a time, whose queued runs wait at most 60 s. */
  const oneAtATime: PlatformDefaults = {
    ...OPEN_PLATFORM,
    quotas: { ...OPEN_PLATFORM.quotas, maxConcurrentRuns: 1, maxQueuedRuns: 2, maxQueueWaitSec: 60 },
  };
  const spec = {
    name: "t",
    tags: [],
    targetUrl: "http://127.0.0.1:9",
    requests: [{ method: "GET" as const, path: "/" }],
    defaultUsers: 3,
    defaultSpawnRate: 3,
    defaultDurationSec: 600,
  };

  async function startRuns(h: Harness, count: number) {
    const testId = newId();
    await h.handler.handle(
      createCommand({ type: "load-test.create", tenantId: TENANT, aggregate: { type: "load-test", id: testId }, data: { spec } }),
    );
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = newId();
      const outcome = await h.handler.handle(
        createCommand({ type: "run.start", tenantId: TENANT, aggregate: { type: "run", id }, data: { loadTestId: testId, overrides: {} } }),
      );
      await settle();
      ids.push(id);
      if (!outcome.ok) return { ids, refused: outcome.error };
      await elapse(1); // queued one after the other
    }
    return { ids, refused: undefined };
  }

  it("queues runs beyond the tenant's concurrent runs first in, first out; refuses past the queue's length", async () => {
    const h = harness([worker("a", 30)], new InMemoryEventStore(), oneAtATime);
    const { ids, refused } = await startRuns(h, 4);
    const [running, second, third, fourth] = ids as [string, string, string, string];
    expect((await h.types(running)).slice(0, 2)).toEqual(["run.created", "run.worker-assigned"]);
    expect(await h.types(second)).toEqual(["run.created", "run.queued"]);
    expect(await h.types(third)).toEqual(["run.created", "run.queued"]);
    expect(await h.types(fourth)).toEqual([]);
    expect(refused).toMatchObject({ code: "forbidden", field: "runs", message: expect.stringContaining("maxQueuedRuns") });
    await h.ready(running, "a");
    await h.send("run.stop", running, { reason: "duration" });
    await h.stopped(running, "a");
    // The earlier of the two goes first; the other waits for it in turn.
    expect((await h.types(second)).slice(2, 4)).toEqual(["run.dequeued", "run.worker-assigned"]);
    expect(await h.types(third)).toEqual(["run.created", "run.queued"]);
    h.supervisor.stop();
  });

  it("fails a run still queued when its wait is over, saying why", async () => {
    const h = harness([worker("a", 30)], new InMemoryEventStore(), oneAtATime);
    const { ids } = await startRuns(h, 2);
    await h.ready(ids[0]!, "a");
    await elapse(60_000);
    const [failed] = await h.ofType(ids[1]!, "run.failed");
    expect(failed!.data.reason).toMatch(/waited 60 s in the queue and no room freed \(maxQueueWaitSec\)/);
    h.supervisor.stop();
  });

  it("gives freed room to the tenant with the fewest runs live, before another's earlier run", async () => {
    const h = harness([worker("a", 6)]);
    const small = { targetUsers: 3, placement: { workers: 1 } };
    const [x0, x1] = [await h.create(small, "x"), await h.create(small, "x")];
    await h.send("run.report-worker-ready", x0, { workerId: "a" }, "x");
    const x2 = await h.create(small, "x");
    await elapse(1);
    const y1 = await h.create(small, "y");
    expect(await h.types(x2, "x")).toEqual(["run.created", "run.queued"]);
    expect(await h.types(y1, "y")).toEqual(["run.created", "run.queued"]);
    expect(await h.types(x1, "x")).toContain("run.worker-assigned");
    await h.send("run.stop", x0, { reason: "duration" }, "x");
    await h.send("run.report-worker-stopped", x0, { workerId: "a", requests: 1, failures: 0 }, "x");
    // x still has x1 live; y has none: y's run goes first though x2 came earlier.
    expect((await h.types(y1, "y")).slice(2, 4)).toEqual(["run.dequeued", "run.worker-assigned"]);
    expect(await h.types(x2, "x")).toEqual(["run.created", "run.queued"]);
    h.supervisor.stop();
  });

  it("cancels a queued run stopped by a user at once: nothing ran", async () => {
    const h = harness([worker("a", 30)], new InMemoryEventStore(), oneAtATime);
    const { ids } = await startRuns(h, 2);
    await h.send("run.stop", ids[1]!, { reason: "requested" });
    expect((await h.ofType(ids[1]!, "run.cancelled"))[0]!.data).toMatchObject({ ranSec: 0, reason: "stopped while queued" });
    h.supervisor.stop();
  });

  it("ends a run without thresholds at once when its load is over: Analyzing, then Completed", async () => {
    const h = harness([worker("a", 3), worker("b", 3)]);
    const id = await fullRun(h);
    await h.send("run.stop", id, { reason: "duration" });
    await h.stopped(id, "a");
    await h.stopped(id, "b");
    expect((await h.types(id)).slice(-3)).toEqual(["run.worker-stopped", "run.analyzing", "run.completed"]);
    h.supervisor.stop();
  });
});
