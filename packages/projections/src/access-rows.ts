import type { EventEnvelope, EventOf } from "@loadline/core";
import { foldRows, type RowChanges, type RowKey } from "./fold-rows.ts";
import type { ApiKeyRow, AuditRow, SecretRow, TenantSettingsRow } from "./schema.ts";

/**
 * Pure folds of the access events (API keys, secrets, tenant settings) into read-model rows, and
 * the audit row of any event. `null` is "no row". A secret's sealed value is in no row: it is
 * read by no fold here, and must never be.
 */

export type ApiKeyEvent = EventOf<"api-key.created" | "api-key.revoked">;
export type SecretEvent = EventOf<"secret.set" | "secret.deleted">;
export type TenantEvent = EventOf<"tenant.targets-set" | "tenant.limits-set">;

export const isApiKeyEvent = (e: EventEnvelope): e is ApiKeyEvent => e.type.startsWith("api-key.");
export const isSecretEvent = (e: EventEnvelope): e is SecretEvent => e.type.startsWith("secret.");
export const isTenantEvent = (e: EventEnvelope): e is TenantEvent => e.type.startsWith("tenant.");

/** A key is created once and revoked at most once; a revocation of a key never seen created has no row. */
export function evolveApiKey(row: ApiKeyRow | null, event: ApiKeyEvent): ApiKeyRow | null {
  switch (event.type) {
    case "api-key.created": {
      const { name, role, hash, expiresAt } = event.data;
      return {
        tenantId: event.tenantId,
        id: event.aggregate.id,
        name,
        role,
        hash,
        expiresAt: expiresAt === null ? null : new Date(expiresAt),
        createdAt: new Date(event.time),
        createdBy: event.actor,
        revokedAt: null,
        revokedBy: null,
      };
    }
    case "api-key.revoked":
      return row && { ...row, revokedAt: row.revokedAt ?? new Date(event.time), revokedBy: row.revokedBy ?? event.actor };
  }
}

/** A secret by name (its aggregate id), without its value; deleted, it has no row, and set again it starts over at version 1. */
export function evolveSecret(row: SecretRow | null, event: SecretEvent): SecretRow | null {
  switch (event.type) {
    case "secret.set":
      return {
        tenantId: event.tenantId,
        name: event.aggregate.id,
        version: (row?.version ?? 0) + 1,
        updatedAt: new Date(event.time),
        updatedBy: event.actor,
      };
    case "secret.deleted":
      return null;
  }
}

/** The tenant's settings: each event sets its part whole (the allow-list, or the limits) and keeps the other. */
export function evolveTenantSettings(row: TenantSettingsRow | null, event: TenantEvent): TenantSettingsRow {
  const common = {
    tenantId: event.tenantId,
    allow: row?.allow ?? null,
    limits: row?.limits ?? null,
    version: (row?.version ?? 0) + 1,
    updatedAt: new Date(event.time),
    updatedBy: event.actor,
  };
  switch (event.type) {
    case "tenant.targets-set":
      return { ...common, allow: event.data.allow };
    case "tenant.limits-set":
      return { ...common, limits: event.data };
  }
}

export type SecretKey = { tenantId: string; name: string };

/** A batch of secret events folded into the rows of their secrets (keyed by tenant and name). */
export function foldSecrets(
  existing: readonly SecretRow[],
  events: readonly SecretEvent[],
): { upserts: SecretRow[]; deletes: SecretKey[]; orphans: SecretEvent[] } {
  // foldRows keys rows by (tenant, id): a secret's id is its name.
  type Keyed = RowKey & { row: SecretRow };
  const keyed = (row: SecretRow): Keyed => ({ tenantId: row.tenantId, id: row.name, row });
  const changes: RowChanges<Keyed, SecretEvent> = foldRows(existing.map(keyed), events, (k, e) => {
    const next = evolveSecret(k?.row ?? null, e);
    return next && keyed(next);
  });
  return {
    upserts: changes.upserts.map((k) => k.row),
    deletes: changes.deletes.map((k) => ({ tenantId: k.tenantId, name: k.id })),
    orphans: changes.orphans,
  };
}

/** A batch of tenant events folded into each tenant's settings, keyed by the tenant alone (the aggregate's id is the tenant's). */
export function foldTenantSettings(existing: readonly TenantSettingsRow[], events: readonly TenantEvent[]): TenantSettingsRow[] {
  const rows = new Map(existing.map((r) => [r.tenantId, r]));
  const changed = new Set<string>();
  for (const event of events) {
    rows.set(event.tenantId, evolveTenantSettings(rows.get(event.tenantId) ?? null, event));
    changed.add(event.tenantId);
  }
  return [...changed].map((t) => rows.get(t)!);
}

/** Tenants whose names start with `_` are the platform's own (the fleet's): not in any tenant's audit. */
export const isPlatformTenant = (tenantId: string): boolean => tenantId.startsWith("_");

/** The audit row of an event at stream sequence `seq`: who did what to which aggregate, when; never the event's data. Null for the platform's own tenants. */
export function auditRowOf(seq: number, event: EventEnvelope): AuditRow | null {
  if (isPlatformTenant(event.tenantId)) return null;
  return {
    tenantId: event.tenantId,
    seq,
    eventId: event.id,
    type: event.type,
    aggregateType: event.aggregate.type,
    aggregateId: event.aggregate.id,
    actor: event.actor,
    time: new Date(event.time),
    correlationId: event.correlationId,
  };
}
