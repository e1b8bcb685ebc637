import { sql } from "drizzle-orm";
import type { Db } from "./database.ts";
import { metricWindows } from "./schema.ts";
import { rowsOf } from "./sql-helpers.ts";

/** Rows deleted per statement: short transactions that do not hold up the projection's batches. */
const CHUNK = 10_000;

/**
 * Deletes the per-worker raw windows older than `maxAgeDays`; the merged seconds and rollups stay,
 * so every route but `workers=` still answers for old runs. Answers how many rows went.
 */
export async function pruneRawWindows(db: Db, maxAgeDays: number, now = Date.now()): Promise<number> {
  const before = Math.floor(now / 1000) - Math.round(maxAgeDays * 86_400);
  let total = 0;
  for (;;) {
    const deleted = rowsOf<{ n: number }>(
      await db.execute(sql`
        with gone as (
          delete from ${metricWindows} where ctid in (select ctid from ${metricWindows} where second < ${before} limit ${CHUNK})
          returning 1)
        select count(*)::int as n from gone`),
    );
    const n = deleted[0]?.n ?? 0;
    total += n;
    if (n < CHUNK) return total;
  }
}
