import { jetstream } from "@nats-io/jetstream";
import {
  CommandBus,
  EventStore,
  createCommand,
  createLogger,
  newId,
  openWorkerBucket,
  type CommandInit,
  type CommandType,
  type EventType,
  type WorkerRegistration,
} from "@loadline/core";
import { eventually, testNats, type TestNats } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Orchestrator } from "./orchestrator.ts";

const log = createLogger("test", "silent");
const timings = { planWaitMs: 300, startDeadlineMs: 5_000, stopDeadlineMs: 5_000 };
let env: TestNats;
let bus: CommandBus;
let store: EventStore;

beforeAll(async () => {
  env = await testNats();
  bus = new CommandBus(env.nc, env.ns);
  store = new EventStore(jetstream(env.nc), env.ns);
});
afterAll(() => env.cleanup());

const target = { targetUrl: "http://127.0.0.1:9", requests: [{ method: "GET" as const, path: "/" }] };
const runCommand = <T extends CommandType>(type: T, id: string, data: CommandInit<T>["data"]) =>
  createCommand({ type, tenantId: "default", aggregate: { type: "run", id }, data } as CommandInit<T>);
const typesOf = async (id: string): Promise<EventType[]> => (await store.read("default", { type: "run", id })).events.map((e) => e.event.type);

/** A registration as a live worker would write it: the orchestrator only reads the bucket. */
async function registerWorker(workerId: string): Promise<void> {
  const kv = await openWorkerBucket(env.nc, env.ns);
  const now = new Date().toISOString();
  const reg: WorkerRegistration = { workerId, version: "test", capacity: { maxUsers: 100 }, labels: {}, startedAt: now, heartbeatAt: now, runs: [] };
  await kv.put(workerId, JSON.stringify(reg));
}

describe("Orchestrator", () => {
  it("fails a run with the reason when no worker is live", async () => {
    const orchestrator = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings });
    try {
      const id = newId();
      const outcome = await bus.send(runCommand("run.create", id, { loadTestId: "lt", targetUsers: 1, spawnRate: 1, durationSec: 1, target }));
      expect(outcome.ok).toBe(true);
      await eventually(async () => (await typesOf(id)).includes("run.failed"), 5_000);
      const { events } = await store.read("default", { type: "run", id });
      expect(events.at(-1)?.event.data).toMatchObject({ reason: "no live worker to run the load" });
    } finally {
      await orchestrator.stop();
    }
  });

  it("runs the lifecycle: assign, start, stop at the duration, complete; and answers refusals", async () => {
    await registerWorker("w1");
    const orchestrator = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings });
    try {
      const id = newId();
      await bus.send(runCommand("run.create", id, { loadTestId: "lt", targetUsers: 3, spawnRate: 3, durationSec: 1, target }));
      await eventually(async () => (await typesOf(id)).includes("run.assigned"), 5_000);
      await bus.send(runCommand("run.report-worker-started", id, { workerId: "w1" }));
      const startedAt = Date.now();
      await eventually(async () => (await typesOf(id)).includes("run.stopping"), 5_000, 20);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
      await bus.send(runCommand("run.report-worker-stopped", id, { workerId: "w1", requests: 10, failures: 0 }));
      expect(await typesOf(id)).toEqual(["run.created", "run.assigned", "run.worker-started", "run.started", "run.stopping", "run.worker-stopped", "run.completed"]);

      const refused = await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      expect(refused).toMatchObject({ ok: false, error: { code: "conflict" } });
      const missing = await bus.send(runCommand("run.stop", newId(), { reason: "requested" }));
      expect(missing).toMatchObject({ ok: false, error: { code: "not_found" } });
    } finally {
      await orchestrator.stop();
    }
  });

  it("after a restart still stops a running run at its duration", async () => {
    await registerWorker("w2");
    const first = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings });
    const id = newId();
    await bus.send(runCommand("run.create", id, { loadTestId: "lt", targetUsers: 1, spawnRate: 1, durationSec: 2, target }));
    await eventually(async () => (await typesOf(id)).includes("run.assigned"), 5_000);
    const assigned = (await store.read("default", { type: "run", id })).events[1]!.event;
    const workerId = assigned.type === "run.assigned" ? assigned.data.assignments[0]!.workerId : "";
    await bus.send(runCommand("run.report-worker-started", id, { workerId }));
    await first.stop();

    const second = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings });
    try {
      const { events } = await store.read("default", { type: "run", id });
      const started = events.find((e) => e.event.type === "run.started")!.event;
      const dueAt = Date.parse(started.type === "run.started" ? started.data.startedAt : "");
      await eventually(async () => (await typesOf(id)).includes("run.stopping"), 6_000, 20);
      const stopping = (await store.read("default", { type: "run", id })).events.find((e) => e.event.type === "run.stopping")!;
      expect(Date.parse(stopping.event.time) - dueAt).toBeGreaterThanOrEqual(1_900);
      expect(Date.parse(stopping.event.time) - dueAt).toBeLessThan(3_000);
    } finally {
      await second.stop();
    }
  });
});
