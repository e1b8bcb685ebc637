import type { RunPlan } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { createLoadEngine } from "./engine-factory.ts";
import { InlineEngine } from "./inline-engine.ts";
import { ALL_LANES } from "./load-engine.ts";
import { MultiThreadEngine } from "./multi-thread-engine.ts";

const plan: RunPlan = {
  targetUrl: "http://127.0.0.1:9",
  workload: { type: "constant-vus", vus: 1, durationSec: 1 },
  scenarios: [
    {
      name: "s",
      weight: 1,
      variables: {},
      steps: [{ type: "request", method: "GET", url: "/", timeoutMs: 1000, checks: [], extract: [] }],
    },
  ],
};
const options = { runId: "r1", workerId: "w1", plan, share: ALL_LANES, onWindows: () => undefined, onError: () => undefined };

describe("createLoadEngine", () => {
  it("runs even one thread's load off the calling thread, which a worker's heartbeats need", async () => {
    const engine = createLoadEngine({ ...options, threads: 1 });
    expect(engine).toBeInstanceOf(MultiThreadEngine);
    await engine.stop(0);
  });

  it("runs one thread inline only when allowed (a local run, with no heartbeat to keep)", async () => {
    const engine = createLoadEngine({ ...options, threads: 1, allowInline: true });
    expect(engine).toBeInstanceOf(InlineEngine);
    await engine.stop(0);
  });
});
