import type { RunPlan } from "@loadline/core";
import { afterEach, describe, expect, it } from "vitest";
import { type CountingServer, countingServer } from "../test-support.ts";
import { ALL_LANES, startNow } from "./load-engine.ts";
import { MultiThreadEngine } from "./multi-thread-engine.ts";
import { SpareThreads } from "./spare-threads.ts";

let server: CountingServer | undefined;
let spares: SpareThreads | undefined;
afterEach(async () => {
  await spares?.close();
  await server?.close();
  server = spares = undefined;
});

const planOf = (url: string, iterations: number): RunPlan => ({
  targetUrl: url,
  workload: { type: "shared-iterations", vus: 2, iterations, maxDurationSec: 10 },
  scenarios: [
    {
      name: "s",
      weight: 1,
      variables: {},
      steps: [{ type: "request", method: "GET", url: "/a?w={{__worker}}", timeoutMs: 5000, checks: [], extract: [] }],
    },
  ],
});

async function runOn(threads: SpareThreads, runId: string, workerId: string, iterations: number): Promise<void> {
  const engine = new MultiThreadEngine({
    runId,
    workerId,
    plan: planOf(server!.url, iterations),
    share: ALL_LANES,
    threads: 2,
    spares: threads,
    onWindows: () => undefined,
    onError: (err) => {
      throw err;
    },
  });
  await startNow(engine);
  await engine.finished;
  expect(await engine.stop(2000)).toEqual({ requests: iterations, failures: 0 });
}

describe("SpareThreads", () => {
  it("gives a run threads started ahead, each given its run then, and starts new ones when refilled", async () => {
    server = await countingServer({ delayMs: 1 });
    spares = new SpareThreads(2);
    expect(spares.ready).toBe(2);
    const first = [spares.take(), spares.take()];
    expect(first.every((t) => t !== undefined)).toBe(true);
    // Taken, and none left until the worker is idle and refills: the engine then starts its own.
    expect(spares.take()).toBeUndefined();
    spares.refill();
    expect(spares.ready).toBe(2);
    const second = [spares.take(), spares.take()];
    expect(second.some((t) => first.includes(t))).toBe(false); // a thread is never handed out twice
    for (const t of [...first, ...second]) await t?.terminate();

    // Runs on spares do their whole work, each its own (the worker id reaches the threads with the run).
    spares.refill();
    await runOn(spares, "r1", "w1", 40);
    spares.refill();
    await runOn(spares, "r2", "w2", 30);
    expect(server.received.get("GET /a?w=w1")).toBe(40);
    expect(server.received.get("GET /a?w=w2")).toBe(30);
  }, 30_000);

  it("gives nothing once closed: the engine starts its own threads", async () => {
    spares = new SpareThreads(1);
    await spares.close();
    expect(spares.take()).toBeUndefined();
    expect(spares.ready).toBe(0);
  });
});
