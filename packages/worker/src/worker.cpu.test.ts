/*
 * A VU that burns CPU must not silence its worker (heartbeats stop: the worker is declared lost,
 * and every run it has fails with it) nor starve another tenant's run on the same worker. The
 * worker runs here with one thread: the case where the load used to run on the worker's own thread.
 */
import {
  type CommandData,
  createCommand,
  HEARTBEAT_INTERVAL_MS,
  type MetricWindow,
  type RunTarget,
  type Scenario,
  scenarioSchema,
  sleep,
} from "@loadline/core";
import { subjects } from "@loadline/nats";
import { createLogger } from "@loadline/service";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countOf, onRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { type CountingServer, countingServer } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

const log = createLogger("worker-test", "silent");

/** The reproduction: a backtracking engine takes seconds on this pattern against this 27-byte body. */
const BACKTRACKER = "^(a+)+$";
const BODY_27 = `${"a".repeat(26)}!`;

/** A body of JSON objects nested `depth` deep: `$..*..*..*` walks it in about depth³/6 steps. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}{}${"}".repeat(depth)}`;

/** Well under WORKER_LOST_AFTER_MS: heartbeats come at their interval, give or take a busy machine's scheduling. */
const LONGEST_SILENCE_MS = HEARTBEAT_INTERVAL_MS + 1000;

let orch: TestOrchestrator;
const servers: CountingServer[] = [];
const workers: LoadWorker[] = [];

beforeAll(async () => {
  orch = await testOrchestrator();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await orch?.close();
});

async function target(opts: Parameters<typeof countingServer>[0]): Promise<CountingServer> {
  const server = await countingServer(opts);
  servers.push(server);
  return server;
}

/**
 * The arrival times (performance.now()) of a worker's heartbeats on core NATS, heard on the
 * subject the orchestrator's fleet monitor listens to.
 */
function heartbeats(workerId: string): { times: number[]; stop(): void } {
  const { nc, ns } = orch.env;
  const times: number[] = [];
  const sub = nc.subscribe(subjects.allHeartbeats(ns), {
    callback: (_err, m) => {
      if (m.subject === subjects.heartbeat(ns, workerId)) times.push(performance.now());
    },
  });
  return { times, stop: () => sub.unsubscribe() };
}

/** The longest time without a heartbeat between `from` and `to` (edges included). */
function longestSilence(times: readonly number[], from: number, to: number): number {
  const points = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...points.slice(1).map((t, i) => t - points[i]!));
}

/** A scenario as a user writes it, defaults applied. */
const scenario = (input: Record<string, unknown>): Scenario => scenarioSchema.parse(input);

/** Creates a run of `tenantId` on one worker, waits for it to be ready and starts it, as the orchestrator would. */
async function startRun(tenantId: string, runId: string, workerId: string, target: RunTarget, users: number): Promise<void> {
  const ref = onRun(tenantId, runId);
  const data: CommandData<"run.create"> = { loadTestId: `lt-${runId}`, targetUsers: users, spawnRate: 100, durationSec: 60, target };
  await orch.decide(createCommand({ ...ref, type: "run.create", data }));
  const assignments = [{ workerId, lanes: [0], vus: users, arrivalRate: 0 }];
  await orch.decide(createCommand({ ...ref, type: "run.assign", data: { laneCount: 1, assignments } }));
  await orch.decide(await orch.commandOf("run.report-worker-ready", runId, 30_000));
}

async function stopRun(tenantId: string, runId: string) {
  await orch.decide(createCommand({ ...onRun(tenantId, runId), type: "run.stop", data: { reason: "requested" } }));
  return (await orch.commandOf("run.report-worker-stopped", runId, 40_000)).data;
}

const sumOf = (windows: MetricWindow[], f: (w: MetricWindow) => number | undefined) => windows.reduce((n, w) => n + (f(w) ?? 0), 0);

/** A plain run of another tenant on the same worker: what it counts is what its target received. */
async function startPlainRun(workerId: string, runId: string): Promise<CountingServer> {
  const plain = await target({ delayMs: 5 });
  await startRun("globex", runId, workerId, { targetUrl: plain.url, requests: [{ method: "GET", path: "/plain" }] }, 2);
  return plain;
}

async function expectPlainRunCounted(runId: string, plain: CountingServer) {
  const stopped = await stopRun("globex", runId);
  expect(stopped.failures).toBe(0);
  expect(stopped.requests).toBe(plain.total());
  expect(countOf(await orch.windowsOf(runId))).toBe(plain.total());
  // Two VUs on a 5 ms target for seconds: hundreds, unless something held its thread.
  expect(plain.total()).toBeGreaterThan(100);
}

describe("a VU that burns CPU", () => {
  it("runs a backtracking regex in linear time: both tenants' runs complete and the heartbeats keep coming", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-cpu-regex", threads: 1 });
    workers.push(worker);
    const beats = heartbeats(worker.id);
    await worker.start();
    const from = performance.now();

    const burn = await target({ delayMs: 5, body: () => BODY_27 });
    const extract = scenario({
      name: "extract",
      steps: [{ type: "request", url: "/token", extract: [{ type: "regex", var: "token", pattern: BACKTRACKER, group: 1 }] }],
    });
    await startRun("acme", "run-regex", worker.id, { targetUrl: burn.url, scenarios: [extract] }, 4);
    const plain = await startPlainRun(worker.id, "run-regex-neighbour");
    await sleep(3000);

    const stopped = await stopRun("acme", "run-regex");
    await expectPlainRunCounted("run-regex-neighbour", plain);
    const to = performance.now();
    beats.stop();

    // A backtracking engine spends seconds on each response: a handful in 3 s. RE2: thousands.
    expect(stopped.requests).toBeGreaterThan(100);
    expect(stopped.requests).toBe(burn.total());
    // Every extraction ran and found nothing (the body ends in "!"): each counts as a failed check.
    const windows = await orch.windowsOf("run-regex");
    expect(sumOf(windows, (w) => w.checksFailed)).toBe(stopped.requests);
    expect(longestSilence(beats.times, from, to)).toBeLessThan(LONGEST_SILENCE_MS);
  });

  it("in a check that walks a deep JSON body for seconds, in its engine thread: the heartbeats and the other tenant's run go on", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-cpu-json", threads: 1 });
    workers.push(worker);
    const beats = heartbeats(worker.id);
    await worker.start();
    const from = performance.now();

    // Nothing regex about it: a user's JSON path and a target's answer that make each check cost ~a second of CPU.
    const burn = await target({ delayMs: 5, body: () => nestedJson(80) });
    const walk = scenario({
      name: "walk",
      steps: [{ type: "request", url: "/deep", checks: [{ type: "jsonPath", path: "$..*..*..*", exists: true }] }],
    });
    await startRun("acme", "run-json", worker.id, { targetUrl: burn.url, scenarios: [walk] }, 3);
    const plain = await startPlainRun(worker.id, "run-json-neighbour");
    await sleep(3000);

    const stopped = await stopRun("acme", "run-json");
    await expectPlainRunCounted("run-json-neighbour", plain);
    const to = performance.now();
    beats.stop();

    // It ran its checks, and stopped once the one under way was over (a thread busy in a check hears the stop after it).
    // Requests it had queued while busy and then aborted count as resets, so it counts at least what its target got.
    expect(sumOf(await orch.windowsOf("run-json"), (w) => w.checksPassed)).toBeGreaterThan(0);
    expect(stopped.requests).toBeGreaterThanOrEqual(burn.total());
    expect(longestSilence(beats.times, from, to)).toBeLessThan(LONGEST_SILENCE_MS);
  });
});
