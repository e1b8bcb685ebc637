import {
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type EventStore,
  type EventType,
  FLEET_TENANT,
  newId,
  type Placement,
  type RunParameters,
  type RunTarget,
  START_LEAD_MS,
  sleep,
  type WorkerRegistration,
} from "@loadline/core";
import { eventually, OPEN_PLATFORM } from "@loadline/core/testing";
import { CommandBus, type CommandOutcome, connectNats, JetStreamEventStore, openWorkerBucket, WorkerHeartbeat } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Orchestrator } from "./orchestrator.ts";
import { DEFAULT_TIMINGS } from "./run-supervisor.ts";

const log = createLogger("test", (process.env.TEST_LOG as "info") ?? "silent");
const timings = { ...DEFAULT_TIMINGS, planWaitMs: 2_000, readyDeadlineMs: 5_000, stopDeadlineMs: 5_000, unheldWaitMs: 10_000 };
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
const eventsOf = async (id: string, tenantId = "default", type: "run" | "worker" | "load-test" = "run"): Promise<EventEnvelope[]> =>
  (await store.read(tenantId, { type, id })).events.map((e) => e.event);
const typesOf = async (id: string): Promise<EventType[]> => (await eventsOf(id)).map((e) => e.type);
const ofType = async <T extends EventType>(id: string, type: T) =>
  (await eventsOf(id)).filter((e): e is Extract<EventEnvelope, { type: T }> => e.type === type);
/**
 * A run as users start one: a test of `over.target` (default `target`), then run.start with the
 * placement (run.create is the orchestrator's own step, never taken from the bus).
 */
async function createRun(
  id: string,
  over: Partial<RunParameters> & { target?: RunTarget; placement?: Placement } = {},
): Promise<CommandOutcome> {
  const { targetUrl, requests, scenarios, workload } = over.target ?? target;
  const spec = {
    name: "orchestrator",
    tags: [],
    targetUrl,
    ...(requests ? { requests } : {}),
    ...(scenarios ? { scenarios } : {}),
    ...(workload ? { workload } : {}),
    defaultUsers: over.targetUsers ?? 6,
    defaultSpawnRate: over.spawnRate ?? 6,
    defaultDurationSec: over.durationSec ?? 1,
  };
  const loadTestId = newId();
  const created = await bus.send(
    createCommand({ type: "load-test.create", tenantId: "default", aggregate: { type: "load-test", id: loadTestId }, data: { spec } }),
  );
  if (!created.ok) return created;
  return bus.send(runCommand("run.start", id, { loadTestId, overrides: {}, ...(over.placement ? { placement: over.placement } : {}) }));
}
const ready = (id: string, workerId: string) => bus.send(runCommand("run.report-worker-ready", id, { workerId }));

/**
 * A worker's heartbeat as the real one sends it, by the worker's own WorkerHeartbeat: on core
 * NATS (what liveness is judged on) and into the bucket. A beat every 300 ms rather than every
 * second, for slack on a loaded machine. `stop` leaves the fleet as a worker shutting down does;
 * `lapse` falls silent on both, its entry left in the bucket.
 */
async function fakeWorker(
  workerId: string,
  over: { maxVUs?: number; labels?: Record<string, string> } = {},
): Promise<{ stop(): void; lapse(): void }> {
  const startedAt = new Date().toISOString();
  const registration = (): WorkerRegistration => ({
    workerId,
    version: "test",
    capacity: { threads: 1, maxVUs: over.maxVUs ?? 100, maxArrivalRate: 1000 },
    labels: over.labels ?? {},
    startedAt,
    heartbeatAt: new Date().toISOString(),
    status: "active",
    assignments: [],
  });
  const kv = await openWorkerBucket(env.nc, env.ns);
  const heartbeat = new WorkerHeartbeat({ nc: env.nc, ns: env.ns, kv, workerId, registration, intervalMs: 300 });
  await heartbeat.start();
  return {
    lapse: () => void heartbeat.stop(),
    stop: () => void heartbeat.stop({ leave: true }).catch(() => undefined),
  };
}

const reassignedIn = async (id: string) => (await ofType(id, "run.worker-assigned")).filter((e) => e.data.reason === "reassigned");

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
  const orchestrator = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings, lease, platform: OPEN_PLATFORM, ...over });
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

  it("answers a command it cannot read with the reason at once, instead of leaving its sender to time out", () =>
    withOrchestrator(async () => {
      // Past the API, straight onto the command stream: a version no JSON number holds exactly.
      const id = newId();
      const command = createCommand({ type: "load-test.delete", tenantId: "default", aggregate: { type: "load-test", id }, data: {} });
      const started = Date.now();
      const outcome = await bus.send({ ...command, data: { expectedVersion: 1e20 } }, 5_000);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(outcome).toMatchObject({
        ok: false,
        commandId: command.id,
        aggregateId: id,
        error: { code: "invalid", field: expect.stringContaining("expectedVersion") },
      });
      expect(await eventsOf(id, "default", "load-test")).toEqual([]);
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
        // One run, one correlation id: its starting request's, whatever command or worker report caused each event.
        const all = await eventsOf(id);
        expect(new Set(all.map((e) => e.correlationId)).size).toBe(1);
        expect(all[0]!.correlationId).toBe(all[0]!.causationId); // the run.start that began it
        expect(new Set(all.map((e) => e.causationId)).size).toBeGreaterThan(4);

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

  it("reports runs and workers by status on its metrics, as it holds them when scraped", async () => {
    const fleet = await Promise.all(["m1", "m2"].map((w) => fakeWorker(w, { labels: { test: "metrics" } })));
    const registry = new Registry();
    try {
      await withOrchestrator(
        async () => {
          const id = newId();
          await createRun(id, { placement: { workers: 2, selector: { test: "metrics" } } });
          await eventually(async () => (await ofType(id, "run.worker-assigned")).length === 2, 5_000);
          const scraped = await registry.metrics();
          expect(scraped).toContain('loadline_runs{status="Starting"} 1');
          expect(scraped).toMatch(/loadline_workers\{status="active"\} ([2-9]|\d\d)/); // these two, and any other of this NATS
          await bus.send(runCommand("run.stop", id, { reason: "requested" }));
          await eventually(async () => (await registry.metrics()).includes('loadline_runs{status="Stopping"} 1'), 5_000);
        },
        { registry },
      );
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

  it("fails a run whose workers never confirm the stop, once its graceful stop and the stop deadline have passed", async () => {
    const w = await fakeWorker("mute", { labels: { test: "mute" } });
    try {
      await withOrchestrator(
        async () => {
          const id = newId();
          const workload = { type: "constant-vus" as const, vus: 6, durationSec: 60, gracefulStop: 0.5 };
          await createRun(id, { durationSec: 60, target: { ...target, workload }, placement: { selector: { test: "mute" } } });
          await eventually(async () => (await typesOf(id)).includes("run.worker-assigned"), 5_000);
          await ready(id, "mute");
          await bus.send(runCommand("run.stop", id, { reason: "requested" }));
          await eventually(async () => (await typesOf(id)).includes("run.failed"), 5_000, 20);
          const [stopping] = await ofType(id, "run.stopping");
          const [failed] = await ofType(id, "run.failed");
          expect(failed!.data.reason).toBe("workers did not confirm the stop in time");
          // The workers may take the run's graceful stop, then the deadline's 800 ms. A timer may fire a millisecond early; never sooner.
          expect(Date.parse(failed!.time) - Date.parse(stopping!.time)).toBeGreaterThanOrEqual(500 + 800 - 2);
        },
        { timings: { ...timings, stopDeadlineMs: 800 } },
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
        const reassigned = await reassignedIn(id);
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
        const reassigned = await reassignedIn(id);
        expect(reassigned.map((e) => [e.data.workerId, e.data.replaces])).toEqual([["stays", "restarts"]]);
        await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      });
    } finally {
      steady.stop();
      restarting.stop();
    }
  });

  it("hands the lanes of a lost worker nobody had room for to a worker that joins the run under way", async () => {
    // 3 VUs each: the run's 6 fill both, so the one left cannot take the other's lanes.
    const full = await fakeWorker("full", { maxVUs: 3, labels: { test: "join" } });
    const gone = await fakeWorker("gone", { maxVUs: 3, labels: { test: "join" } });
    let joiner: Awaited<ReturnType<typeof fakeWorker>> | undefined;
    try {
      await withOrchestrator(async () => {
        const id = await runOnTwo("join", "full", "gone");
        const goneLanes = (await ofType(id, "run.worker-assigned")).find((e) => e.data.workerId === "gone")!.data.lanes;
        gone.lapse();
        await eventually(async () => (await typesOf(id)).includes("run.worker-lost"), 6_000, 50);
        expect(await reassignedIn(id)).toEqual([]);
        expect(await typesOf(id)).not.toContain("run.failed"); // it goes on, short of those lanes, for now

        joiner = await fakeWorker("joiner", { labels: { test: "join" } });
        await eventually(async () => (await reassignedIn(id)).length > 0, 3_000, 20);
        expect((await reassignedIn(id)).map((e) => e.data)).toEqual([
          { workerId: "joiner", lanes: goneLanes, vus: 3, arrivalRate: 0, vcpus: 1, laneCount: 2, reason: "reassigned", replaces: "gone" },
        ]);
        expect(await typesOf(id)).not.toContain("run.failed");
        await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      });
    } finally {
      full.stop();
      gone.stop();
      joiner?.stop();
    }
  });

  it("gives a worker that joins a run whose lanes are all held nothing, and leaves the run as it was", async () => {
    const fleet = await Promise.all(["held-a", "held-b"].map((w) => fakeWorker(w, { labels: { test: "held" } })));
    let joiner: Awaited<ReturnType<typeof fakeWorker>> | undefined;
    try {
      await withOrchestrator(async () => {
        const id = await runOnTwo("held", "held-a", "held-b");
        const before = await eventsOf(id);
        joiner = await fakeWorker("held-joiner", { labels: { test: "held", only: "joiner" } });
        // A run only the joiner can take is placed on it once the orchestrator has heard of it,
        // which is when it handled the join: anything the join set off is decided by then.
        const probe = newId();
        await createRun(probe, { placement: { selector: { only: "joiner" } } });
        await eventually(async () => (await ofType(probe, "run.worker-assigned")).length === 1, 5_000);
        expect(await eventsOf(id)).toEqual(before);
        await bus.send(runCommand("run.stop", id, { reason: "requested" }));
      });
    } finally {
      for (const w of fleet) w.stop();
      joiner?.stop();
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

  it("back after a run's due end, its only worker silent since: completes it degraded, the gap from the worker's last heartbeat", async () => {
    const w = await fakeWorker("crashes", { labels: { test: "crash" } });
    try {
      const id = newId();
      let silentAt = 0;
      await withOrchestrator(async () => {
        await createRun(id, { durationSec: 3, placement: { selector: { test: "crash" } } });
        await eventually(async () => (await typesOf(id)).includes("run.worker-assigned"), 5_000);
        await ready(id, "crashes");
        await eventually(async () => (await typesOf(id)).includes("run.started"), 5_000, 20);
        const [started] = await ofType(id, "run.started");
        await sleep(Date.parse(started!.data.startedAt) + 1_000 - Date.now());
        // The worker dies 1 s into the run, and the orchestrator with it (before the lapse tells it).
        w.lapse();
        silentAt = Date.now();
      });
      // Back after the due end (3 s), once the worker's bucket entry is stale.
      await sleep(silentAt + 3_500 - Date.now());
      const backAt = Date.now();
      await withOrchestrator(async () => {
        await eventually(async () => (await typesOf(id)).includes("run.completed"), 8_000, 50);
      });
      const [started] = await ofType(id, "run.started");
      const [stopping] = await ofType(id, "run.stopping");
      const [lost] = await ofType(id, "run.worker-lost");
      const [completed] = await ofType(id, "run.completed");
      expect(Date.parse(stopping!.time) - backAt).toBeLessThan(1_500); // stopped at once: it was overdue
      // Last seen at its last heartbeat (one every 300 ms; a slow bucket write skips a beat), not when the orchestrator came back.
      const lastSeenAt = Date.parse(lost!.data.lastSeenAt);
      expect(lastSeenAt).toBeGreaterThan(silentAt - 1_000);
      expect(lastSeenAt).toBeLessThanOrEqual(silentAt + 300);
      expect(lastSeenAt).toBeLessThan(backAt - 3_000);
      expect((await eventsOf("crashes", FLEET_TENANT, "worker")).at(-1)?.data).toMatchObject({ lastSeenAt: lost!.data.lastSeenAt });
      // Completed, but saying it ran only until then: a third of its lanes' time, give or take a beat.
      const ran = (lastSeenAt - Date.parse(started!.data.startedAt)) / 3_000;
      expect(completed!.data).toEqual({
        finishedAt: expect.any(String),
        coverage: Math.floor(ran * 10_000) / 10_000,
        degraded: true,
        reason: expect.stringMatching(
          /^lanes? [\d, ]+ of \d+ (was|were) not run for [\d.]+ s of 3\.0 s: worker crashes was last heard from 00:0\d\.\d into the run, and nobody took (it|them) before the end$/,
        ),
      });
      expect(completed!.data.coverage).toBeGreaterThan(0);
      expect(completed!.data.coverage).toBeLessThan(0.45);
    } finally {
      w.stop();
    }
  });

  it("keeps one active orchestrator: a standby takes over when the active one dies", async () => {
    const w = await fakeWorker("lease-w", { labels: { test: "lease" } });
    const crashing = await connectNats(env.url, "crashing-orchestrator");
    const first = await Orchestrator.start({ nc: crashing, ns: env.ns, log, timings, lease, platform: OPEN_PLATFORM, id: "first" });
    await first.whenActive();
    const standby = await Orchestrator.start({ nc: env.nc, ns: env.ns, log, timings, lease, platform: OPEN_PLATFORM, id: "standby" });
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
