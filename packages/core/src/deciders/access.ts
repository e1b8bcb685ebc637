import type { Role } from "../access/roles.ts";
import { DomainError } from "../errors.ts";
import type { TenantLimits } from "../schemas/access.ts";
import type { Decider } from "./decider.ts";

export type ApiKeyState =
  | { status: "none"; version: 0 }
  | { status: "active" | "revoked"; version: number; name: string; role: Role; hash: string; expiresAt: string | null };

/** An API key: created once (its id is fresh), revoked at most once; never changed otherwise. */
export const apiKeyDecider: Decider<ApiKeyState, "api-key.create" | "api-key.revoke"> = {
  commands: ["api-key.create", "api-key.revoke"],
  initialState: { status: "none", version: 0 },
  decide(state, command) {
    if (command.type === "api-key.create") {
      if (state.status !== "none") throw new DomainError("conflict", "api key already exists", "id");
      return [{ type: "api-key.created", data: command.data }];
    }
    if (state.status !== "active") throw new DomainError("not_found", "api key not found");
    return [{ type: "api-key.revoked", data: {} }];
  },
  evolve(state, event) {
    if (event.type === "api-key.created") return { status: "active", version: 1, ...event.data };
    if (event.type === "api-key.revoked" && state.status !== "none") return { ...state, status: "revoked", version: state.version + 1 };
    return state;
  },
};

/** A tenant's settings: absent parts are the platform's defaults. */
export type TenantState = { version: number; targets?: string[]; limits?: TenantLimits };

export const tenantDecider: Decider<TenantState, "tenant.set-targets" | "tenant.set-limits"> = {
  commands: ["tenant.set-targets", "tenant.set-limits"],
  initialState: { version: 0 },
  decide(_state, command) {
    return command.type === "tenant.set-targets"
      ? [{ type: "tenant.targets-set", data: command.data }]
      : [{ type: "tenant.limits-set", data: command.data }];
  },
  evolve(state, event) {
    if (event.type === "tenant.targets-set") return { ...state, version: state.version + 1, targets: event.data.allow };
    if (event.type === "tenant.limits-set") return { ...state, version: state.version + 1, limits: event.data };
    return state;
  },
};

export type SecretState = { status: "none" | "deleted"; version: number } | { status: "set"; version: number; sealed: string };

export const secretDecider: Decider<SecretState, "secret.set" | "secret.delete"> = {
  commands: ["secret.set", "secret.delete"],
  initialState: { status: "none", version: 0 },
  decide(state, command) {
    if (command.type === "secret.set") return [{ type: "secret.set", data: command.data }];
    if (state.status !== "set") throw new DomainError("not_found", "secret not found");
    return [{ type: "secret.deleted", data: {} }];
  },
  evolve(state, event) {
    if (event.type === "secret.set") return { status: "set", version: state.version + 1, sealed: event.data.sealed };
    if (event.type === "secret.deleted") return { status: "deleted", version: state.version + 1 };
    return state;
  },
};
