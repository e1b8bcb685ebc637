import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import type { RunParameters, RunTarget } from "../schemas/run.ts";
import type { Thresholds } from "../thresholds/threshold-types.ts";
import { type Executor, executorDurationSec, executorMaxVUs } from "./executors.ts";

/** A run's own values over its test's: parameters, and thresholds that replace the test's whole. */
export type RunOverrides = Partial<RunParameters> & { thresholds?: Thresholds | undefined };

/** The test's workload with the run's overrides, where an override means something for it. */
function workloadOf(spec: LoadTestSpec, o: RunOverrides): Executor {
  const w = spec.workload;
  if (!w) {
    return {
      type: "constant-vus",
      vus: o.targetUsers ?? spec.defaultUsers,
      spawnRate: o.spawnRate ?? spec.defaultSpawnRate,
      durationSec: o.durationSec ?? spec.defaultDurationSec,
    };
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
  const executors = [...(sharesWorkload ? [workload] : []), ...(spec.scenarios ?? []).flatMap((s) => (s.executor ? [s.executor] : []))];
  const durationSec = Math.max(...executors.map(executorDurationSec));
  if (spec.maxDurationSec !== undefined && durationSec > spec.maxDurationSec) {
    throw new DomainError(
      "invalid",
      `durationSec ${durationSec} exceeds the test's maxDurationSec (${spec.maxDurationSec})`,
      "durationSec",
    );
  }
  const parameters: RunParameters = {
    targetUsers: Math.max(
      1,
      executors.reduce((sum, e) => sum + executorMaxVUs(e), 0),
    ),
    spawnRate: workload.type === "constant-vus" && workload.spawnRate ? workload.spawnRate : spec.defaultSpawnRate,
    durationSec,
  };
  const target: RunTarget = {
    targetUrl: spec.targetUrl,
    ...(spec.requests ? { requests: spec.requests } : {}),
    ...(spec.scenarios ? { scenarios: spec.scenarios } : {}),
    workload,
    ...((overrides.thresholds ?? spec.thresholds) ? { thresholds: overrides.thresholds ?? spec.thresholds } : {}),
  };
  return { parameters, target };
}
