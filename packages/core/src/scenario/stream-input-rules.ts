import { regexError } from "./regex.ts";
import { inlineCredentialError } from "./secrets.ts";
import { stepUrlError } from "./step-url.ts";
import { type StreamStep, streamStepChecks, streamStepExtractions } from "./streams.ts";
import { isSecretVariable } from "./template.ts";

type InputIssue = { path: (string | number)[]; message: string };

/** A ws or sse step's input rules (see scenarioInputIssues): its url, inline credentials, RE2 regexes, no secret written. */
export function streamStepInputIssues(step: StreamStep, j: number, notWritable: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const url = stepUrlError(step.url);
  if (url) issues.push({ path: ["steps", j, "url"], message: url });
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    const error = inlineCredentialError(name, value);
    if (error) issues.push({ path: ["steps", j, "headers", name], message: error });
  }
  for (const { field, check } of streamStepChecks(step)) {
    const error = check.type === "regex" ? regexError(check.pattern) : null;
    if (error) issues.push({ path: ["steps", j, ...field, "pattern"], message: `bad regex: ${error}` });
  }
  for (const { field, extract } of streamStepExtractions(step)) {
    const error = extract.type === "regex" ? regexError(extract.pattern) : null;
    if (error) issues.push({ path: ["steps", j, ...field, "pattern"], message: `bad regex: ${error}` });
    if (isSecretVariable(extract.var))
      issues.push({ path: ["steps", j, ...field, "var"], message: `variable ${extract.var}: ${notWritable}` });
  }
  return issues;
}
