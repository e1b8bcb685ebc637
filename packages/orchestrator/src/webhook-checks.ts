import { DomainError, type PlatformDefaults, targetUrlRefusal } from "@loadline/core";

/**
 * Why a webhook may not be sent to `url` under the tenant's policy, or null. A webhook is a request
 * the platform makes on the tenant's behalf, as its load is: the same allow-list holds (and the
 * dispatcher checks the address it resolves at each delivery, as the worker does).
 */
export function webhookUrlRefusal(url: string, policy: PlatformDefaults): DomainError | null {
  const refusal = targetUrlRefusal(url, policy.targets);
  return refusal ? new DomainError("forbidden", `webhook url: ${refusal}`, "url") : null;
}
