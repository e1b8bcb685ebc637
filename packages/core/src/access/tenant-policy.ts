import type { TenantState } from "../deciders/access.ts";
import { DEFAULT_QUOTAS, type Quotas, quotasOf } from "./quotas.ts";
import { DENY_ALL_TARGETS, type TargetPolicy } from "./target-policy.ts";

/** What the platform gives a tenant nobody configured (the orchestrator's configuration). */
export type PlatformDefaults = { targets: TargetPolicy; quotas: Quotas };

export const SECURE_DEFAULTS: PlatformDefaults = { targets: DENY_ALL_TARGETS, quotas: DEFAULT_QUOTAS };

/** A tenant's effective policy: its own allow-list and the limits the platform admin set, else the platform's defaults. */
export function tenantPolicy(defaults: PlatformDefaults, tenant: TenantState): PlatformDefaults {
  const limits = tenant.limits ?? {};
  return {
    targets: {
      allow: tenant.targets ?? defaults.targets.allow,
      loopback: limits.loopback ?? defaults.targets.loopback,
      privateNetworks: limits.privateNetworks ?? defaults.targets.privateNetworks,
    },
    quotas: quotasOf(defaults.quotas, limits.quotas),
  };
}
