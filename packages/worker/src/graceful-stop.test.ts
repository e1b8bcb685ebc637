import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CommandData,
  createCommand,
  DEFAULT_TENANT,
  decodeHistogram,
  type Executor,
  type MetricWindow,
  mergeHistograms,
} from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { countOf, interruptedOf, onRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { loopLateness } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

/*
 * The stop as k6's gracefulStop: iterations in flight at the stop may finish within their
 * executor's graceful stop and count as usual; what is still in flight after it is interrupted:
 * counted apart, never as a failure nor in the latencies, and the worker reports its stop within
 * the grace plus a second. A real worker (two engine threads) on real NATS, a target on 127.0.0.1.
 */

const log = createLogger("graceful-stop-test", "silent");

/** A target that answers /quick after `quickMs` and holds /stuck until it closes: it knows how many it held. */
type HoldingTarget = {
  url: string;
  received(path: string): number;
  answeredAfter(path: string, atMs: number): number;
  close(): Promise<void>;
};

async function holdingTarget(quickMs: number): Promise<HoldingTarget> {
  const received = new Map<string, number>();
  const answered: { path: string; atMs: number }[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "";
    received.set(path, (received.get(path) ?? 0) + 1);
    req.resume();
    if (path === "/stuck") {
      held.push(res);
      return;
    }
    setTimeout(() => {
      answered.push({ path, atMs: Date.now() });
      res.end("ok");
    }, quickMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: (path) => received.get(path) ?? 0,
    answeredAfter: (path, atMs) => answered.filter((a) => a.path === path && a.atMs >= atMs).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let orch: TestOrchestrator;
let target: HoldingTarget | undefined;
let worker: LoadWorker | undefined;

beforeAll(async () => {
  orch = await testOrchestrator();
});
afterAll(async () => {
  await orch?.close();
});
afterEach(async () => {
  await worker?.stop();
  await target?.close();
  worker = target = undefined;
});

const run = (runId: string) => onRun(DEFAULT_TENANT, runId);
const scenario = (name: string, path: string) => ({
  name,
  weight: 1,
  variables: {},
  steps: [{ type: "request" as const, method: "GET" as const, url: path, timeoutMs: 60_000, checks: [], extract: [] }],
});

/** A run of `workload` over the scenarios (each by weight), assigned to the worker and started once it is ready. */
async function startRun(runId: string, workload: Executor, scenarios: ReturnType<typeof scenario>[]): Promise<void> {
  const data: CommandData<"run.create"> = {
    loadTestId: "lt-graceful",
    targetUsers: 6,
    spawnRate: 1000,
    durationSec: 60,
    target: { targetUrl: target!.url, scenarios, workload },
  };
  await orch.decide(createCommand({ ...run(runId), type: "run.create", data }));
  await orch.decide(
    createCommand({
      ...run(runId),
      type: "run.assign",
      data: { laneCount: 1, assignments: [{ workerId: worker!.id, lanes: [0], vus: 6, arrivalRate: 0 }] },
    }),
  );
  await orch.decide(await orch.commandOf("run.report-worker-ready", runId));
}

/** Stops the run as the orchestrator would; how long from its run.stopping to the worker's report, and the report. */
async function stopAndTime(
  runId: string,
): Promise<{ stoppingAt: number; tookMs: number; report: CommandData<"run.report-worker-stopped"> }> {
  await orch.decide(createCommand({ ...run(runId), type: "run.stop", data: { reason: "requested" } }));
  const events = await orch.store.read(DEFAULT_TENANT, { type: "run", id: runId });
  const stopping = events.events.map((e) => e.event).find((e) => e.type === "run.stopping")!;
  const stopped = await orch.commandOf("run.report-worker-stopped", runId, 20_000);
  const stoppingAt = Date.parse(stopping.time);
  return { stoppingAt, tookMs: Date.parse(stopped.time) - stoppingAt, report: stopped.data };
}

const sumOf = (windows: MetricWindow[], f: (w: MetricWindow) => number | undefined) => windows.reduce((n, w) => n + (f(w) ?? 0), 0);
const named = (windows: MetricWindow[], name: string) => windows.flatMap((w) => w.requests.filter((r) => r.name === name));

describe("the graceful stop", () => {
  it("lets iterations in flight finish within it, interrupts those still running after it, and reports within it and a second", async () => {
    const quickMs = 300;
    const graceMs = 1500;
    target = await holdingTarget(quickMs);
    worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-graceful-1", threads: 2 });
    await worker.start();
    const runId = "run-graceful";
    // 6 VUs by weight: 3 loop over /quick, 3 send /stuck, which the target never answers.
    await startRun(runId, { type: "constant-vus", vus: 6, durationSec: 60, gracefulStop: "1.5s" }, [
      scenario("quick", "/quick"),
      scenario("stuck", "/stuck"),
    ]);
    await eventually(() => target!.received("/stuck") === 3 && target!.received("/quick") >= 6, 10_000, 20);
    const lateness = loopLateness();
    const { stoppingAt, tookMs, report } = await stopAndTime(runId);
    const late = 2 * lateness();

    // Not before the grace (the stuck ones had it all), and within it and a second.
    expect(tookMs).toBeGreaterThanOrEqual(graceMs - 2);
    expect(tookMs).toBeLessThanOrEqual(graceMs + 1000 + late);

    const windows = await eventually(async () => {
      const w = await orch.windowsOf(runId);
      return interruptedOf(w) > 0 ? w : undefined;
    }, 5000);
    // Exactly the requests the target held past the grace are interrupted; none of the quick ones.
    expect(named(windows, "/stuck").reduce((n, r) => n + (r.interrupted ?? 0), 0)).toBe(target.received("/stuck"));
    expect(named(windows, "/quick").reduce((n, r) => n + (r.interrupted ?? 0), 0)).toBe(0);
    expect(sumOf(windows, (w) => w.interruptedIterations)).toBe(3);
    // The quick ones in flight at the stop finished within the grace and count like any other: every one the target
    // answered is counted, with its iteration, and some were answered after the stop.
    expect(target.answeredAfter("/quick", stoppingAt)).toBeGreaterThan(0);
    expect(countOf(windows)).toBe(target.received("/quick"));
    expect(sumOf(windows, (w) => w.iterations)).toBe(target.received("/quick"));
    // The interrupted are no failures, and their time (the whole run) is in no histogram: the latency is the quick ones'.
    expect(report).toMatchObject({ requests: target.received("/quick"), failures: 0 });
    expect(named(windows, "/stuck").every((r) => r.count === 0 && r.failures === 0)).toBe(true);
    const latency = mergeHistograms(windows.flatMap((w) => w.requests.map((r) => r.histogram)));
    expect(latency.totalCount).toBe(target.received("/quick"));
    expect(latency.maxValue / 1000).toBeLessThan(quickMs + 1000 + late);
    expect(decodeHistogram(named(windows, "/stuck")[0]!.histogram).totalCount).toBe(0);
  });

  it("does not wait out a long grace when nothing is left in flight", async () => {
    const quickMs = 200;
    target = await holdingTarget(quickMs);
    worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-graceful-2", threads: 2 });
    await worker.start();
    const runId = "run-graceful-long";
    await startRun(runId, { type: "constant-vus", vus: 6, durationSec: 60, gracefulStop: 30 }, [scenario("quick", "/quick")]);
    await eventually(() => target!.received("/quick") >= 12, 10_000, 20);
    const lateness = loopLateness();
    const { tookMs } = await stopAndTime(runId);
    // The last iterations end within a request's time: the stop is over then, not 30 s later.
    expect(tookMs).toBeLessThanOrEqual(quickMs + 1000 + 2 * lateness());
    const windows = await orch.windowsOf(runId);
    expect(interruptedOf(windows)).toBe(0);
    expect(countOf(windows)).toBe(target.received("/quick"));
  });
});
