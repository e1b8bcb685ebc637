import type { Scenario, Step } from "./scenario.ts";
import { streamStepRowNames } from "./streams.ts";

/** The rows a step reports under in the metric windows: its request name(s); none for a think time. */
export function stepRowNames(step: Step): string[] {
  if (step.type === "think") return [];
  if (step.type === "request") return [step.name ?? step.url];
  return streamStepRowNames(step);
}

/**
 * Each row's scenario and tags, from a test's or run's scenarios: what thresholds scoped by
 * `scenario` or `tag` select, and the tags an endpoint row shows. A row several steps report
 * under has the scenario of the last and the tags of all (a later step's value wins).
 */
export function rowLabels(scenarios: readonly Scenario[] | undefined | null): {
  scenarioOf: Map<string, string>;
  tagsOf: Map<string, Record<string, string>>;
} {
  const scenarioOf = new Map<string, string>();
  const tagsOf = new Map<string, Record<string, string>>();
  for (const scenario of scenarios ?? [])
    for (const step of scenario.steps) {
      const tags = step.type === "think" ? undefined : step.tags;
      for (const name of stepRowNames(step)) {
        scenarioOf.set(name, scenario.name);
        if (tags) tagsOf.set(name, { ...tagsOf.get(name), ...tags });
      }
    }
  return { scenarioOf, tagsOf };
}
