import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.ts";
import { type LoadTestSpec, loadTestSpecSchema } from "../schemas/load-test.ts";
import { compileRun } from "./compile-run.ts";
import type { Executor } from "./executors.ts";

/** run.start's `workload` override (what a benchmark starts): the test's shared workload replaced whole. */
const spec = (over: object = {}): LoadTestSpec =>
  loadTestSpecSchema.parse({
    name: "t",
    targetUrl: "http://127.0.0.1:1",
    defaultUsers: 10,
    defaultSpawnRate: 5,
    defaultDurationSec: 60,
    requests: [{ method: "GET", path: "/" }],
    ...over,
  });
const jobs: Executor = { type: "shared-iterations", vus: 4, iterations: 100, maxDurationSec: 30 };
const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.field;
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("compileRun with a workload override", () => {
  it("runs the test's requests under the given workload, its figures the workload's", () => {
    const { parameters, target } = compileRun(spec(), { workload: jobs });
    expect(target.workload).toEqual(jobs);
    expect(parameters).toMatchObject({ targetUsers: 4, durationSec: 30 });
  });

  it("replaces a test's own shared workload too", () => {
    const { target } = compileRun(spec({ workload: { type: "constant-arrival-rate", rate: 5, durationSec: 10, preAllocatedVUs: 2 } }), {
      workload: jobs,
    });
    expect(target.workload).toEqual(jobs);
  });

  it("refuses parameters beside it, and a test whose scenarios have their own executors", () => {
    expect(fieldOf(() => compileRun(spec(), { workload: jobs, targetUsers: 3 }))).toBe("targetUsers");
    const own = spec({
      requests: undefined,
      scenarios: [
        { name: "s", executor: { type: "constant-vus", vus: 1, durationSec: 5 }, steps: [{ type: "request", method: "GET", url: "/" }] },
      ],
    });
    expect(fieldOf(() => compileRun(own, { workload: jobs }))).toBe("workload");
  });
});
