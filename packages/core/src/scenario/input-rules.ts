import { regexError } from "./regex.ts";
import type { Scenario } from "./scenario.ts";
import { stepUrlError } from "./step-url.ts";

/** A rule a scenario broke, with the path of the field (from the scenario) and why. */
export type InputIssue = { path: (string | number)[]; message: string };

/**
 * Rules a scenario must meet when it is written (the API, the create and update commands), but
 * that the events' schema does not re-check: events stored under older rules must stay readable,
 * for replays and rebuilds. A worker still refuses, per run, what it cannot compile.
 * - every step url is one a worker can send to (step-url.ts);
 * - every regex is RE2 syntax, so matching runs in linear time (regex.ts).
 */
export function scenarioInputIssues(scenario: Scenario): InputIssue[] {
  const issues: InputIssue[] = [];
  scenario.steps.forEach((step, j) => {
    if (step.type !== "request") return;
    const url = stepUrlError(step.url);
    if (url) issues.push({ path: ["steps", j, "url"], message: url });
    step.checks.forEach((check, k) => {
      const error = check.type === "header" ? regexError(check.matches) : null;
      if (error) issues.push({ path: ["steps", j, "checks", k, "matches"], message: `bad regex: ${error}` });
    });
    step.extract.forEach((extract, k) => {
      const error = extract.type === "regex" ? regexError(extract.pattern) : null;
      if (error) issues.push({ path: ["steps", j, "extract", k, "pattern"], message: `bad regex: ${error}` });
    });
  });
  return issues;
}
