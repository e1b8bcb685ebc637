import { sleep } from "@loadline/core";
import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "./database.ts";
import { projectionCheckpoints } from "./schema.ts";

/** Where each projection is in its stream: written in the same transaction as the rows it explains. */

export async function readCheckpoint(db: Db, name: string): Promise<number> {
  const [row] = await db
    .select({ position: projectionCheckpoints.position })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.name, name));
  return row?.position ?? 0;
}

const WAIT_POLL_MS = 20;

/**
 * How a standby waits for a position: by polling the checkpoint that the process holding the
 * lease writes. True once it is at `seq`; false when the time runs out or `stopped` aborts.
 */
export async function pollCheckpoint(db: Db, name: string, seq: number, timeoutMs: number, stopped: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await readCheckpoint(db, name).catch(() => 0)) >= seq) return true;
    if (stopped.aborted || Date.now() >= deadline) return false;
    await sleep(Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now())));
  }
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

/**
 * Compare-and-set: moves the checkpoint from `expected` to `position`; false when it was not at
 * `expected`. A batch committed, so no failure stands (see recordFailure).
 */
export async function writeCheckpoint(tx: Tx, name: string, expected: number, position: number): Promise<boolean> {
  const moved = await tx
    .update(projectionCheckpoints)
    .set({ position, updatedAt: sql`now()`, lastError: null, failingSince: null })
    .where(and(eq(projectionCheckpoints.name, name), eq(projectionCheckpoints.position, expected)))
    .returning({ position: projectionCheckpoints.position });
  return moved.length === 1;
}

/**
 * Says on the checkpoint's row that the projection's batches fail, and why, for every process's
 * status (the first failure's time stays). Only while the checkpoint is still at `position`, where
 * the batch failed: a write that comes after the next commit changes nothing.
 */
export async function recordFailure(db: Db, name: string, position: number, error: string): Promise<void> {
  await db
    .update(projectionCheckpoints)
    .set({ lastError: error, failingSince: sql`coalesce(${projectionCheckpoints.failingSince}, now())` })
    .where(and(eq(projectionCheckpoints.name, name), eq(projectionCheckpoints.position, position)));
}

/** Another writer moved the checkpoint since we read it: plan the batch again from there. */
export class CheckpointMoved extends Error {
  constructor(readonly position: number) {
    super(`checkpoint moved to ${position}`);
  }
}
