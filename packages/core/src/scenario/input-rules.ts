import type { RequestSpec } from "../schemas/load-test.ts";
import { hasEnvPlaceholder } from "./env.ts";
import { grpcStepInputIssues } from "./grpc-input-rules.ts";
import { regexError } from "./regex.ts";
import type { Scenario } from "./scenario.ts";
import { inlineCredentialError } from "./secrets.ts";
import { phaseScenario, RUN_PHASES, type RunPhase } from "./setup.ts";
import { stepUrlError } from "./step-url.ts";
import { streamStepInputIssues } from "./stream-input-rules.ts";
import { isSecretVariable, SECRETS_PREFIX, secretReferenceError, templateVariables } from "./template.ts";

/** A rule a scenario broke, with the path of the field (from the scenario) and why. */
export type InputIssue = { path: (string | number)[]; message: string };

const NOT_WRITABLE = `${SECRETS_PREFIX}* are the tenant's secrets: a scenario reads them ({{${SECRETS_PREFIX}NAME}}), it cannot write them`;

/** The first `{{secrets.…}}` in text that is not rendered there, as an issue message; null when there is none. */
function unrenderedSecret(text: string, where: string): string | null {
  if (!text.includes(SECRETS_PREFIX)) return null;
  const variable = templateVariables(text).find(isSecretVariable);
  return variable === undefined
    ? null
    : `{{${variable}}} is not rendered in ${where}: write it where it is sent (a step's url, query, headers or body)`;
}

/**
 * Rules a scenario must meet when it is written (the API, the create and update commands), but
 * that the events' schema does not re-check: events stored under older rules must stay readable,
 * for replays and rebuilds. A worker still refuses, per run, what it cannot compile.
 * - every step url is one a worker can send to (step-url.ts);
 * - every regex is RE2 syntax, so matching runs in linear time (regex.ts);
 * - no credential is typed inline in a header (secrets.ts: inlineCredentialError);
 * - nothing writes a `secrets.` variable (extract, scenario variables, data columns), and no
 *   `{{secrets.NAME}}` sits where it would be sent as written (scenario variables, data rows).
 */
export function scenarioInputIssues(scenario: Scenario): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const [name, value] of Object.entries(scenario.variables)) {
    if (isSecretVariable(name)) issues.push({ path: ["variables", name], message: `variable ${name}: ${NOT_WRITABLE}` });
    const unrendered = unrenderedSecret(value, "scenario variables");
    if (unrendered) issues.push({ path: ["variables", name], message: unrendered });
  }
  if (scenario.data) {
    const column = Object.keys(scenario.data.rows[0] ?? {}).find(isSecretVariable);
    if (column !== undefined) issues.push({ path: ["data"], message: `data column ${column}: ${NOT_WRITABLE}` });
    const at = dataSecret(scenario.data.rows);
    if (at) issues.push({ path: ["data", "rows", at.row, at.column], message: at.message });
  }
  scenario.steps.forEach((step, j) => {
    if (step.type === "ws" || step.type === "sse") {
      issues.push(...streamStepInputIssues(step, j, NOT_WRITABLE));
      return;
    }
    if (step.type === "grpc") {
      issues.push(...grpcStepInputIssues(step, j, NOT_WRITABLE));
      return;
    }
    if (step.type !== "request") return;
    // A url with env placeholders is checked once a run fills them (compileRun).
    const url = hasEnvPlaceholder(step.url) ? null : stepUrlError(step.url);
    if (url) issues.push({ path: ["steps", j, "url"], message: url });
    for (const [name, value] of Object.entries(step.headers ?? {})) {
      const error = inlineCredentialError(name, value);
      if (error) issues.push({ path: ["steps", j, "headers", name], message: error });
    }
    step.checks.forEach((check, k) => {
      const error = check.type === "header" ? regexError(check.matches) : null;
      if (error) issues.push({ path: ["steps", j, "checks", k, "matches"], message: `bad regex: ${error}` });
    });
    step.extract.forEach((extract, k) => {
      const error = extract.type === "regex" ? regexError(extract.pattern) : null;
      if (error) issues.push({ path: ["steps", j, "extract", k, "pattern"], message: `bad regex: ${error}` });
      if (isSecretVariable(extract.var))
        issues.push({ path: ["steps", j, "extract", k, "var"], message: `variable ${extract.var}: ${NOT_WRITABLE}` });
    });
  });
  return issues;
}

/** The first data value holding a `{{secrets.…}}` (sent as written, not rendered). */
function dataSecret(rows: readonly Readonly<Record<string, string>>[]): { row: number; column: string; message: string } | null {
  for (const [row, values] of rows.entries())
    for (const [column, value] of Object.entries(values)) {
      const message = unrenderedSecret(value, "data rows");
      if (message) return { row, column, message };
    }
  return null;
}

/**
 * The simple form's rules on input, paths from the spec (`requests.0.headers.Authorization`):
 * no credential typed inline in a header, and every `{{secrets.…}}` a valid secret name.
 */
export function requestsInputIssues(requests: readonly RequestSpec[]): InputIssue[] {
  const issues: InputIssue[] = [];
  requests.forEach((request, i) => {
    const fields: [(string | number)[], string][] = [[["path"], request.path]];
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      const error = inlineCredentialError(name, value);
      if (error) issues.push({ path: ["requests", i, "headers", name], message: error });
      fields.push([["headers", name], value]);
    }
    if (request.body !== undefined) fields.push([["body"], request.body]);
    for (const [field, text] of fields) {
      const error = templateVariables(text).map(secretReferenceError).find(Boolean);
      if (error) issues.push({ path: ["requests", i, ...field], message: error });
    }
  });
  return issues;
}

/**
 * Every input rule of a load test's spec, paths from the spec: the scenarios' (above, under
 * `scenarios.<i>`), the simple form's, and no `{{secrets.…}}` in targetUrl (it is not rendered).
 */
export function loadTestInputIssues(spec: {
  readonly targetUrl: string;
  readonly requests?: readonly RequestSpec[] | undefined;
  readonly scenarios?: readonly Scenario[] | undefined;
  readonly setup?: RunPhase | undefined;
  readonly teardown?: RunPhase | undefined;
}): InputIssue[] {
  const issues: InputIssue[] = [];
  const target = unrenderedSecret(spec.targetUrl, "targetUrl");
  if (target) issues.push({ path: ["targetUrl"], message: target });
  issues.push(...requestsInputIssues(spec.requests ?? []));
  spec.scenarios?.forEach((scenario, i) => {
    for (const issue of scenarioInputIssues(scenario)) issues.push({ path: ["scenarios", i, ...issue.path], message: issue.message });
  });
  // The setup and teardown are scenarios run once: the same rules (credentials in secrets, ...), under their own field.
  for (const phase of RUN_PHASES) {
    const steps = spec[phase];
    if (!steps) continue;
    for (const issue of scenarioInputIssues(phaseScenario(phase, steps)))
      issues.push({ path: [phase, ...issue.path], message: issue.message });
  }
  return issues;
}
