import {
  type CommandData,
  type CommandEnvelope,
  createCommand,
  DEFAULT_TENANT,
  eventsFromCommand,
  loadAggregate,
  runDecider,
} from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOf, onRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { type CountingServer, countingServer } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

const log = createLogger("worker-test", "silent");
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

/** Decides a run command on the run's stored events and appends what it decided, as the orchestrator does. */
async function decide(command: CommandEnvelope): Promise<void> {
  const run = await loadAggregate(orch.store, runDecider, command.tenantId, command.aggregate);
  await orch.store.append(command.tenantId, command.aggregate, eventsFromCommand(command, runDecider.decide(run.state, command as never)), {
    expectedSeq: run.seq,
  });
}
const on = (runId: string) => onRun(DEFAULT_TENANT, runId);

describe("LoadWorker joining a run under way", () => {
  it("takes the lanes a lost worker left unheld and runs them at once, with no ready report", async () => {
    const runId = "run-join";
    const create: CommandData<"run.create"> = {
      loadTestId: "lt-1",
      targetUsers: 2,
      spawnRate: 20,
      durationSec: 60,
      target: { targetUrl: server.url, requests: [{ method: "GET", path: "/a" }] },
    };
    // Started on a worker that is then lost with nobody to take its lane: the run goes on, short of it.
    await decide(createCommand({ ...on(runId), type: "run.create", data: create }));
    await decide(
      createCommand({
        ...on(runId),
        type: "run.assign",
        data: { laneCount: 1, assignments: [{ workerId: "w-gone", lanes: [0], vus: 2, arrivalRate: 0 }] },
      }),
    );
    await decide(createCommand({ ...on(runId), type: "run.report-worker-ready", data: { workerId: "w-gone" } }));
    const lastSeenAt = new Date().toISOString();
    await decide(createCommand({ ...on(runId), type: "run.reassign", data: { lostWorkerId: "w-gone", lastSeenAt, assignments: [] } }));

    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: "w-joiner", threads: 1 });
    await worker.start();
    try {
      const before = server.total();
      await decide(
        createCommand({
          ...on(runId),
          type: "run.reassign-unheld",
          data: { assignments: [{ workerId: worker.id, lanes: [0], vus: 2, arrivalRate: 0, replaces: "w-gone" }] },
        }),
      );
      await eventually(async () => (await orch.windowsOf(runId)).some((w) => w.workerId === worker.id && w.activeUsers === 2), 5_000);
      // The run is under way: a ready report would be a late one, ignored.
      expect(orch.commands.some((c) => c.type === "run.report-worker-ready" && c.aggregate.id === runId)).toBe(false);

      await decide(createCommand({ ...on(runId), type: "run.stop", data: { reason: "requested" } }));
      const stopped = (await orch.commandOf("run.report-worker-stopped", runId)).data;
      expect(stopped.workerId).toBe(worker.id);
      expect(stopped.requests).toBeGreaterThan(0);
      expect(stopped.requests).toBe(server.total() - before);
      expect(countOf(await orch.windowsOf(runId))).toBe(stopped.requests);
    } finally {
      await worker.stop();
    }
  });
});
