import { isUtf8 } from "node:buffer";
import { subjects } from "@loadline/nats";
import { getTableName, sql } from "drizzle-orm";
import { CopyBinaryWriter, type CopyField, copyBinary } from "./copy-binary.ts";
import { type Db, postgresPoolOf, type Tx } from "./database.ts";
import type { ProjectedEvent, Projection } from "./projection.ts";
import {
  ALL_REQUESTS,
  applyDeltas,
  bucketOf,
  ROLLUP_STEPS,
  type RollupRow,
  rollupKey,
  secondDeltas,
  type TenantWindow,
  touchedKeys,
} from "./rollups.ts";
import { generatorSeconds, metricRollups, metricWindowKeys, metricWindows } from "./schema.ts";
import { rowsOf, upsertRows } from "./sql-helpers.ts";

export const METRICS_PROJECTION = "metrics";

/**
 * Raw windows per statement when they are stored apart: the chunks of a batch go to Postgres
 * on several connections at once, and checking and TOAST-compressing some 20 KB of JSON a
 * window is most of Postgres's work in an ingest.
 */
const RAW_CHUNK = 250;

/**
 * Every worker's windows as they came (metric_windows), and their exact merges per second,
 * 10 s, minute and run (metric_rollups). The raw rows are staged: stored apart from the batch's
 * transaction, idempotently, while the batch ahead commits. A window is rolled up only when its
 * key is new in metric_window_keys, in the rollups' own transaction, so a redelivered or
 * re-imported window is never counted twice.
 */
export function metricsProjection(opts: { merged?: (windows: readonly TenantWindow[]) => void } = {}): Projection {
  // The new windows of the batch being applied, told to `merged` once its transaction commits (a rolled-back batch comes again).
  let applied: readonly TenantWindow[] = [];
  return {
    name: METRICS_PROJECTION,
    source: (ns) => ({ stream: ns.streams.metrics, filterSubject: subjects.allMetrics(ns) }),
    largeMessages: true,
    async stage(db: Db, batch: readonly ProjectedEvent[]) {
      const windows = windowsOf(batch);
      const chunks: ArrivedWindow[][] = [];
      for (let i = 0; i < windows.length; i += RAW_CHUNK) chunks.push(windows.slice(i, i + RAW_CHUNK));
      await Promise.all(chunks.map((chunk) => storeRawWindows(db, chunk)));
    },
    async apply(tx: Tx, batch: readonly ProjectedEvent[]) {
      const fresh = await newWindows(tx, windowsOf(batch));
      if (opts.merged) applied = fresh;
      await rollUp(
        tx,
        fresh.map((w) => ({ ...w, seq: w.published.seq })),
      );
      await storeGeneratorSeconds(tx, fresh);
    },
    committed() {
      if (applied.length > 0) opts.merged?.(applied);
      applied = [];
    },
  };
}

/** A window as it arrived: its event's bytes too, when the projector has them (stored as they are). */
type ArrivedWindow = TenantWindow & { readonly published: ProjectedEvent };

const windowsOf = (batch: readonly ProjectedEvent[]): ArrivedWindow[] =>
  batch.flatMap((published) => {
    const { event } = published;
    return event.type === "metrics.window" ? [{ ...event.data, tenantId: event.tenantId, published }] : [];
  });

/**
 * The event's bytes as published, when there are any and they are UTF-8 as Postgres wants: a
 * message that is not (its decoding replaced what was not) would fail every store of its batch.
 */
const publishedBytes = ({ raw }: ProjectedEvent): Buffer | null => {
  if (!raw) return null;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return isUtf8(bytes) ? bytes : null;
};

/** A window and its message's sequence in the metrics stream. */
export type SequencedWindow = TenantWindow & { readonly seq: number };

/**
 * Adds new windows (never seen before) to the rollups of every step. Each row changed keeps the
 * largest stream sequence of the windows folded into it (`seq`): when it last changed, the same
 * however the windows were batched, so a rebuild writes the same rows. The live feeds send a
 * client the rows changed after its cursor.
 */
export async function rollUp(tx: Tx, fresh: readonly SequencedWindow[]): Promise<void> {
  if (fresh.length === 0) return;
  const deltas = secondDeltas(fresh);
  const existing = await readRollups(tx, deltas);
  const changedAt = new Map<string, number>();
  const mark = (key: string, seq: number) => changedAt.set(key, Math.max(changedAt.get(key) ?? 0, seq));
  for (const row of existing) mark(rollupKey(row), (row as RollupRow & { seq?: number }).seq ?? 0);
  for (const w of fresh)
    for (const step of ROLLUP_STEPS) {
      const cell = { tenantId: w.tenantId, runId: w.runId, step, bucket: bucketOf(w.second, step) };
      mark(rollupKey({ ...cell, ...ALL_REQUESTS }), w.seq);
      for (const r of w.requests) mark(rollupKey({ ...cell, method: r.method, name: r.name }), w.seq);
    }
  await writeRollups(
    tx,
    applyDeltas(existing, deltas).map((row) => ({ ...row, seq: changedAt.get(rollupKey(row)) ?? 0 })),
  );
}

const windowKey = (tenantId: string, runId: string, workerId: string, second: number) =>
  `${tenantId}\u0000${runId}\u0000${workerId}\u0000${second}`;

const RAW_COLUMNS = [
  "tenant_id",
  "run_id",
  "worker_id",
  "second",
  "active_users",
  "event",
  "iterations",
  "dropped_iterations",
  "checks_passed",
  "checks_failed",
];

/**
 * The hot path. On a Postgres pool the chunk goes by binary COPY: nothing for Postgres to parse
 * but the event's JSON, which it checks. COPY has no "on conflict", so a chunk holding a window
 * already stored (a redelivery, a batch staged again after a failed commit) fails whole and is
 * stored again by the insert, which leaves such windows as they are. PGlite, and a transaction,
 * take the insert.
 */
async function storeRawWindows(db: Db, windows: readonly ArrivedWindow[]): Promise<void> {
  if (windows.length === 0) return;
  const pool = postgresPoolOf(db);
  if (pool) {
    try {
      return await copyBinary(pool, getTableName(metricWindows), RAW_COLUMNS, rawWindowsCopy(windows));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  await insertRawWindows(db, windows);
}

/** A raw row's values, in RAW_COLUMNS order: the one description both ways of storing use. */
const rawFields = (w: ArrivedWindow): CopyField[] => [
  { type: "text", value: w.tenantId },
  { type: "text", value: w.runId },
  { type: "text", value: w.workerId },
  { type: "int8", value: w.second },
  { type: "int4", value: w.activeUsers },
  eventField(w.published),
  { type: "int4", value: w.iterations ?? 0 },
  { type: "int4", value: w.droppedIterations ?? 0 },
  { type: "int4", value: w.checksPassed ?? 0 },
  { type: "int4", value: w.checksFailed ?? 0 },
];

function rawWindowsCopy(windows: readonly ArrivedWindow[]): Buffer {
  const out = new CopyBinaryWriter(windows.length * 24 * 1024);
  for (const w of windows) out.row(rawFields(w));
  return out.finish();
}

function eventField(published: ProjectedEvent): CopyField {
  const bytes = publishedBytes(published);
  return bytes ? { type: "bytes", value: bytes } : { type: "json", value: JSON.stringify(published.event) };
}

const isUniqueViolation = (err: unknown): boolean =>
  typeof err === "object" && err !== null && (err as { code?: unknown }).code === "23505";

/** A field as a JSON value: the event's JSON goes in as it is, not parsed and serialised again. */
function jsonOf(field: CopyField): string {
  switch (field.type) {
    case "text":
      return JSON.stringify(field.value);
    case "json":
      return field.value;
    case "bytes":
      return Buffer.from(field.value.buffer, field.value.byteOffset, field.value.byteLength).toString("utf8");
    case "int4":
    case "int8":
      return String(field.value);
  }
}

/**
 * The whole chunk in one statement with one parameter (a JSON array), rather than building SQL
 * row by row. json, not jsonb: Postgres only checks the text, and events are stored as json.
 * A window already stored (a redelivery) is left as it is.
 */
async function insertRawWindows(db: Db, windows: readonly ArrivedWindow[]): Promise<void> {
  const rows = windows.map(
    (w) =>
      `{${rawFields(w)
        .map((field, i) => `"${RAW_COLUMNS[i]}":${jsonOf(field)}`)
        .join(",")}}`,
  );
  const payload = `[${rows.join(",")}]`;
  await db.execute(sql`
    insert into ${metricWindows} (${sql.raw(RAW_COLUMNS.join(", "))})
    select ${sql.raw(RAW_COLUMNS.join(", "))}
    from json_to_recordset(${payload}::json)
      as w(tenant_id text, run_id text, worker_id text, second bigint, active_users integer, event json,
           iterations integer, dropped_iterations integer, checks_passed integer, checks_failed integer)
    on conflict do nothing`);
}

/** The generator's health of the new windows that carry it (generator_seconds), in the rollups' transaction. */
async function storeGeneratorSeconds(tx: Tx, windows: readonly TenantWindow[]): Promise<void> {
  const rows = windows.flatMap((w) =>
    w.generator ? [{ t: w.tenantId, r: w.runId, s: w.second, w: w.workerId, x: w.generator.saturated, h: w.generator }] : [],
  );
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into ${generatorSeconds} (tenant_id, run_id, second, worker_id, saturated, health)
    select t, r, s, w, x, h from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as k(t text, r text, s bigint, w text, x boolean, h jsonb)
    on conflict do nothing`);
}

/** The windows whose keys are new: recorded now, in the rollups' transaction. */
async function newWindows<W extends TenantWindow>(tx: Tx, windows: readonly W[]): Promise<W[]> {
  if (windows.length === 0) return [];
  const keys = JSON.stringify(windows.map((w) => ({ t: w.tenantId, r: w.runId, s: w.second, w: w.workerId })));
  const inserted = await tx.execute(sql`
    insert into ${metricWindowKeys} (tenant_id, run_id, second, worker_id)
    select t, r, s, w from jsonb_to_recordset(${keys}::jsonb) as k(t text, r text, s bigint, w text)
    on conflict do nothing
    returning tenant_id, run_id, worker_id, second`);
  const rows = rowsOf<{ tenant_id: string; run_id: string; worker_id: string; second: string | number }>(inserted);
  const fresh = new Set(rows.map((r) => windowKey(r.tenant_id, r.run_id, r.worker_id, Number(r.second))));
  // The same window twice in one batch: only its first copy counts.
  return windows.filter((w) => fresh.delete(windowKey(w.tenantId, w.runId, w.workerId, w.second)));
}

/** The stored rollup rows of every bucket the deltas touch, at every step. */
async function readRollups(tx: Tx, deltas: readonly RollupRow[]): Promise<RollupRow[]> {
  const keys = JSON.stringify(touchedKeys(deltas).map((k) => ({ tenant_id: k.tenantId, run_id: k.runId, step: k.step, bucket: k.bucket })));
  return tx
    .select()
    .from(metricRollups)
    .where(
      sql`(${metricRollups.tenantId}, ${metricRollups.runId}, ${metricRollups.step}, ${metricRollups.bucket}) in
        (select tenant_id, run_id, step, bucket from jsonb_to_recordset(${keys}::jsonb) as k(tenant_id text, run_id text, step integer, bucket bigint))`,
    );
}

const ROLLUP_KEY = ["tenant_id", "run_id", "step", "method", "name", "bucket"];

function writeRollups(tx: Tx, rows: readonly (RollupRow & { seq: number })[]): Promise<void> {
  return upsertRows(tx, metricRollups, rows, ROLLUP_KEY);
}
