import type { IncomingMessage } from "node:http";
import {
  type CommandData,
  createCommand,
  DEFAULT_TENANT,
  type EventOf,
  eventsFromCommand,
  loadAggregate,
  type MetricWindow,
  runDecider,
  sleep,
} from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { subjects } from "@loadline/nats";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOf, onRun as onTenantRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { type CountingServer, countingServer } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

/*
 * Live control on a real worker over real NATS: run.paused, run.resumed and run.scaled reach it
 * by the orchestrator's core-NATS echo and by the stream (each applied once), and its windows
 * show them within a second of the event. A closed executor and an open one; and a worker that
 * joins a paused, scaled run. The target is on 127.0.0.1 and logs when each request came.
 */

const log = createLogger("worker-control-test", "silent");
const TENANT = DEFAULT_TENANT;

let orch: TestOrchestrator;
let server: CountingServer;
/** Every request the target got: its path and when (epoch ms). */
const requests: { url: string; at: number }[] = [];

beforeAll(async () => {
  orch = await testOrchestrator();
  server = await countingServer({
    delayMs: (req: IncomingMessage) => {
      requests.push({ url: req.url ?? "", at: Date.now() });
      return 5;
    },
  });
});

afterAll(async () => {
  await server?.close();
  await orch?.close();
});

const onRun = (runId: string) => onTenantRun(TENANT, runId);
const sum = (windows: MetricWindow[]) => countOf(windows);
const atOf = (e: { data: unknown }) => Date.parse((e.data as { at: string }).at);
const secondOf = (ms: number) => Math.floor(ms / 1000);
/** Requests to `path` that came within [from, to) (epoch ms). */
const cameBetween = (path: string, from: number, to: number) => requests.filter((r) => r.url.startsWith(path) && r.at >= from && r.at < to);

/** The run's windows once the one of `second` is out. */
const windowsThrough = (runId: string, second: number): Promise<MetricWindow[]> =>
  eventually(async () => {
    const windows = await orch.windowsOf(runId);
    return windows.some((w) => w.second >= second) ? windows : undefined;
  }, 10_000);

async function control(runId: string, type: "run.pause" | "run.resume", echo = true) {
  const [event] = await orch.decide(createCommand({ ...onRun(runId), type, data: {} }), { echo });
  return event!;
}

async function scale(runId: string, data: CommandData<"run.scale">) {
  const [event] = await orch.decide(createCommand({ ...onRun(runId), type: "run.scale", data }), { echo: true });
  return event as EventOf<"run.scaled">;
}

async function startRun(runId: string, workerId: string, target: CommandData<"run.create">["target"], users = 1): Promise<void> {
  const data: CommandData<"run.create"> = { loadTestId: "lt-1", targetUsers: users, spawnRate: 1000, durationSec: 60, target };
  await orch.decide(createCommand({ ...onRun(runId), type: "run.create", data }));
  await orch.decide(
    createCommand({
      ...onRun(runId),
      type: "run.assign",
      data: { laneCount: 1, assignments: [{ workerId, lanes: [0], vus: users, arrivalRate: 0 }] },
    }),
  );
  await orch.decide(await orch.commandOf("run.report-worker-ready", runId));
}

async function stopRun(runId: string): Promise<void> {
  await orch.decide(createCommand({ ...onRun(runId), type: "run.stop", data: { reason: "requested" } }));
  await orch.commandOf("run.report-worker-stopped", runId);
}

describe("LoadWorker under live control", () => {
  it("closed: a pause holds every VU within a second, a resume lets them go on, a scale ×2 doubles them", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-ctl-closed", threads: 2 });
    await worker.start();
    const runId = "run-ctl-closed";
    try {
      await startRun(runId, worker.id, { targetUrl: server.url, requests: [{ method: "GET", path: "/c?vu={{__vu}}" }] }, 4);
      await eventually(async () => (await orch.windowsOf(runId)).some((w) => w.activeUsers === 4 && sum([w]) > 0), 10_000);

      const paused = atOf(await control(runId, "run.pause"));
      const P = secondOf(paused);
      // Two whole seconds paused after the pause's own.
      await windowsThrough(runId, P + 3);
      const resumed = atOf(await control(runId, "run.resume"));
      const R = secondOf(resumed);
      const scaled = await scale(runId, { vus: 8 });
      expect(scaled.data).toMatchObject({ vus: 8, vuFactor: 2, rateFactor: 1 });
      const S = secondOf(atOf(scaled));
      const windows = await windowsThrough(runId, S + 2);
      const at = (second: number) => windows.find((w) => w.second === second)!;

      // The pause reached the worker within a second: the last request before the resume came well before that.
      const duringPause = cameBetween("/c", paused, resumed);
      expect(Math.max(paused, ...duringPause.map((r) => r.at)) - paused).toBeLessThan(1000);
      // Its windows: the pause's second and every one after it say paused; past the first (iterations in
      // flight at the pause may end in it: 4 at most), nothing started and no VU was active.
      for (let s = P; s < R; s++) expect(at(s).paused, `second ${s}`).toBe(true);
      expect(sum([at(P + 1)])).toBeLessThanOrEqual(4);
      for (let s = P + 2; s < R; s++) {
        expect(sum([at(s)]), `second ${s}`).toBe(0);
        expect(at(s).iterations, `second ${s}`).toBe(0);
        expect(at(s).activeUsers, `second ${s}`).toBe(0);
      }
      // The resume within a second too; the seconds after it are not paused, their 4 VUs busy.
      expect(cameBetween("/c", resumed, resumed + 1000).length).toBeGreaterThan(0);
      expect(at(R + 1).paused).toBeUndefined();
      // The scale: VUs 5 to 8 (new ids) sent within a second of it; its next second has 8 VUs active.
      const added = requests.filter((r) => r.url.startsWith("/c") && Number(r.url.split("=")[1]) > 4);
      expect(Math.min(...added.map((r) => r.at)) - atOf(scaled)).toBeLessThan(1000);
      expect(at(S + 1).activeUsers).toBe(8);
      expect(Math.max(...windows.filter((w) => w.second < S).map((w) => w.activeUsers))).toBe(4);

      await stopRun(runId);
      expect(sum(await orch.windowsOf(runId))).toBe(requests.filter((r) => r.url.startsWith("/c")).length);
    } finally {
      await worker.stop();
    }
  });

  it("open: a pause skips the arrivals (not dropped), the echo alone enough; a scale ×2 doubles the rate", async () => {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-ctl-open", threads: 1 });
    await worker.start();
    const runId = "run-ctl-open";
    try {
      const workload = {
        type: "constant-arrival-rate" as const,
        rate: 40,
        timeUnitSec: 1,
        durationSec: 60,
        preAllocatedVUs: 2,
        maxVUs: 20,
      };
      await startRun(runId, worker.id, { targetUrl: server.url, requests: [{ method: "GET", path: "/o" }], workload });
      await eventually(async () => (await orch.windowsOf(runId)).filter((w) => sum([w]) > 0).length >= 2, 10_000);

      // The pause by its echo first: the stream gets it only once the worker acted on it (then a no-op).
      const command = createCommand({ ...onRun(runId), type: "run.pause", data: {} });
      const run = await loadAggregate(orch.store, runDecider, TENANT, command.aggregate);
      const events = eventsFromCommand(command, runDecider.decide(run.state, command));
      orch.env.nc.publish(subjects.runControl(orch.env.ns, TENANT, runId), JSON.stringify(events[0]));
      const paused = atOf(events[0]!);
      const P = secondOf(paused);
      await sleep(500);
      const quiet = requests.length;
      await sleep(300);
      expect(requests.length).toBe(quiet);
      await orch.store.append(TENANT, command.aggregate, events, { expectedSeq: run.seq });
      await windowsThrough(runId, P + 3);
      const resumed = atOf(await control(runId, "run.resume"));
      const R = secondOf(resumed);
      await windowsThrough(runId, R + 2);
      const scaled = await scale(runId, { rate: 80 });
      expect(scaled.data).toMatchObject({ rate: 80, vuFactor: 1, rateFactor: 2 });
      const S = secondOf(atOf(scaled));
      const windows = await windowsThrough(runId, S + 3);
      const at = (second: number) => windows.find((w) => w.second === second)!;

      expect(Math.max(paused, ...cameBetween("/o", paused, resumed).map((r) => r.at)) - paused).toBeLessThan(1000);
      for (let s = P; s < R; s++) expect(at(s).paused, `second ${s}`).toBe(true);
      for (let s = P + 2; s < R; s++) expect(sum([at(s)]), `second ${s}`).toBe(0);
      // What fell due while paused was skipped: not a drop, not a burst at the resume.
      expect(windows.reduce((n, w) => n + (w.droppedIterations ?? 0), 0)).toBe(0);
      expect(cameBetween("/o", resumed, resumed + 1000).length).toBeGreaterThan(0);
      // Resumed at the planned rate (40 a second), with no burst.
      expect(sum([at(R + 1)])).toBeGreaterThanOrEqual(36);
      expect(sum([at(R + 1)])).toBeLessThanOrEqual(44);
      // The scale: the seconds after it get 80 arrivals a second (a few either way at its edges, as timers wake late on a busy machine).
      for (const s of [S + 1, S + 2]) {
        expect(sum([at(s)]), `second ${s}`).toBeGreaterThanOrEqual(76);
        expect(sum([at(s)]), `second ${s}`).toBeLessThanOrEqual(84);
      }
      expect(cameBetween("/o", atOf(scaled) + 100, atOf(scaled) + 1100).length).toBeGreaterThanOrEqual(70);

      await stopRun(runId);
      expect(sum(await orch.windowsOf(runId))).toBe(requests.filter((r) => r.url.startsWith("/o")).length);
    } finally {
      await worker.stop();
    }
  });

  it("a worker that joins a paused, scaled run takes its control from the run's events", async () => {
    const runId = "run-ctl-join";
    const data: CommandData<"run.create"> = {
      loadTestId: "lt-1",
      targetUsers: 2,
      spawnRate: 1000,
      durationSec: 60,
      target: { targetUrl: server.url, requests: [{ method: "GET", path: "/j?vu={{__vu}}" }] },
    };
    // Started on a worker that is gone, then paused and scaled: the lane waits for a worker.
    await orch.decide(createCommand({ ...onRun(runId), type: "run.create", data }));
    await orch.decide(
      createCommand({
        ...onRun(runId),
        type: "run.assign",
        data: { laneCount: 1, assignments: [{ workerId: "w-gone", lanes: [0], vus: 2, arrivalRate: 0 }] },
      }),
    );
    await orch.decide(createCommand({ ...onRun(runId), type: "run.report-worker-ready", data: { workerId: "w-gone" } }));
    await control(runId, "run.pause");
    await scale(runId, { vus: 4 });
    const lastSeenAt = new Date().toISOString();
    await orch.decide(
      createCommand({ ...onRun(runId), type: "run.reassign", data: { lostWorkerId: "w-gone", lastSeenAt, assignments: [] } }),
    );

    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-ctl-joiner", threads: 1 });
    await worker.start();
    try {
      await orch.decide(
        createCommand({
          ...onRun(runId),
          type: "run.reassign-unheld",
          data: { assignments: [{ workerId: worker.id, lanes: [0], vus: 2, arrivalRate: 0, replaces: "w-gone" }] },
        }),
      );
      // It joined paused: its windows say so, with nothing sent.
      const joined = await eventually(async () => {
        const windows = (await orch.windowsOf(runId)).filter((w) => w.workerId === worker.id);
        return windows.length >= 2 ? windows : undefined;
      }, 10_000);
      expect(joined.map((w) => [w.paused, w.activeUsers, sum([w])])).toEqual(joined.map(() => [true, 0, 0]));
      expect(cameBetween("/j", 0, Date.now())).toEqual([]);
      // Resumed: the scaled count, 4 VUs.
      await control(runId, "run.resume");
      await eventually(async () => (await orch.windowsOf(runId)).some((w) => w.workerId === worker.id && w.activeUsers === 4), 10_000);
      expect(new Set(cameBetween("/j", 0, Date.now()).map((r) => r.url))).toEqual(new Set(["/j?vu=1", "/j?vu=2", "/j?vu=3", "/j?vu=4"]));
      await stopRun(runId);
    } finally {
      await worker.stop();
    }
  });
});
