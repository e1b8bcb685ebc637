import { describe, expect, it } from "vitest";
import { loadTestInputSchema } from "../schemas/load-test.ts";
import { firstIssue } from "../validation.ts";
import { DEFAULT_GRACEFUL_STOP_SEC, durationMs, gracefulStopMs, maxGracefulStopMs } from "./graceful-stop.ts";
import { planExecutors } from "./lanes.ts";
import { runPlan } from "./normalize.ts";

const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const requests = [{ method: "GET", path: "/" }];
const step = { type: "request", url: "/" };

/** The field and message a 400 would carry for this spec as a write, or "ok". */
function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  return r.success ? "ok" : firstIssue(r.error);
}

describe("gracefulStop", () => {
  it("reads k6's duration strings", () => {
    expect(durationMs("30s")).toBe(30_000);
    expect(durationMs("1m30s")).toBe(90_000);
    expect(durationMs("500ms")).toBe(500);
    expect(durationMs("1.5s")).toBe(1500);
    expect(durationMs("1h")).toBe(3_600_000);
    expect(durationMs("0s")).toBe(0);
    for (const bad of ["", "30", "s", "-1s", "1d", "1 s", "1m 30s", "1e3s", "ms"]) expect(durationMs(bad), bad).toBeUndefined();
  });

  it("is seconds or a duration on any executor, the default when absent", () => {
    expect(gracefulStopMs({})).toBe(DEFAULT_GRACEFUL_STOP_SEC * 1000);
    expect(gracefulStopMs({ gracefulStop: 0 })).toBe(0);
    expect(gracefulStopMs({ gracefulStop: 2.5 })).toBe(2500);
    expect(gracefulStopMs({ gracefulStop: "1m" })).toBe(60_000);
    const workload = { type: "shared-iterations", vus: 2, iterations: 10, gracefulStop: "45s" };
    expect(verdict({ ...base, requests, workload })).toBe("ok");
    const own = { type: "constant-arrival-rate", rate: 5, durationSec: 10, preAllocatedVUs: 2, gracefulStop: 12 };
    expect(verdict({ ...base, scenarios: [{ name: "a", steps: [step], executor: own }] })).toBe("ok");
  });

  it("refuses anything else, naming the field", () => {
    for (const gracefulStop of ["soon", "30", -1, 3601, "2h", true, null]) {
      const spec = { ...base, requests, workload: { type: "constant-vus", vus: 1, durationSec: 5, gracefulStop } };
      const v = verdict(spec);
      expect(v, String(gracefulStop)).not.toBe("ok");
      expect(v).toMatchObject({
        field: "workload.gracefulStop",
        message: expect.stringMatching(/^workload\.gracefulStop: gracefulStop must be/),
      });
    }
    const executor = { type: "ramping-vus", stages: [{ durationSec: 5, target: 2 }], gracefulStop: "forever" };
    expect(verdict({ ...base, scenarios: [{ name: "a", steps: [step], executor }] })).toMatchObject({
      field: "scenarios.0.executor.gracefulStop",
    });
  });

  it("the longest of a plan's executors bounds how long its stop may take", () => {
    const plan = runPlan(
      {
        targetUrl: "http://127.0.0.1:1",
        workload: { type: "constant-vus", vus: 1, durationSec: 5, gracefulStop: 2 },
        scenarios: [
          { name: "shared", weight: 1, variables: {}, steps: [] },
          {
            name: "own",
            weight: 1,
            variables: {},
            steps: [],
            executor: { type: "per-vu-iterations", vus: 1, iterations: 1, maxDurationSec: 5, gracefulStop: "20s" },
          },
        ],
      },
      { targetUsers: 1, spawnRate: 1, durationSec: 5 },
    );
    expect(maxGracefulStopMs(planExecutors(plan))).toBe(20_000);
    // The simple form's workload, made from the run's parameters, has the default.
    const simple = runPlan(
      { targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET", path: "/" }] },
      { targetUsers: 1, spawnRate: 1, durationSec: 5 },
    );
    expect(maxGracefulStopMs(planExecutors(simple))).toBe(DEFAULT_GRACEFUL_STOP_SEC * 1000);
  });
});
