import type { Namespace, NatsConnection } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { sql } from "drizzle-orm";
import { agentProjection } from "./agent-projection.ts";
import { type Database, type Db, openDatabase } from "./database.ts";
import { eventsProjection } from "./events-projection.ts";
import { metricsProjection } from "./metrics-projection.ts";
import type { Projection } from "./projection.ts";
import { Projector } from "./projector.ts";
import { rowsOf } from "./sql-helpers.ts";

export type RebuildOptions = {
  /** The live read model's Postgres. */
  url: string;
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  /** Which projection: "events", "metrics" or "agent". */
  name: string;
  /** Replay from this stream sequence; from the stream's first message when neither this nor fromTime is given. */
  fromSeq?: number;
  fromTime?: Date;
  batchSize?: number;
  onProgress?: (p: { position: number; target: number }) => void;
};

export type RebuildResult = { name: string; fromSeq: number; position: number; applied: number; ms: number; schema: string };

/** The projections an operator can rebuild, with the tables each one owns. */
export function rebuildable(log: Logger): Record<string, { projection: Projection; tables: readonly string[] }> {
  return {
    events: {
      projection: eventsProjection(log),
      tables: [
        "load_tests",
        "runs",
        "api_keys",
        "secrets",
        "tenant_settings",
        "audit_log",
        "schedules",
        "agent_actions",
        "run_suts",
        "webhooks",
      ],
    },
    metrics: { projection: metricsProjection(), tables: ["metric_windows", "metric_window_keys", "metric_rollups", "generator_seconds"] },
    // The agents only: LL_AGENT keeps a day (1,000 messages an agent and kind), so the SUT seconds
    // of older runs are not in it any more; they stay as the live projection wrote them.
    agent: { projection: agentProjection(log), tables: ["agents"] },
  };
}

const PROGRESS_EVERY_MS = 1000;
/**
 * Messages per transaction in a rebuild: per-commit costs (round trips, the checkpoint, reading
 * the batch's rows back) spread over more events. Measured on 300,000 events: 2,000 gave ~23k
 * events/s, 5,000 ~30k, 10,000 ~33k (bench/read-side/replay.ts --batch-sizes).
 */
export const REBUILD_BATCH_SIZE = 10_000;
const MAX_CATCH_UPS = 20;

/**
 * Replays a projection's stream into fresh tables in a schema of its own while the live tables
 * keep serving, then swaps them in, in one transaction that holds the live checkpoint's row lock:
 * the live projector (if any) waits on it and resumes, by compare-and-set, from the rebuilt
 * checkpoint. Rows the replay does not reach (before --from-seq) are not carried over.
 */
export async function rebuildProjection(opts: RebuildOptions): Promise<RebuildResult> {
  const target = rebuildable(opts.log)[opts.name];
  if (!target) throw new Error(`unknown projection "${opts.name}": one of ${Object.keys(rebuildable(opts.log)).join(", ")}`);
  const started = Date.now();
  const schema = `rebuild_${opts.name}_${started}`;
  const log = opts.log.child({ rebuild: opts.name, schema });
  const { stream } = target.projection.source(opts.ns);
  const fromSeq = await startSequence(opts.nc, stream, target.projection.source(opts.ns).filterSubject, opts);

  const live = await openDatabase({ url: opts.url, poolSize: 2 });
  let fresh: Database | null = null;
  try {
    fresh = await openDatabase({ url: opts.url, schema, poolSize: 4 });
    await fresh.db.execute(
      sql`insert into projection_checkpoints (name, position, updated_at) values (${opts.name}, ${fromSeq - 1}, now())`,
    );
    const durable = `proj_${opts.name}_rebuild`;
    const common = {
      projection: target.projection,
      nc: opts.nc,
      ns: opts.ns,
      db: fresh.db,
      leases: fresh.leases,
      concurrentStaging: fresh.concurrent,
      log,
      durable,
      batchSize: opts.batchSize ?? REBUILD_BATCH_SIZE,
    };
    const deferred = await dropSecondaryIndexes(fresh.db, schema, target.tables);
    for (let round = 0; ; round++) {
      const position = await replayUntil(await Projector.start(common), await lastSequence(opts.nc, stream), opts.onProgress);
      if (round === 0) await createIndexes(fresh.db, deferred, log);
      if (await swap(live, schema, opts.name, target.tables, position)) {
        await deleteDurable(opts.nc, stream, durable);
        const result = {
          name: opts.name,
          fromSeq,
          position,
          applied: Math.max(0, position - fromSeq + 1),
          ms: Date.now() - started,
          schema,
        };
        log.info(result, "rebuilt and swapped in");
        return result;
      }
      if (round >= MAX_CATCH_UPS) throw new Error("the live projection keeps moving ahead of the rebuild; try again when it is quieter");
      log.info({ position }, "the live projection moved on meanwhile: catching up before the swap");
    }
  } catch (err) {
    await deleteDurable(opts.nc, stream, `proj_${opts.name}_rebuild`);
    await live.db.execute(sql`drop schema if exists ${sql.identifier(schema)} cascade`).catch(() => undefined);
    throw err;
  } finally {
    await fresh?.close();
    await live.close();
  }
}

/** Runs the rebuild's projector until it has applied `target`, then stops it; answers its position. */
async function replayUntil(projector: Projector, target: number, onProgress: RebuildOptions["onProgress"]): Promise<number> {
  try {
    let reported = 0;
    while (projector.position < target) {
      await projector.waitFor(Math.min(target, projector.position + 1), PROGRESS_EVERY_MS);
      if (Date.now() - reported >= PROGRESS_EVERY_MS) {
        onProgress?.({ position: projector.position, target });
        reported = Date.now();
      }
    }
    return projector.position;
  } finally {
    await projector.stop();
  }
}

/**
 * A bulk load writes faster without the indexes only queries need: every row of a replayed run
 * is overwritten a dozen times, and each time each index took a new entry (the status index
 * changes with every state). They are dropped from the fresh tables once migrated and built
 * once the replay is done, before the swap; primary keys and unique indexes stay, since the
 * upserts rely on them. Answers the statements that create them again.
 */
async function dropSecondaryIndexes(db: Db, schema: string, tables: readonly string[]): Promise<string[]> {
  const rows = await db
    .execute(
      sql`select i.indexname, i.indexdef from pg_indexes i
          where i.schemaname = ${schema} and i.tablename in (${sql.join(
            tables.map((t) => sql`${t}`),
            sql`, `,
          )})
            and not exists (select 1 from pg_index x where x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass and (x.indisunique or x.indisprimary))`,
    )
    .then(rowsOf<{ indexname: string; indexdef: string }>);
  for (const r of rows) await db.execute(sql`drop index ${sql.identifier(schema)}.${sql.identifier(r.indexname)}`);
  return rows.map((r) => r.indexdef);
}

async function createIndexes(db: Db, statements: readonly string[], log: Logger): Promise<void> {
  const started = Date.now();
  for (const statement of statements) await db.execute(sql.raw(statement));
  if (statements.length > 0) log.info({ indexes: statements.length, ms: Date.now() - started }, "built the fresh tables' indexes");
}

/**
 * The swap: with the live checkpoint row locked, the live tables go to a retired schema, the
 * rebuilt ones into theirs, and the checkpoint and dead letters follow. False (nothing changed)
 * when the live projection has applied more than the rebuild.
 */
async function swap(live: Database, schema: string, name: string, tables: readonly string[], position: number): Promise<boolean> {
  const rebuilt = sql.identifier(schema);
  const retired = sql.identifier(`${schema}_retired`);
  return live.db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into projection_checkpoints (name, position, updated_at) values (${name}, 0, now()) on conflict do nothing`,
    );
    const [row] = await tx
      .execute(sql`select position from projection_checkpoints where name = ${name} for update`)
      .then(rowsOf<{ position: string | number }>);
    if (Number(row?.position ?? 0) > position) return false;
    await tx.execute(sql`create schema ${retired}`);
    for (const table of tables) {
      await tx.execute(sql`alter table public.${sql.identifier(table)} set schema ${retired}`);
      await tx.execute(sql`alter table ${rebuilt}.${sql.identifier(table)} set schema public`);
    }
    await tx.execute(sql`update projection_checkpoints set position = ${position}, updated_at = now() where name = ${name}`);
    await tx.execute(sql`delete from projection_dead_letters where projection = ${name}`);
    await tx.execute(sql`insert into projection_dead_letters select * from ${rebuilt}.projection_dead_letters where projection = ${name}`);
    await tx.execute(sql`drop schema ${retired} cascade`);
    await tx.execute(sql`drop schema ${rebuilt} cascade`);
    return true;
  });
}

async function lastSequence(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(stream)).state.last_seq;
}

/** The first sequence to replay: --from-seq, the first message at or after --from-time, or the stream's first. */
async function startSequence(nc: NatsConnection, stream: string, filterSubject: string, opts: RebuildOptions): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  if (opts.fromSeq !== undefined) return Math.max(1, opts.fromSeq);
  if (!opts.fromTime) return Math.max(1, info.state.first_seq);
  // An ephemeral consumer from that time says where it starts: its first pending message.
  const consumer = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    filter_subject: filterSubject,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: opts.fromTime.toISOString(),
    inactive_threshold: nanos(10_000),
    mem_storage: true,
  });
  try {
    // Nothing at or after that time: start after the last message.
    if (consumer.num_pending === 0) return info.state.last_seq + 1;
    const first = await jetstream(nc)
      .consumers.get(stream, consumer.name)
      .then((c) => c.next({ expires: 5000 }));
    if (!first) throw new Error(`could not read the first message after ${opts.fromTime.toISOString()}`);
    return first.seq;
  } finally {
    await jsm.consumers.delete(stream, consumer.name).catch(() => undefined);
  }
}

async function deleteDurable(nc: NatsConnection, stream: string, durable: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(stream, durable).catch(() => undefined);
}
