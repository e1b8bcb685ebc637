import { z } from "zod";
import { FAILURE_KINDS } from "../schemas/metrics.ts";
import { requestStepSchema, type Scenario, type Step, thinkStepSchema } from "./scenario.ts";
import { isSetupVariable, SETUP_PREFIX } from "./template.ts";

/**
 * A run's setup and teardown: request (and think) steps run once per run, by one worker, before
 * the load and after it. The setup's extractions are shared read-only with every VU on every
 * worker as `{{setup.NAME}}` (and with the teardown); a setup request that fails (a transport
 * failure, a 4xx/5xx, a failed check or an empty extraction) fails the run before any load.
 * Their requests are reported apart, in the run's record, never in its metrics.
 */
const phaseStepSchema = z.discriminatedUnion("type", [requestStepSchema, thinkStepSchema], {
  error: (issue) => (issue.code === "invalid_union" ? "a setup or teardown step's type must be request or think" : undefined),
});

export const runPhaseSchema = z.object({ steps: z.array(phaseStepSchema).min(1).max(50) }).strict();
export type RunPhase = z.infer<typeof runPhaseSchema>;

export const RUN_PHASES = ["setup", "teardown"] as const;
export type RunPhaseName = (typeof RUN_PHASES)[number];

/** The name `{{setup.NAME}}` reads (a setup's extraction `var: NAME`). */
export const setupVariable = (name: string): string => `${SETUP_PREFIX}${name}`;

/** What the setup extracts, by the names the scenarios read them with (`setup.token`). */
export function setupVariables(setup: RunPhase | undefined): string[] {
  const names = new Set<string>();
  for (const step of setup?.steps ?? []) if (step.type === "request") for (const e of step.extract) names.add(setupVariable(e.var));
  return [...names];
}

/** A phase as a scenario, so the scenario machinery (validation, compilation, sessions) runs it unchanged. */
export const phaseScenario = (name: RunPhaseName, phase: RunPhase): Scenario => ({
  name,
  weight: 1,
  variables: {},
  steps: phase.steps as Step[],
});

/** What holds step lists: a test's spec or a run's target. */
type PhaseHolder = {
  readonly scenarios?: readonly Scenario[] | undefined;
  readonly setup?: RunPhase | undefined;
  readonly teardown?: RunPhase | undefined;
};

/**
 * Every list of steps a spec or run sends requests from, with the field it sits at: the
 * scenarios (`scenarios.2`), then the setup and the teardown. What the target policy and the
 * secrets' references look through.
 */
export function* stepLists(holder: PhaseHolder): Generator<{ field: string; steps: readonly Step[] }> {
  for (const [i, scenario] of (holder.scenarios ?? []).entries()) yield { field: `scenarios.${i}`, steps: scenario.steps };
  for (const phase of RUN_PHASES) {
    const steps = holder[phase]?.steps;
    if (steps) yield { field: phase, steps: steps as readonly Step[] };
  }
}

/**
 * The longest a phase may take: its requests' timeouts and its think times at their longest (a
 * normal one at mean + 4 standard deviations). What a run's start waits for its setup, beyond
 * the workers' own readiness.
 */
export function phaseBudgetMs(phase: RunPhase): number {
  let ms = 0;
  for (const step of phase.steps) {
    if (step.type === "request") ms += step.timeoutMs;
    else if (step.distribution === "constant") ms += step.ms;
    else if (step.distribution === "uniform") ms += step.maxMs;
    else ms += step.meanMs + 4 * step.stddevMs;
  }
  return ms;
}

/** One request of a setup or teardown, as the run's record keeps it. */
export const phaseRequestSchema = z.object({
  name: z.string().max(200),
  method: z.string().max(16),
  /** The HTTP status; null when no response came. */
  status: z.number().int().nullable(),
  /** From the send to the end of the response, in ms. */
  durationMs: z.number().nonnegative(),
  /** Why it failed, or null. */
  failure: z.enum(FAILURE_KINDS).nullable(),
});
export type PhaseRequest = z.infer<typeof phaseRequestSchema>;

/** Whether a variable may be read here: a setup variable only when the setup extracts it. */
export const knownSetupVariable = (variable: string, setupVars: ReadonlySet<string>): boolean =>
  isSetupVariable(variable) && setupVars.has(variable);
