// biome-ignore-all lint/suspicious/noTemplateCurlyInString: a locustfile's ${...} must stay as written, which these tests are about.
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.ts";
import { loadTestInputSchema, loadTestSpecSchema } from "../schemas/load-test.ts";
import { compileRun } from "./compile-run.ts";
import { planExecutors } from "./lanes.ts";
import { LOCUSTFILE_MAX_BYTES } from "./locust.ts";
import { LOCUST_SCENARIO, runPlan } from "./normalize.ts";

const LOCUSTFILE = `from locust import HttpUser, task

class Shopper(HttpUser):
    @task
    def home(self):
        self.client.get("/fixed?ms=1")
`;

const locustTest = (over: object = {}) => ({
  name: "API Test",
  targetUrl: "http://127.0.0.1:8080",
  engine: "locust",
  locustfile: LOCUSTFILE,
  defaultUsers: 10,
  defaultSpawnRate: 5,
  defaultDurationSec: 60,
  ...over,
});

/** The paths of a refused spec's issues, dotted. */
const issuePaths = (input: unknown): string[] => (loadTestInputSchema.safeParse(input).error?.issues ?? []).map((i) => i.path.join("."));

describe("the locust form of a test", () => {
  it("is accepted with its locustfile and the defaults, and has neither requests nor scenarios", () => {
    const spec = loadTestInputSchema.parse(locustTest());
    expect(spec).toMatchObject({ engine: "locust", locustfile: LOCUSTFILE, defaultUsers: 10 });
    expect(spec.requests).toBeUndefined();
    expect(spec.scenarios).toBeUndefined();
  });

  it("is accepted with a constant-vus or ramping-vus workload instead of the defaults", () => {
    const ramp = { type: "ramping-vus", startVUs: 0, stages: [{ durationSec: 10, target: 4 }] };
    expect(loadTestInputSchema.safeParse({ ...locustTest({ workload: ramp }), defaultUsers: undefined }).success).toBe(true);
  });

  it("refuses requests, scenarios and HTTP options beside a locustfile, naming each", () => {
    expect(issuePaths(locustTest({ requests: [{ method: "GET", path: "/" }] }))).toEqual(["requests"]);
    const scenarios = [{ name: "s", steps: [{ type: "request", method: "GET", url: "/" }] }];
    expect(issuePaths(locustTest({ scenarios }))).toEqual(["scenarios"]);
    expect(issuePaths(locustTest({ http: { version: "2" } }))).toEqual(["http"]);
  });

  it("refuses a workload Locust cannot run, naming the field and what it can", () => {
    const open = { type: "constant-arrival-rate", rate: 10, durationSec: 10, preAllocatedVUs: 2 };
    const r = loadTestInputSchema.safeParse(locustTest({ workload: open }));
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["workload", expect.stringMatching(/constant-vus or ramping-vus, not constant-arrival-rate/)],
    ]);
    expect(issuePaths(locustTest({ workload: { type: "per-vu-iterations", vus: 1, iterations: 2 } }))).toEqual(["workload"]);
  });

  it("refuses a locustfile without the engine, an engine without a locustfile, and one too big", () => {
    expect(issuePaths(locustTest({ engine: undefined }))).toContain("locustfile");
    expect(issuePaths(locustTest({ locustfile: undefined }))).toEqual(["locustfile"]);
    expect(issuePaths(locustTest({ engine: "jmeter" }))).toEqual(["engine"]);
    expect(issuePaths(locustTest({ locustfile: "#".repeat(LOCUSTFILE_MAX_BYTES + 1) }))).toEqual(["locustfile"]);
    // Bytes, not characters: 2-byte characters fill it at half the length.
    expect(issuePaths(locustTest({ locustfile: "é".repeat(LOCUSTFILE_MAX_BYTES / 2 + 1) }))).toEqual(["locustfile"]);
  });

  it("still requires the defaults when it has no workload", () => {
    expect(issuePaths(locustTest({ defaultUsers: undefined }))).toEqual(["defaultUsers"]);
  });
});

describe("a run of a locust test", () => {
  const spec = loadTestSpecSchema.parse(locustTest({ locustfile: 'import os\nURL = "${HOME}/{{env.X}}"\n' + LOCUSTFILE }));

  it("carries the locustfile as written (no env substitution in tenant code) and the workload from the run's users", () => {
    const { parameters, target } = compileRun(spec, { targetUsers: 4, spawnRate: 2, durationSec: 30, env: {} });
    expect(target).toMatchObject({ engine: "locust", locustfile: spec.locustfile });
    expect(target.requests).toBeUndefined();
    expect(target.workload).toEqual({ type: "constant-vus", vus: 4, spawnRate: 2, durationSec: 30 });
    expect(parameters).toEqual({ targetUsers: 4, spawnRate: 2, durationSec: 30 });
  });

  it("refuses a workload override Locust cannot run, naming it", () => {
    try {
      compileRun(spec, { workload: { type: "shared-iterations", vus: 2, iterations: 10, maxDurationSec: 60 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).field).toBe("workload");
    }
  });

  it("plans the workload as its one executor, so lanes and capacity count Locust's users as VUs", () => {
    const { parameters, target } = compileRun(spec, { targetUsers: 6 });
    const plan = runPlan(target, parameters);
    expect(plan.locustfile).toBe(spec.locustfile);
    expect(plan.scenarios).toEqual([LOCUST_SCENARIO]);
    expect(planExecutors(plan)).toEqual([target.workload]);
  });
});
