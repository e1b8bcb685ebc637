import {
  compileRun,
  DomainError,
  type LoadTestSpec,
  type PlatformDefaults,
  runDemand,
  runPlan,
  runQuotaViolation,
  type ScheduleRunOverrides,
  specTargetRefusal,
} from "@loadline/core";

/** A field of a run's overrides as the schedule's API names it. */
const overrideField = (field: string | undefined): string =>
  field === "targetUsers" || field === "spawnRate" || field === "durationSec" ? `overrides.${field}` : "overrides";

/**
 * Why a schedule of runs of this test with these overrides cannot be written, or null: the
 * checks of a run's start that do not depend on the moment (the overrides fit the workload, the
 * targets are allowed, the run is within the quotas but for how many run at once). Each fire is
 * checked again in full when it starts its run: a policy narrowed since refuses that run, on record.
 */
export function scheduleRefusal(spec: LoadTestSpec, overrides: ScheduleRunOverrides, policy: PlatformDefaults): DomainError | null {
  // A target with env placeholders is checked filled (a schedule gives no env: only their defaults fill them).
  const refusal = specTargetRefusal(spec, policy.targets, true);
  if (refusal) return new DomainError("forbidden", `the load test's ${refusal.field}: ${refusal.message}`, "loadTestId");
  try {
    const { parameters, target } = compileRun(spec, overrides);
    const filled = specTargetRefusal(target, policy.targets);
    if (filled) return new DomainError("forbidden", `the load test's ${filled.field}: ${filled.message}`, "loadTestId");
    const over = runQuotaViolation(runDemand(runPlan(target, parameters), parameters.durationSec), policy.quotas);
    return over ? new DomainError("forbidden", `${over.message} (${over.limit})`, overrideField(over.field)) : null;
  } catch (err) {
    if (err instanceof DomainError) return new DomainError(err.code, err.message, overrideField(err.field));
    throw err;
  }
}
