import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "./database.ts";
import { projectionCheckpoints } from "./schema.ts";

/** Where each projection is in its stream: written in the same transaction as the rows it explains. */

export async function readCheckpoint(db: Db, name: string): Promise<number> {
  const [row] = await db.select({ position: projectionCheckpoints.position }).from(projectionCheckpoints).where(eq(projectionCheckpoints.name, name));
  return row?.position ?? 0;
}

/** Makes sure the row exists, so a batch can lock it. */
export async function ensureCheckpoint(db: Db, name: string): Promise<number> {
  await db.insert(projectionCheckpoints).values({ name, position: 0, updatedAt: new Date() }).onConflictDoNothing();
  return readCheckpoint(db, name);
}

/** Reads the checkpoint and locks its row until the transaction ends: batches of one projection commit one after the other. */
export async function lockCheckpoint(tx: Tx, name: string): Promise<number> {
  const [row] = await tx
    .select({ position: projectionCheckpoints.position })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.name, name))
    .for("update");
  if (!row) throw new Error(`no checkpoint row for projection ${name}`);
  return row.position;
}

/** Compare-and-set: moves the checkpoint from `expected` to `position`; false when it was not at `expected`. */
export async function writeCheckpoint(tx: Tx, name: string, expected: number, position: number): Promise<boolean> {
  const moved = await tx
    .update(projectionCheckpoints)
    .set({ position, updatedAt: sql`now()` })
    .where(and(eq(projectionCheckpoints.name, name), eq(projectionCheckpoints.position, expected)))
    .returning({ position: projectionCheckpoints.position });
  return moved.length === 1;
}
