import type { RequestSpec } from "../schemas/load-test.ts";
import { grpcStepTemplatedFields } from "./grpc.ts";
import { stepsOfRequests } from "./normalize.ts";
import { type Scenario, templatedFields } from "./scenario.ts";
import { type RunPhase, stepLists } from "./setup.ts";
import { streamStepTemplatedFields } from "./streams.ts";
import { SECRETS_PREFIX, secretOf, templateVariables } from "./template.ts";

export { isSecretVariable, SECRETS_PREFIX, secretOf } from "./template.ts";

/** What secretReferences reads: a load test's spec or a run's target (both have this shape). */
export type SecretHolder = {
  readonly requests?: readonly RequestSpec[] | undefined;
  readonly scenarios?: readonly Scenario[] | undefined;
  readonly setup?: RunPhase | undefined;
  readonly teardown?: RunPhase | undefined;
};

/** Every templated string of a spec or a run's target: the simple form's requests, the scenarios' steps, the setup's and the teardown's. */
function* templatedStrings(target: SecretHolder): Generator<string> {
  for (const step of stepsOfRequests(target.requests ?? [])) for (const { text } of templatedFields(step)) yield text;
  for (const { steps } of stepLists(target))
    for (const step of steps) {
      if (step.type === "think") continue;
      const fields =
        step.type === "request"
          ? templatedFields(step)
          : step.type === "grpc"
            ? grpcStepTemplatedFields(step)
            : streamStepTemplatedFields(step);
      for (const { text } of fields) yield text;
    }
}

/**
 * The names of the secrets a test refers to, sorted, each once: those of the `{{secrets.NAME}}`
 * in every place a template is rendered (see SECRETS_PREFIX). Pure: the orchestrator refuses a
 * run naming a secret that does not exist and copies the sealed values of these into run.created.
 */
export function secretReferences(target: SecretHolder): string[] {
  const names = new Set<string>();
  for (const text of templatedStrings(target)) {
    if (!text.includes(SECRETS_PREFIX)) continue;
    for (const variable of templateVariables(text)) {
      const name = secretOf(variable);
      if (name !== null) names.add(name);
    }
  }
  return [...names].sort();
}

/** Header names that carry credentials, in lower case. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token", "api-key"]);
const CREDENTIAL_WORDS = ["token", "secret", "password", "api-key"];

/**
 * Whether a request header looks like it carries a credential: Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, Api-Key, and any header whose name
 * holds token, secret, password or api-key (case-insensitive).
 */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_WORDS.some((w) => lower.includes(w));
}

export const CREDENTIALS_GO_IN_SECRETS = "credentials go in secrets: set one with PUT /v1/secrets/NAME and write {{secrets.NAME}}";

/**
 * Why a header value is refused: a credential typed inline, that is a non-blank value of a
 * credential header with no `{{...}}` expression in it (`Bearer {{secrets.TOKEN}}` and
 * `Bearer {{token}}`, an extracted value, pass). Null when it is not.
 */
export function inlineCredentialError(name: string, value: string): string | null {
  if (!isCredentialHeader(name) || value.trim() === "" || templateVariables(value).length > 0) return null;
  return `the ${name} header holds a credential typed inline: ${CREDENTIALS_GO_IN_SECRETS}`;
}
