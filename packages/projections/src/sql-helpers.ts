import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "./database.ts";
import { keyOf, type RowKey } from "./fold-rows.ts";

/**
 * Hot paths send a whole batch as one JSON parameter, unpacked by `jsonb_to_recordset`, rather
 * than one bound parameter per row and column: drizzle builds such SQL at ~10 µs a row, which
 * alone capped a replay at ~15k events/s. The column names and types come from the drizzle
 * table, so the table stays described once.
 */

/** Rows with the given (tenant, id) keys; each key is sent once (a batch holds many events of one aggregate). */
export function keyIn(keys: readonly RowKey[]): SQL {
  const unique = new Map<string, { t: string; i: string }>();
  for (const k of keys) unique.set(keyOf(k), { t: k.tenantId, i: k.id });
  const json = JSON.stringify([...unique.values()]);
  return sql`(tenant_id, id) in (select t, i from jsonb_to_recordset(${json}::jsonb) as k(t text, i text))`;
}

/** `jsonb_to_recordset(...) as r(col type, ...)` over the table's columns, and the JSON of the rows keyed by column name. */
function recordset<T extends PgTable>(table: T, rows: readonly T["$inferInsert"][]): { names: string[]; from: SQL } {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, c]) => c.name);
  const payload = JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, column] of columns) out[column.name] = (row as Record<string, unknown>)[key] ?? null;
      return out;
    }),
  );
  const definition = columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(", ");
  return { names, from: sql`jsonb_to_recordset(${payload}::jsonb) as r(${sql.raw(definition)})` };
}

/** The statement that inserts the rows, or overwrites every column but the `conflict` key of those that exist. */
export function upsertStatement<T extends PgTable>(table: T, rows: readonly T["$inferInsert"][], conflict: readonly string[]): SQL {
  const { names, from } = recordset(table, rows);
  const quoted = names.map((n) => `"${n}"`).join(", ");
  const updates = names
    .filter((n) => !conflict.includes(n))
    .map((n) => `"${n}" = excluded."${n}"`)
    .join(", ");
  return sql`
    insert into ${sql.identifier(getTableName(table))} (${sql.raw(quoted)})
    select ${sql.raw(quoted)} from ${from}
    on conflict (${sql.raw(conflict.map((n) => `"${n}"`).join(", "))}) do update set ${sql.raw(updates)}`;
}

/** Upserts the rows in one statement with one parameter. */
export async function upsertRows<T extends PgTable>(
  tx: Tx,
  table: T,
  rows: readonly T["$inferInsert"][],
  conflict: readonly string[],
): Promise<void> {
  if (rows.length > 0) await tx.execute(upsertStatement(table, rows, conflict));
}

/** The rows of a raw `execute`: postgres.js answers an array, PGlite an object holding `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
