import { and, eq, getTableColumns, inArray, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { RowKey } from "./fold-rows.ts";

/** `(tenant = a and id in (...)) or ...`: rows by (tenant, id) key, grouped by tenant. */
export function keyIn(tenantColumn: PgColumn, idColumn: PgColumn, keys: readonly RowKey[]): SQL | undefined {
  const byTenant = new Map<string, string[]>();
  for (const k of keys) byTenant.set(k.tenantId, [...(byTenant.get(k.tenantId) ?? []), k.id]);
  return or(...[...byTenant].map(([tenantId, ids]) => and(eq(tenantColumn, tenantId), inArray(idColumn, ids))));
}

/** The `set` of an upsert that overwrites every column but `keep` with the proposed row. */
export function setExcluded<T extends PgTable>(table: T, keep: readonly (keyof T["_"]["columns"])[]): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (!keep.includes(key)) set[key] = sql.raw(`excluded."${column.name}"`);
  }
  return set;
}

/** The rows of a raw `execute`: postgres.js answers an array, PGlite an object holding `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
