import type { GrpcStep } from "./grpc.ts";
import { regexError } from "./regex.ts";
import { inlineCredentialError } from "./secrets.ts";
import { isSecretVariable } from "./template.ts";

type InputIssue = { path: (string | number)[]; message: string };

/** A grpc step's input rules (see scenarioInputIssues): no credential typed into metadata, RE2 regexes, no secret written. */
export function grpcStepInputIssues(step: GrpcStep, j: number, notWritable: string): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const [name, value] of Object.entries(step.metadata ?? {})) {
    const error = inlineCredentialError(name, value);
    if (error) issues.push({ path: ["steps", j, "metadata", name], message: error.replace("header", "metadata key") });
  }
  step.checks.forEach((check, k) => {
    const error = check.type === "regex" ? regexError(check.pattern) : null;
    if (error) issues.push({ path: ["steps", j, "checks", k, "pattern"], message: `bad regex: ${error}` });
  });
  step.extract.forEach((extract, k) => {
    const error = extract.type === "regex" ? regexError(extract.pattern) : null;
    if (error) issues.push({ path: ["steps", j, "extract", k, "pattern"], message: `bad regex: ${error}` });
    if (isSecretVariable(extract.var))
      issues.push({ path: ["steps", j, "extract", k, "var"], message: `variable ${extract.var}: ${notWritable}` });
  });
  return issues;
}
