// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} env placeholders are part of what these tests are about.
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.ts";
import { type LoadTestSpec, loadTestInputSchema, loadTestSpecSchema } from "../schemas/load-test.ts";
import { compileRun } from "./compile-run.ts";

const spec = (over: object): LoadTestSpec =>
  loadTestSpecSchema.parse({
    name: "t",
    targetUrl: "http://127.0.0.1:1",
    defaultUsers: 10,
    defaultSpawnRate: 5,
    defaultDurationSec: 60,
    requests: [{ method: "GET", path: "/" }],
    ...over,
  });

const refusal = (fn: () => unknown): { code: string; field: string | undefined } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("compileRun", () => {
  it("makes the default workload explicit from the test's defaults and the overrides", () => {
    const { parameters, target } = compileRun(spec({}), { targetUsers: 3 });
    expect(parameters).toEqual({ targetUsers: 3, spawnRate: 5, durationSec: 60 });
    expect(target.workload).toEqual({ type: "constant-vus", vus: 3, spawnRate: 5, durationSec: 60 });
    expect(target.requests).toHaveLength(1);
  });

  it("takes the run's duration from the longest executor and its users from the peaks", () => {
    const s = spec({
      requests: undefined,
      workload: {
        type: "ramping-vus",
        stages: [
          { durationSec: 10, target: 20 },
          { durationSec: 10, target: 0 },
        ],
      },
      scenarios: [
        { name: "browse", weight: 3, steps: [{ type: "request", url: "/" }] },
        {
          name: "spike",
          executor: { type: "constant-arrival-rate", rate: 50, durationSec: 30, preAllocatedVUs: 5, maxVUs: 15 },
          steps: [{ type: "request", url: "/" }],
        },
      ],
    });
    expect(compileRun(s).parameters).toEqual({ targetUsers: 35, spawnRate: 5, durationSec: 30 });
  });

  it("applies a duration override to a constant-arrival-rate workload, and refuses users", () => {
    const s = spec({ workload: { type: "constant-arrival-rate", rate: 100, durationSec: 30, preAllocatedVUs: 10 } });
    expect(compileRun(s, { durationSec: 5 }).target.workload).toMatchObject({ durationSec: 5, rate: 100 });
    expect(refusal(() => compileRun(s, { targetUsers: 5 }))).toEqual({ code: "invalid", field: "targetUsers" });
  });

  it("refuses overrides of a ramping workload, naming the field", () => {
    const s = spec({ workload: { type: "ramping-vus", stages: [{ durationSec: 10, target: 5 }] } });
    expect(refusal(() => compileRun(s, { durationSec: 5 }))).toEqual({ code: "invalid", field: "durationSec" });
  });

  it("refuses a run longer than the test's maxDurationSec", () => {
    expect(refusal(() => compileRun(spec({ maxDurationSec: 60 }), { durationSec: 61 }))).toEqual({ code: "invalid", field: "durationSec" });
  });
  describe("env", () => {
    const templated = () =>
      loadTestInputSchema.parse({
        name: "t",
        targetUrl: "${BASE_URL}",
        workload: { type: "constant-vus", vus: 1, durationSec: 5 },
        scenarios: [
          {
            name: "s",
            steps: [
              { type: "request", url: "{{env.API}}/items?v=${VERSION:-1}", headers: { "X-Env": "${STAGE}" } },
              { type: "request", url: "/x/{{__vu}}", headers: { Authorization: "Bearer {{secrets.TOKEN}}" } },
            ],
          },
        ],
        thresholds: { error_rate: ["rate<${MAX_FAILED:-0.01}"] },
      });
    const env = { BASE_URL: "http://127.0.0.1:9", API: "http://127.0.0.1:9/api", STAGE: "qa" };

    it("fills the run's target from the run's env, leaving the worker's templates", () => {
      const { target } = compileRun(templated(), { env });
      expect(target.targetUrl).toBe("http://127.0.0.1:9");
      expect(target.scenarios?.[0]?.steps).toMatchObject([
        { url: "http://127.0.0.1:9/api/items?v=1", headers: { "X-Env": "qa" } },
        { url: "/x/{{__vu}}", headers: { Authorization: "Bearer {{secrets.TOKEN}}" } },
      ]);
      expect(target.thresholds).toEqual({ error_rate: ["rate<0.01"] });
    });

    it("refuses a missing variable naming the field, and a filled url that is none", () => {
      expect(refusal(() => compileRun(templated(), { env: { ...env, STAGE: undefined as unknown as string } }))).toEqual({
        code: "invalid",
        field: "scenarios.0.steps.0.headers.X-Env",
      });
      expect(refusal(() => compileRun(templated()))).toEqual({ code: "invalid", field: "targetUrl" });
      expect(refusal(() => compileRun(templated(), { env: { ...env, BASE_URL: "ftp://x" } }))).toEqual({
        code: "invalid",
        field: "targetUrl",
      });
      expect(refusal(() => compileRun(templated(), { env: { ...env, API: "nope" } }))).toEqual({
        code: "invalid",
        field: "scenarios.0.steps.0.url",
      });
    });

    it("refuses a malformed placeholder when the test is written", () => {
      const written = loadTestInputSchema.safeParse({ ...templated(), targetUrl: "${base url}" });
      expect(written.error?.issues.map((i) => i.path.join("."))).toEqual(["targetUrl"]);
      expect(loadTestInputSchema.safeParse({ ...templated(), targetUrl: "nope" }).success).toBe(false);
    });
  });
});
