import {
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type EventStore,
  type EventType,
  FLEET_TENANT,
  newId,
  type RunTarget,
  START_LEAD_MS,
  sleep,
  type WorkerRegistration,
} from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { CommandBus, connectNats, JetStreamEventStore, openWorkerBucket } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Orchestrator } from "./orchestrator.ts";

const log = createLogger("test", (process.env.TEST_LOG as "info") ?? "silent");
const timings = { planWaitMs: 2_000, readyDeadlineMs: 5_000, stopDeadlineMs: 5_000 };
const lease = { ttlMs: 1_500, renewMs: 300, pollMs: 100 };
let env: TestNats;
let bus: CommandBus;
let store: EventStore;

beforeAll(async () => {
  env = await testNats();
  bus = new CommandBus(env.nc, env.ns);
  store = new JetStreamEventStore(env.nc, env.ns);
});
afterAll(() => env.cleanup());

const target: RunTarget = { targetUrl: "http://127.0.0.1:9", requests: [{ method: "GET", path: "/" }] };
const runCommand = <T extends CommandType>(type: T, id: string, data: CommandInit<T>["data"]) =>
  createCommand({ type, tenantId: "default", aggregate: { type: "run", id }, data } as CommandInit<T>);
const eventsOf = async (id: string, tenantId = "default", type: "run" | "worker" = "run"): Promise<EventEnvelope[]> =>
  (await store.read(tenantId, { type, id })).events.map((e) => e.event);
const typesOf = async (id: string): Promise<EventType[]> => (await eventsOf(id)).map((e) => e.type);
const ofType = async <T extends EventType>(id: string, type: T) =>
  (await eventsOf(id)).filter((e): e is Extract<EventEnvelope, { type: T }> => e.type === type);
const createRun = (id: string, over: Partial<CommandInit<"run.create">["data"]> = {}) =>
  bus.send(runCommand("run.create", id, { loadTestId: "lt", targetUsers: 6, spawnRate: 6, durationSec: 1, target, ...over }));
const ready = (id: string, workerId: string) => bus.send(runCommand("run.report-worker-ready", id, { workerId }));

/**
 * A worker's heartbeat as the real one writes it (the orchestrator only reads the bucket):
 * `stop` leaves the fleet as a worker shutting down does, `lapse` just falls silent.
 */
async function fakeWorker(
  workerId: string,
  over: { maxVUs?: number; labels?: Record<string, string> } = {},
): Promise<{ stop(): void; lapse(): void }> {
  const kv = await openWorkerBucket(env.nc, env.ns);
  const startedAt = new Date().toISOString();
  const beat = () => {
    const reg: WorkerRegistration = {
      workerId,
      version: "test",
      capacity: { threads: 1, maxVUs: over.maxVUs ?? 100, maxArrivalRate: 1000 },
      labels: over.labels ?? {},
      startedAt,
      heartbeatAt: new Date().toISOString(),
      status: "active",
      assignments: [],
    };
    return kv.put(workerId, JSON.stringify(reg));
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), 300);
  return {
    lapse: () => clearInterval(timer),
    stop: () => {
      clearInterval(timer);
      void kv.delete(workerId).catch(() => undefined);
    },
  };
}

/** A 30 s run on two fake workers labelled `test`, assigned and both ready: its id. */
async function runOnTwo(test: string, a: string, b: string): Promise<string> {
  const id = newId();
  await createRun(id, { durationSec: 30, placement: { workers: 2, selector: { test } } });
  await eventually(async () => (await ofType(id, "run.worker-assigned")).length === 2, 5_000);
  await ready(id, a);
  await ready(id, b);
  return id;
}

async function withOrchestrator<T>(
  fn: (o: Orchestrator) => Promise<T>,
  over: Partial<Parameters<typeof Orchestrator.start>[0]> = {},
): Promise<T> {
  const orchestrator = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings, lease, ...over });
  try {
    await orchestrator.whenActive();
    return await fn(orchestrator);
  } finally {
    await orchestrator.stop();
  }
}

describe("Orchestrator", () => {
  it("fails a run with the reason when no worker is live", () =>
    withOrchestrator(async () => {
      const id = newId();
      expect((await createRun(id)).ok).toBe(true);
      await eventually(async () => (await typesOf(id)).includes("run.failed"), 5_000);
      expect((await eventsOf(id)).at(-1)?.data).toMatchObject({ reason: "no live worker to run the load" });
    }));

  it("runs the lifecycle: one assignment per worker, a ready barrier, stop at the duration, complete", async () => {
    const fleet = await Promise.all(["lc1", "lc2"].map((w) => fakeWorker(w, { labels: { test: "lifecycle" } })));
    try {
      await withOrchestrator(async () => {
        const id = newId();
        await createRun(id, { placement: { workers: 2, selector: { test: "lifecycle" } } });
        await eventually(async () => (await ofType(id, "run.worker-assigned")).length === 2, 5_000);
        const shares = (await ofType(id, "run.worker-assigned")).map((e) => e.data);
        expect(shares.map((s) => s.workerId).sort()).toEqual(["lc1", "lc2"]);
        expect(shares.flatMap((s) => s.lanes).sort()).toEqual([0, 1]);
        expect(shares.reduce((n, s) => n + s.vus, 0)).toBe(6);

        await ready(id, "lc1");
        expect(await typesOf(id)).not.toContain("run.started");
        const lastReady = Date.now();
        await ready(id, "lc2");
        const [started] = await ofType(id, "run.started");
        // The agreed instant is a moment ahead of the last ready report, for every worker to hear of it.
        expect(Date.parse(started!.data.startedAt) - Date.parse(started!.time)).toBeGreaterThan(0);
        expect(Date.parse(started!.data.startedAt) - Date.parse(started!.time)).toBeLessThanOrEqual(START_LEAD_MS);
        expect(Date.parse(started!.data.startedAt)).toBeGreaterThanOrEqual(lastReady);

        await eventually(async () => (await typesOf(id)).includes("run.stopping"), 5_000, 20);
        const [stopping] = await ofType(id, "run.stopping");
        expect(Date.parse(stopping!.time) - Date.parse(started!.data.startedAt)).toBeGreaterThanOrEqual(990);
        for (const w of ["lc1", "lc2"])
          await bus.send(runCommand("run.report-worker-stopped", id, { workerId: w, requests: 10, failures: 0 }));
        expect((await typesOf(id)).at(-1)).toBe("run.completed");

        expect(await bus.send(runCommand("run.stop", id, { reason: "requested" }))).toMatchObject({
          ok: false,
          error: { code: "conflict" },
        });
        expect(await bus.send(runCommand("run.stop", newId(), { reason: "requested" }))).toMatchObject({
          ok: false,
          error: { code: "not_found" },
        });
      });
    } finally {
      for (const w of fleet) w.stop();
    }
  });

  it("places a run by label, and fails one that cannot be placed with the reason", async () => {
    const fleet = await Promise.all([
      fakeWorker("eu-a", { labels: { region: "eu" } }),
      fakeWorker("us-a", { labels: { region: "us" }, maxVUs: 10 }),
    ]);
    try {
      await withOrchestrator(async () => {
        const placed = newId();
        await createRun(placed, { placement: { selector: { region: "eu" } } });
        await eventually(async () => (await ofType(placed, "run.worker-assigned")).length === 1, 5_000);
        expect((await ofType(placed, "run.worker-assigned"))[0]!.data.workerId).toBe("eu-a");

        const short = newId();
        await createRun(short, { targetUsers: 50, placement: { selector: { region: "us" } } });
        await eventually(async () => (await typesOf(short)).includes("run.failed"), 5_000);
        expect((await ofType(short, "run.failed"))[0]!.data.reason).toBe(
          "capacity is short: the run needs 50 VUs, 1 live workers matching region=us have 10 VUs free",
        );
      });
    } finally {
      for (const w of fleet) w.stop();
    }
  });

  it("fails a run whose workers are not ready by the deadline, naming them", async () => {
    const w = await fakeWorker("slow", { labels: { test: "slow" } });
    try {
      await withOrchestrator(
        async () => {
          const id = newId();
          await createRun(id, { placement: { selector: { test: "slow" } } });
          await eventually(async () => (await typesOf(id)).includes("run.failed"), 5_000);
          expect((await ofType(id, "run.failed"))[0]!.data.reason).toBe("workers slow were not ready within 0.8 s");
        },
        { timings: { ...timings, readyDeadlineMs: 800 } },
      );
    } finally {
      w.stop();
    }
  });

  it("hands a lost worker's lanes to the others and records the loss", async () => {
    const steady = await fakeWorker("keeps", { labels: { test: "lost" } });
    const flaky = await fakeWorker("flaky", { labels: { test: "lost" } });
    try {
      await withOrchestrator(async () => {
        const id = await runOnTwo("lost", "keeps", "flaky");
        const flakyLanes = (await ofType(id, "run.worker-assigned")).find((e) => e.data.workerId === "flaky")!.data.lanes;
        flaky.lapse();
        const silentSince = Date.now();
        await eventually(async () => (await typesOf(id)).includes("run.worker-lost"), 6_000, 50);
        expect(Date.now() - silentSince).toBeLessThan(5_000);
        const [lost] = await ofType(id, "run.worker-lost");
        expect(lost!.data).toMatchObject({ workerId: "flaky", lanes: flakyLanes });
        const reassigned = (await ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");
        expect(reassigned.map((e) => [e.data.workerId, e.data.lanes, e.data.replaces])).toEqual([["keeps", flakyLanes, "flaky"]]);
        const fleetRecord = await eventsOf("flaky", FLEET_TENANT, "worker");
        expect(fleetRecord.map((e) => [e.type, e.data])).toEqual([
          ["worker.lost", expect.objectContaining({ runs: [{ tenantId: "default", runId: id }] })],
        ]);
        // Its late word changes nothing: the run no longer counts it.
        await bus.send(runCommand("run.report-worker-stopped", id, { workerId: "flaky", requests: 1, failures: 0 }));
        expect(await typesOf(id)).not.toContain("run.worker-stopped");
        await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      });
    } finally {
      steady.stop();
      flaky.stop();
    }
  });

  it("takes the lanes of a worker that restarted under the same id at once: the new process knows nothing of them", async () => {
    const steady = await fakeWorker("stays", { labels: { test: "restart" } });
    let restarting = await fakeWorker("restarts", { labels: { test: "restart" } });
    try {
      await withOrchestrator(async () => {
        const id = await runOnTwo("restart", "stays", "restarts");
        restarting.lapse();
        await sleep(5); // a new startedAt
        restarting = await fakeWorker("restarts", { labels: { test: "restart" } });
        await eventually(async () => (await typesOf(id)).includes("run.worker-lost"), 2_500, 50);
        const reassigned = (await ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");
        expect(reassigned.map((e) => [e.data.workerId, e.data.replaces])).toEqual([["stays", "restarts"]]);
        await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      });
    } finally {
      steady.stop();
      restarting.stop();
    }
  });

  it("records each stage of a ramping workload as it begins", async () => {
    const w = await fakeWorker("ramp", { labels: { test: "ramp" } });
    try {
      await withOrchestrator(async () => {
        const id = newId();
        const ramp: RunTarget = {
          ...target,
          workload: {
            type: "ramping-vus",
            startVUs: 1,
            stages: [
              { durationSec: 1, target: 4 },
              { durationSec: 1, target: 2 },
            ],
          },
        };
        await createRun(id, { target: ramp, targetUsers: 4, durationSec: 2, placement: { selector: { test: "ramp" } } });
        await eventually(async () => (await typesOf(id)).includes("run.worker-assigned"), 5_000);
        await ready(id, "ramp");
        await eventually(async () => (await ofType(id, "run.stage-started")).length === 2, 5_000, 20);
        const [started] = await ofType(id, "run.started");
        const stages = await ofType(id, "run.stage-started");
        expect(stages.map((s) => [s.data.stage, s.data.target])).toEqual([
          [0, 4],
          [1, 2],
        ]);
        const offset = Date.parse(stages[1]!.data.at) - Date.parse(started!.data.startedAt);
        expect(offset).toBeGreaterThanOrEqual(990);
        expect(offset).toBeLessThan(1_500);
      });
    } finally {
      w.stop();
    }
  });

  it("after a restart still stops a running run at its duration", async () => {
    const w = await fakeWorker("restart", { labels: { test: "timers" } });
    try {
      const id = newId();
      await withOrchestrator(async () => {
        await createRun(id, { durationSec: 2, placement: { selector: { test: "timers" } } });
        await eventually(async () => (await typesOf(id)).includes("run.worker-assigned"), 5_000);
        await ready(id, "restart");
      });
      await withOrchestrator(async () => {
        const [started] = await ofType(id, "run.started");
        const dueAt = Date.parse(started!.data.startedAt) + 2_000;
        await eventually(async () => (await typesOf(id)).includes("run.stopping"), 6_000, 20);
        const [stopping] = await ofType(id, "run.stopping");
        expect(Date.parse(stopping!.time) - dueAt).toBeGreaterThanOrEqual(-10);
        expect(Date.parse(stopping!.time) - dueAt).toBeLessThan(1_000);
      });
    } finally {
      w.stop();
    }
  });

  it("keeps one active orchestrator: a standby takes over when the active one dies", async () => {
    const w = await fakeWorker("lease-w", { labels: { test: "lease" } });
    const crashing = await connectNats(env.url, "crashing-orchestrator");
    const first = await Orchestrator.start({ nc: crashing, ns: env.ns, log, timings, lease, id: "first" });
    await first.whenActive();
    const standby = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings, lease, id: "standby" });
    try {
      await sleep(lease.ttlMs + 500);
      expect([first.isActive(), standby.isActive()]).toEqual([true, false]);
      const id = newId();
      await createRun(id, { durationSec: 3, placement: { selector: { test: "lease" } } });
      await eventually(async () => (await typesOf(id)).includes("run.worker-assigned"), 5_000);
      await ready(id, "lease-w");
      // The active one dies: its connection goes, its lease is not renewed.
      await crashing.close();
      const diedAt = Date.now();
      await standby.whenActive();
      expect(Date.now() - diedAt).toBeLessThan(5_000);
      const [started] = await ofType(id, "run.started");
      await eventually(async () => (await typesOf(id)).includes("run.stopping"), 8_000, 20);
      const [stopping] = await ofType(id, "run.stopping");
      expect(Math.abs(Date.parse(stopping!.time) - (Date.parse(started!.data.startedAt) + 3_000))).toBeLessThan(2_000);
    } finally {
      w.stop();
      await standby.stop();
      await first.stop().catch(() => undefined);
    }
  });
});
