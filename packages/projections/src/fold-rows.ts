import type { EventEnvelope } from "@loadline/core";

export type RowKey = { tenantId: string; id: string };

export type RowChanges<Row, E> = {
  /** Rows to insert or overwrite, in their state after the batch. */
  upserts: Row[];
  /** Rows that existed before the batch and are gone after it. */
  deletes: RowKey[];
  /** Events of an aggregate that has no row (say, an update of a load test never seen created). */
  orphans: E[];
};

/** One string per (tenant, id): a Map key. */
export const keyOf = (k: RowKey): string => `${k.tenantId}\u0000${k.id}`;
export const aggregateKey = (e: EventEnvelope): RowKey => ({ tenantId: e.tenantId, id: e.aggregate.id });

/**
 * Folds a batch of events into the rows of their aggregates, in memory: one read and one
 * write per batch instead of a round trip per event.
 */
export function foldRows<Row extends RowKey, E extends EventEnvelope>(
  existing: readonly Row[],
  events: readonly E[],
  evolve: (row: Row | null, event: E) => Row | null,
): RowChanges<Row, E> {
  const before = new Map(existing.map((r) => [keyOf(r), r]));
  const after = new Map<string, Row | null>();
  const orphans: E[] = [];
  for (const event of events) {
    const key = keyOf(aggregateKey(event));
    const row = after.has(key) ? after.get(key)! : (before.get(key) ?? null);
    const next = evolve(row, event);
    if (row === null && next === null) orphans.push(event);
    else after.set(key, next);
  }
  const upserts: Row[] = [];
  const deletes: RowKey[] = [];
  for (const [key, row] of after) {
    if (row) upserts.push(row);
    else {
      const old = before.get(key);
      if (old) deletes.push({ tenantId: old.tenantId, id: old.id });
    }
  }
  return { upserts, deletes, orphans };
}
