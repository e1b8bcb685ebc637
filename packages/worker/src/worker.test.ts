import { type CommandData, createCommand, DEFAULT_TENANT, eventsFromCommand, sleep, workerRegistrationSchema } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { openWorkerBucket, subjects } from "@loadline/nats";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOf, interruptedOf, onRun as onTenantRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { type CountingServer, countingServer } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

const log = createLogger("worker-test", "silent");
const TENANT = DEFAULT_TENANT;

let orch: TestOrchestrator;
let server: CountingServer;

beforeAll(async () => {
  orch = await testOrchestrator();
  server = await countingServer({ delayMs: 5 });
});

afterAll(async () => {
  await server?.close();
  await orch?.close();
});

const onRun = (runId: string) => onTenantRun(TENANT, runId);
const decide: TestOrchestrator["decide"] = (command) => orch.decide(command);
const commandOf: TestOrchestrator["commandOf"] = (type, runId, timeoutMs) => orch.commandOf(type, runId, timeoutMs);
const windowsOf = (runId: string) => orch.windowsOf(runId);

async function createAndAssign(runId: string, workerId: string, users: number, durationSec = 60) {
  const data: CommandData<"run.create"> = {
    loadTestId: "lt-1",
    targetUsers: users,
    spawnRate: 20,
    durationSec,
    target: {
      targetUrl: server.url,
      requests: [
        { method: "GET", path: "/a" },
        { name: "post-b", method: "POST", path: "/b", body: "hello" },
      ],
    },
  };
  await decide(createCommand({ ...onRun(runId), type: "run.create", data }));
  await decide(
    createCommand({
      ...onRun(runId),
      type: "run.assign",
      data: { laneCount: 1, assignments: [{ workerId, lanes: [0], vus: users, arrivalRate: 0 }] },
    }),
  );
}

/** Waits for the worker to say it is ready, and starts the run as the orchestrator would (the ready barrier). */
async function startWhenReady(runId: string): Promise<void> {
  await decide(await commandOf("run.report-worker-ready", runId));
}

describe("LoadWorker", () => {
  it("runs an assigned run, publishes a window each second, and reports exactly what the target received", async () => {
    const worker = new LoadWorker({
      nc: orch.env.nc,
      ns: orch.env.ns,
      log,
      workerId: "w-test-1",
      maxVUs: 50,
      threads: 2,
      labels: { zone: "local" },
    });
    await worker.start();
    expect(worker.ready()).toBe(true);
    const kv = await openWorkerBucket(orch.env.nc, orch.env.ns);
    const registration = workerRegistrationSchema.parse((await kv.get("w-test-1"))?.json());
    expect(registration).toMatchObject({
      workerId: "w-test-1",
      capacity: { threads: 2, maxVUs: 50, maxArrivalRate: 20_000 },
      labels: { zone: "local" },
      status: "active",
      assignments: [],
    });

    const runId = "run-main";
    const before = server.total();
    await createAndAssign(runId, worker.id, 5);
    await startWhenReady(runId);
    await eventually(
      async () =>
        workerRegistrationSchema.parse((await kv.get("w-test-1"))?.json()).assignments.some((a) => a.runId === runId && a.vus === 5),
      5000,
    );
    // Every user is up (5 at 20/s take 200 ms) and counted in a window.
    await eventually(async () => (await windowsOf(runId)).some((w) => w.activeUsers === 5 && w.requests.length > 0), 5000);

    await decide(createCommand({ ...onRun(runId), type: "run.stop", data: { reason: "requested" } }));
    const stopped = (await commandOf("run.report-worker-stopped", runId)).data;
    expect(stopped.workerId).toBe("w-test-1");
    expect(stopped.requests).toBeGreaterThan(0);
    expect(stopped.requests).toBe(server.total() - before);
    expect(stopped.failures).toBe(0);

    const windows = await windowsOf(runId);
    expect(countOf(windows)).toBe(server.total() - before);
    const seconds = windows.map((w) => w.second);
    expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i)); // one window per second, no gap
    expect(windows.every((w) => w.workerId === "w-test-1")).toBe(true);
    expect(Math.max(...windows.map((w) => w.activeUsers))).toBe(5);
    expect(worker.runIds()).toEqual([]);

    await worker.stop();
    expect(worker.ready()).toBe(false);
    expect((await kv.get("w-test-1"))?.operation).not.toBe("PUT");
  });

  it("ignores a run assigned to another worker, and stops its own run by itself after the safety cap", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-test-2", safetyMarginSec: 0, threads: 1 });
    await worker.start();
    await createAndAssign("run-other", "w-someone-else", 2);
    await createAndAssign("run-capped", worker.id, 1, 1);
    await startWhenReady("run-capped");
    const stopped = (await commandOf("run.report-worker-stopped", "run-capped", 8000)).data;
    expect(stopped.requests).toBe(countOf(await windowsOf("run-capped")));
    expect(stopped.requests).toBeGreaterThan(0);
    expect(await windowsOf("run-other")).toEqual([]);
    await worker.stop();
  });

  it("drops its lanes at once when the run declares it lost", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-test-4", threads: 1 });
    await worker.start();
    const runId = "run-lost";
    const before = server.total();
    await createAndAssign(runId, worker.id, 2);
    await startWhenReady(runId);
    await eventually(async () => countOf(await windowsOf(runId)) > 0, 5000);
    const lastSeenAt = new Date().toISOString();
    await decide(
      createCommand({
        ...onRun(runId),
        type: "run.reassign",
        data: { lostWorkerId: worker.id, lastSeenAt, assignments: [{ workerId: "w-other", lanes: [0], vus: 2, arrivalRate: 0 }] },
      }),
    );
    await eventually(() => worker.runIds().length === 0, 2000, 20);
    const after = server.total();
    await sleep(300);
    expect(server.total()).toBe(after); // silent: its lanes run elsewhere now
    // It does not report a stop the run would ignore, and every request it sent is in a window: counted when it
    // ended, else interrupted (at once: its lanes run elsewhere), which the target may or may not have seen.
    expect(orch.commands.some((c) => c.type === "run.report-worker-stopped" && c.aggregate.id === runId)).toBe(false);
    const received = server.total() - before;
    const windows = await eventually(async () => {
      const w = await windowsOf(runId);
      return countOf(w) + interruptedOf(w) >= received ? w : undefined;
    }, 3000);
    expect(countOf(windows)).toBeLessThanOrEqual(received);
    await worker.stop();
  });

  it("stops on the orchestrator's core-NATS echo of a stop, without waiting for the stream", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-test-5", threads: 1 });
    await worker.start();
    const runId = "run-echo";
    await createAndAssign(runId, worker.id, 2);
    await startWhenReady(runId);
    await eventually(async () => countOf(await windowsOf(runId)) > 0, 5000);
    // An echo only: the stream never gets this event.
    const [echo] = eventsFromCommand(createCommand({ ...onRun(runId), type: "run.stop", data: { reason: "requested" } }), [
      { type: "run.stopping", data: { reason: "requested" } },
    ]);
    orch.env.nc.publish(subjects.runControl(orch.env.ns, TENANT, runId), JSON.stringify(echo));
    await eventually(() => worker.runIds().length === 0, 3000, 20);
    expect((await commandOf("run.report-worker-stopped", runId)).data.workerId).toBe(worker.id);
    await worker.stop();
  });

  it("leaves the fleet when it stops: its lanes go on elsewhere, its windows are all published", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-test-3", threads: 1 });
    await worker.start();
    const before = server.total();
    await createAndAssign("run-shutdown", worker.id, 2);
    await startWhenReady("run-shutdown");
    await eventually(async () => countOf(await windowsOf("run-shutdown")) > 0, 5000);
    await worker.stop();
    const kv = await openWorkerBucket(orch.env.nc, orch.env.ns);
    expect((await kv.get("w-test-3"))?.operation).not.toBe("PUT");
    expect(countOf(await windowsOf("run-shutdown"))).toBe(server.total() - before);
    expect(orch.commands.some((c) => c.type === "run.report-worker-stopped" && c.aggregate.id === "run-shutdown")).toBe(false);
    expect(worker.runIds()).toEqual([]);
  });
});
