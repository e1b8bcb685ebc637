import { z } from "zod";

/**
 * A tenant's roles, each allowing what the one before it does and more: `viewer` reads,
 * `operator` also starts and stops runs, `editor` also writes tests and secrets, `admin` also
 * manages keys and the tenant's settings. The platform admin is not a role of a tenant: it is a
 * flag on a principal (tenants' limits, the fleet, every tenant's data).
 */
export const ROLES = ["viewer", "operator", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

export const roleAllows = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

/** Who a request comes from, as its credential says: nothing about it is taken from other headers. */
export type Principal = {
  tenantId: string;
  role: Role;
  /** Recorded as the actor of the commands it sends: `key:<id>`, `jwt:<sub>`, `bootstrap`. */
  actor: string;
  platformAdmin: boolean;
  /** The API key it used, for the audit log and per-key rate limits. */
  keyId?: string;
};

/** What a route asks of its caller: nothing, a role in the caller's tenant, or the platform admin. */
export type Access = "public" | Role | "platform";

export function allows(principal: Principal, need: Access): boolean {
  if (need === "public") return true;
  if (principal.platformAdmin) return true;
  if (need === "platform") return false;
  return roleAllows(principal.role, need);
}
