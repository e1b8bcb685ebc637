import type { ApiKeyView, AuditEntryView, SecretView, TenantSettingsView } from "@loadline/core";
import type { ApiKeyRow, AuditRow, SecretRow, TenantSettingsRow } from "./schema.ts";

export type { ApiKeyView, AuditEntryView, SecretView, TenantSettingsView };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A key as its tenant's admins see it: without its hash. */
export function apiKeyViewOf(row: Omit<ApiKeyRow, "hash">): ApiKeyView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    role: row.role,
    expiresAt: iso(row.expiresAt),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    revokedAt: iso(row.revokedAt),
    revokedBy: row.revokedBy,
  };
}

export function secretViewOf(row: SecretRow): SecretView {
  return { name: row.name, version: row.version, updatedAt: row.updatedAt.toISOString(), updatedBy: row.updatedBy };
}

export function tenantSettingsViewOf(row: TenantSettingsRow): TenantSettingsView {
  return { ...row, updatedAt: row.updatedAt.toISOString() };
}

/** What a tenant nobody configured has: every part the platform's default. */
export const unsetTenantSettings = (tenantId: string): TenantSettingsView => ({
  tenantId,
  allow: null,
  limits: null,
  version: 0,
  updatedAt: null,
  updatedBy: null,
});

export function auditEntryViewOf(row: AuditRow): AuditEntryView {
  return {
    seq: row.seq,
    eventId: row.eventId,
    type: row.type,
    aggregateType: row.aggregateType,
    aggregateId: row.aggregateId,
    actor: row.actor,
    time: row.time.toISOString(),
    correlationId: row.correlationId,
  };
}
