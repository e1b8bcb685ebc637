import type { TargetPolicy } from "../access/target-policy.ts";
import type { RequestSpec } from "../schemas/load-test.ts";
import type { RunParameters, RunTarget } from "../schemas/run.ts";
import type { Executor } from "./executors.ts";
import type { HttpOptions } from "./http-options.ts";
import type { RequestStep, Scenario } from "./scenario.ts";

export const DEFAULT_SCENARIO = "default";

/** The simple form's requests as the steps of one scenario. */
export function stepsOfRequests(requests: readonly RequestSpec[]): RequestStep[] {
  return requests.map((r) => ({
    type: "request",
    ...(r.name ? { name: r.name } : {}),
    method: r.method,
    url: r.path,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.body !== undefined ? { body: { raw: r.body } } : {}),
    timeoutMs: 60_000,
    checks: [],
    extract: [],
  }));
}

/**
 * What a worker runs: the scenarios, and the workload those without an executor of their own
 * share; where the load may connect (absent: anywhere, as in `local-run`), and the values of
 * the secrets the scenarios refer to (opened in the worker's memory, never written).
 */
export type RunPlan = {
  targetUrl: string;
  scenarios: Scenario[];
  workload: Executor;
  /** The test's HTTP version and TLS options, the default of every request step. */
  http?: HttpOptions;
  targetPolicy?: TargetPolicy;
  secrets?: Readonly<Record<string, string>>;
  /** What the run's setup extracted, opened (by name, without `setup.`): what `{{setup.NAME}}` renders. */
  setupValues?: Readonly<Record<string, string>>;
  /** A locust test's locustfile: Locust runs the workload's users (docs/locust.md), not the scenarios. */
  locustfile?: string;
};

/**
 * What a locust plan holds for its scenarios: one without steps, so that the workload is the
 * plan's one executor and lanes, capacity and quotas count its users as they count any VUs.
 */
export const LOCUST_SCENARIO: Scenario = { name: "locust", weight: 1, variables: {}, steps: [] };

export function runPlan(target: RunTarget, parameters: RunParameters): RunPlan {
  const locustfile = target.engine === "locust" ? target.locustfile : undefined;
  const scenarios: Scenario[] =
    locustfile !== undefined
      ? [LOCUST_SCENARIO]
      : (target.scenarios ?? [{ name: DEFAULT_SCENARIO, weight: 1, variables: {}, steps: stepsOfRequests(target.requests ?? []) }]);
  const workload: Executor = target.workload ?? {
    type: "constant-vus",
    vus: parameters.targetUsers,
    durationSec: parameters.durationSec,
    spawnRate: parameters.spawnRate,
  };
  return {
    targetUrl: target.targetUrl,
    scenarios,
    workload,
    ...(target.http ? { http: target.http } : {}),
    ...(locustfile !== undefined ? { locustfile } : {}),
  };
}

const part = (total: number, fraction: number, min = 0): number => Math.max(min, Math.round(total * fraction));

/**
 * One worker's part of an executor: VUs, rates and iterations times its fraction (at least
 * one VU where there is any), durations and stages' timing unchanged.
 */
export function scaleExecutor(e: Executor, fraction: number): Executor {
  if (fraction >= 1) return e;
  const stages = (s: { durationSec: number; target: number }[], integer: boolean) =>
    s.map((x) => ({ ...x, target: integer ? part(x.target, fraction) : x.target * fraction }));
  switch (e.type) {
    case "constant-vus":
      return { ...e, vus: part(e.vus, fraction, 1), ...(e.spawnRate ? { spawnRate: e.spawnRate * fraction } : {}) };
    case "ramping-vus":
      return { ...e, startVUs: part(e.startVUs, fraction), stages: stages(e.stages, true) };
    case "constant-arrival-rate":
      return {
        ...e,
        rate: e.rate * fraction,
        preAllocatedVUs: part(e.preAllocatedVUs, fraction, 1),
        ...(e.maxVUs ? { maxVUs: part(e.maxVUs, fraction, 1) } : {}),
      };
    case "ramping-arrival-rate":
      return {
        ...e,
        startRate: e.startRate * fraction,
        stages: stages(e.stages, false),
        preAllocatedVUs: part(e.preAllocatedVUs, fraction, 1),
        ...(e.maxVUs ? { maxVUs: part(e.maxVUs, fraction, 1) } : {}),
      };
    case "per-vu-iterations":
      return { ...e, vus: part(e.vus, fraction, 1) };
    case "shared-iterations":
      return { ...e, vus: part(e.vus, fraction, 1), iterations: part(e.iterations, fraction, 1) };
  }
}
