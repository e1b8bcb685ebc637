import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import type { RunParameters, RunTarget } from "../schemas/run.ts";
import { parseThresholds } from "../thresholds/parse.ts";
import type { Thresholds } from "../thresholds/threshold-types.ts";
import { EnvSubstitutionError, type RunEnv, substituteEnv } from "./env.ts";
import { type Executor, executorDurationSec, executorMaxVUs } from "./executors.ts";
import { locustWorkloadRefusal } from "./locust.ts";
import { isHttpUrl, stepUrlError } from "./step-url.ts";

/**
 * A run's own values over its test's: parameters, and thresholds (or a shared workload) that
 * replace the test's whole; and its env, what the test's `${NAME}` placeholders are filled with.
 */
export type RunOverrides = Partial<RunParameters> & {
  thresholds?: Thresholds | undefined;
  workload?: Executor | undefined;
  env?: RunEnv | undefined;
};

/**
 * The test's workload with the run's overrides, where an override means something for it.
 * Undefined for a test without a workload nor defaults: every scenario has its own executor then
 * (loadTestSpecSchema), so there is no shared workload to make.
 */
function workloadOf(spec: LoadTestSpec, o: RunOverrides): Executor | undefined {
  if (o.workload) {
    // A whole workload says its own VUs and duration: a parameter beside it would be ambiguous.
    for (const field of ["targetUsers", "spawnRate", "durationSec"] as const)
      if (o[field] !== undefined) throw new DomainError("invalid", `${field} cannot be given with a workload override`, field);
    if (spec.scenarios?.some((s) => s.executor))
      throw new DomainError(
        "invalid",
        "the test's scenarios have their own executors: a workload override cannot replace them",
        "workload",
      );
    return o.workload;
  }
  const w = spec.workload;
  if (!w) {
    const vus = o.targetUsers ?? spec.defaultUsers;
    const spawnRate = o.spawnRate ?? spec.defaultSpawnRate;
    const durationSec = o.durationSec ?? spec.defaultDurationSec;
    if (vus === undefined || durationSec === undefined) return undefined;
    return { type: "constant-vus", vus, ...(spawnRate !== undefined ? { spawnRate } : {}), durationSec };
  }
  const refuse = (field: keyof RunOverrides) => {
    throw new DomainError("invalid", `${field} cannot override a ${w.type} workload: change the test's workload instead`, field);
  };
  switch (w.type) {
    case "constant-vus":
      return {
        ...w,
        ...(o.targetUsers !== undefined ? { vus: o.targetUsers } : {}),
        ...(o.spawnRate !== undefined ? { spawnRate: o.spawnRate } : {}),
        ...(o.durationSec !== undefined ? { durationSec: o.durationSec } : {}),
      };
    case "constant-arrival-rate":
      if (o.targetUsers !== undefined) refuse("targetUsers");
      if (o.spawnRate !== undefined) refuse("spawnRate");
      return { ...w, ...(o.durationSec !== undefined ? { durationSec: o.durationSec } : {}) };
    default:
      for (const field of ["targetUsers", "spawnRate", "durationSec"] as const) if (o[field] !== undefined) refuse(field);
      return w;
  }
}

/**
 * What a run of this test does: the target snapshot (scenarios and the workload made
 * explicit, so a later edit of the test cannot change the run) and the run's figures for
 * its record and its timer: the longest executor's duration and the sum of peak VUs.
 */
export function compileRun(spec: LoadTestSpec, overrides: RunOverrides = {}): { parameters: RunParameters; target: RunTarget } {
  const workload = workloadOf(spec, overrides);
  // A locust test's workload is Locust users over time: an override it cannot run is refused here, naming it.
  const locustRefusal = spec.engine === "locust" && workload ? locustWorkloadRefusal(workload) : null;
  if (locustRefusal) throw new DomainError("invalid", `workload: ${locustRefusal}`, "workload");
  const sharesWorkload = !spec.scenarios || spec.scenarios.some((s) => !s.executor);
  if (sharesWorkload && !workload)
    throw new DomainError("invalid", "the test has neither a workload nor defaults to load with", "workload");
  const executors = [
    ...(sharesWorkload && workload ? [workload] : []),
    ...(spec.scenarios ?? []).flatMap((s) => (s.executor ? [s.executor] : [])),
  ];
  const durationSec = Math.max(...executors.map(executorDurationSec));
  if (spec.maxDurationSec !== undefined && durationSec > spec.maxDurationSec) {
    throw new DomainError(
      "invalid",
      `durationSec ${durationSec} exceeds the test's maxDurationSec (${spec.maxDurationSec})`,
      "durationSec",
    );
  }
  const targetUsers = Math.max(
    1,
    executors.reduce((sum, e) => sum + executorMaxVUs(e), 0),
  );
  const parameters: RunParameters = {
    targetUsers,
    // The run's record of it; a test without defaults starts its users at once, as a workload without a ramp does.
    spawnRate: workload?.type === "constant-vus" && workload.spawnRate ? workload.spawnRate : (spec.defaultSpawnRate ?? targetUsers),
    durationSec,
  };
  const target: RunTarget = {
    targetUrl: spec.targetUrl,
    ...(spec.requests ? { requests: spec.requests } : {}),
    ...(spec.scenarios ? { scenarios: spec.scenarios } : {}),
    ...(spec.engine === "locust" && spec.locustfile !== undefined ? { engine: spec.engine, locustfile: spec.locustfile } : {}),
    ...(workload ? { workload } : {}),
    ...(spec.http ? { http: spec.http } : {}),
    ...((overrides.thresholds ?? spec.thresholds) ? { thresholds: overrides.thresholds ?? spec.thresholds } : {}),
    ...(spec.setup ? { setup: spec.setup } : {}),
    ...(spec.teardown ? { teardown: spec.teardown } : {}),
    ...(spec.sut ? { sut: spec.sut } : {}),
    ...(spec.timeline ? { timeline: spec.timeline } : {}),
  };
  return { parameters, target: withEnv(target, overrides.env ?? {}) };
}

/**
 * The target with its env placeholders filled (env.ts). A url that had placeholders is checked
 * as written ones are at create (the tenant's allow-list is the caller's check, on this target).
 */
function withEnv(target: RunTarget, env: RunEnv): RunTarget {
  let filled: RunTarget;
  try {
    // A locustfile is tenant code, never a template: it is passed on as written.
    const { locustfile, ...templated } = target;
    filled = { ...substituteEnv(templated, env), ...(locustfile !== undefined ? { locustfile } : {}) };
  } catch (err) {
    if (err instanceof EnvSubstitutionError) throw new DomainError("invalid", err.message, err.path);
    throw err;
  }
  if (filled.targetUrl !== target.targetUrl && !isHttpUrl(filled.targetUrl))
    throw new DomainError("invalid", `targetUrl: ${filled.targetUrl} is not an http(s) URL`, "targetUrl");
  if (filled.thresholds && JSON.stringify(filled.thresholds) !== JSON.stringify(target.thresholds)) parseThresholds(filled.thresholds);
  for (const [i, scenario] of (filled.scenarios ?? []).entries())
    for (const [j, step] of scenario.steps.entries()) {
      const written = target.scenarios?.[i]?.steps[j];
      if (step.type !== "request" || written?.type !== "request" || step.url === written.url) continue;
      const error = stepUrlError(step.url);
      if (error) throw new DomainError("invalid", `scenarios.${i}.steps.${j}.url: ${error}`, `scenarios.${i}.steps.${j}.url`);
    }
  return filled;
}
