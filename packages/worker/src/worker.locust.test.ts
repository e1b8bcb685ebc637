import { type CommandData, createCommand, DEFAULT_TENANT, type RunTarget } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCUST_NOT_ENABLED } from "./engine/engine-factory.ts";
import { onRun as onTenantRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { type CountingServer, countingServer } from "./test-support.ts";
import { LoadWorker } from "./worker.ts";

/*
 * A locustfile is tenant code run on the worker's host: only a worker whose operator turned the
 * Locust engine on runs one. Another fails the run with why, and sends nothing.
 */

const log = createLogger("worker-test", "silent");
const onRun = (runId: string) => onTenantRun(DEFAULT_TENANT, runId);

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/home")
`;

describe("LoadWorker and locust runs", () => {
  let orch: TestOrchestrator;
  let target: CountingServer;
  const workers: LoadWorker[] = [];

  beforeAll(async () => {
    orch = await testOrchestrator();
    target = await countingServer({ delayMs: 1 });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await target?.close();
    await orch?.close();
  });

  async function workerWith(id: string, engines?: ["locust"]): Promise<LoadWorker> {
    const worker = new LoadWorker({ nc: orch.env.nc, ns: orch.env.ns, log, workerId: id, threads: 1, ...(engines ? { engines } : {}) });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  async function createAndAssign(runId: string, worker: LoadWorker, locustfile: string) {
    const runTarget: RunTarget = {
      targetUrl: target.url,
      engine: "locust",
      locustfile,
      workload: { type: "constant-vus", vus: 2, durationSec: 30 },
    };
    const data: CommandData<"run.create"> = { loadTestId: "lt-locust", targetUsers: 2, spawnRate: 2, durationSec: 30, target: runTarget };
    await orch.decide(createCommand({ ...onRun(runId), type: "run.create", data }));
    await orch.decide(
      createCommand({
        ...onRun(runId),
        type: "run.assign",
        data: { laneCount: 1, assignments: [{ workerId: worker.id, lanes: [0], vus: 2, arrivalRate: 0 }] },
      }),
    );
  }

  const failureOf = (runId: string) =>
    eventually(() => orch.commands.find((c) => c.type === "run.report-worker-failed" && c.aggregate.id === runId), 15_000);

  it("fails a locust run on a worker without the Locust engine, saying why, and sends nothing", async () => {
    const worker = await workerWith("w-no-locust");
    await createAndAssign("run-no-locust", worker, LOCUSTFILE);
    expect((await failureOf("run-no-locust")).data).toEqual({ workerId: "w-no-locust", reason: LOCUST_NOT_ENABLED });
    expect(orch.commands.some((c) => c.type === "run.report-worker-ready" && c.aggregate.id === "run-no-locust")).toBe(false);
    expect(worker.runIds()).not.toContain("run-no-locust");
    expect(target.total()).toBe(0);
  });

  it("fails a run whose locustfile does not import, with Python's error, on a worker that runs locustfiles", async () => {
    const worker = await workerWith("w-locust", ["locust"]);
    await createAndAssign("run-broken", worker, "import no_such_module\n");
    const failed = await failureOf("run-broken");
    expect((failed.data as { reason: string }).reason).toMatch(/before it was ready: .*No module named 'no_such_module'/);
    expect(target.total()).toBe(0);
  }, 30_000);
});
