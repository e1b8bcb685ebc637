import { loadTestInputSchema } from "@loadline/core";
import { parse as parseYaml } from "yaml";

/** What the API would refuse in a written test file, as `path: message` lines (none when it would take it). */
export function schemaIssues(yaml: string): string[] {
  const parsed = loadTestInputSchema.safeParse(parseYaml(yaml));
  return (parsed.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}
