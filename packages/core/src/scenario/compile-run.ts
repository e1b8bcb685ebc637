import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import type { RunParameters, RunTarget } from "../schemas/run.ts";
import type { Thresholds } from "../thresholds/threshold-types.ts";
import { type Executor, executorDurationSec, executorMaxVUs } from "./executors.ts";

/** A run's own values over its test's: parameters, and thresholds that replace the test's whole. */
export type RunOverrides = Partial<RunParameters> & { thresholds?: Thresholds | undefined };

/**
 * The test's workload with the run's overrides, where an override means something for it.
 * Undefined for a test without a workload nor defaults: every scenario has its own executor then
 * (loadTestSpecSchema), so there is no shared workload to make.
 */
function workloadOf(spec: LoadTestSpec, o: RunOverrides): Executor | undefined {
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
    ...(workload ? { workload } : {}),
    ...((overrides.thresholds ?? spec.thresholds) ? { thresholds: overrides.thresholds ?? spec.thresholds } : {}),
  };
  return { parameters, target };
}
