import { connectNats, namespace } from "@loadline/nats";
import { openDatabase, type ProjectionStatus, ProjectionStatusReader, rebuildable, rebuildProjection } from "@loadline/projections";
import type { CommandContext } from "./context.ts";

export type RebuildFrom = { fromSeq?: string | undefined; fromTime?: string | undefined };

/**
 * The operator's view of the read side: status, and rebuild from the streams. Both talk to NATS
 * and Postgres directly. Exit codes: 0 done, 1 refused by the environment, 2 bad usage.
 */
export async function projections(
  ctx: CommandContext,
  sub: string | undefined,
  name: string | undefined,
  from: RebuildFrom,
  json: boolean,
): Promise<number> {
  try {
    return await projectionsCommand(ctx, sub, name, from, json);
  } catch (err) {
    console.error(`loadline projections ${sub ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function projectionsCommand(
  ctx: CommandContext,
  sub: string | undefined,
  name: string | undefined,
  from: RebuildFrom,
  json: boolean,
): Promise<number> {
  const { config, log } = ctx;
  if (!config.databaseUrl) {
    console.error(
      "loadline projections needs DATABASE_URL: the Postgres the projections write to (PGlite belongs to the process running it)",
    );
    return 2;
  }
  if (sub === "status") {
    const nc = await connectNats(config.natsUrl, "loadline-projections", log);
    const database = await openDatabase({ url: config.databaseUrl, poolSize: 2 });
    try {
      const items = await new ProjectionStatusReader(database.db, nc, namespace(config.namespace)).list();
      console.log(json ? JSON.stringify({ items }) : formatStatus(items));
      return 0;
    } finally {
      await database.close();
      await nc.close();
    }
  }
  if (sub === "rebuild") {
    const names = Object.keys(rebuildable(log));
    if (!name || !names.includes(name)) {
      console.error(`loadline projections rebuild <name>: one of ${names.join(", ")}`);
      return 2;
    }
    const start = parseFrom(from);
    if (typeof start === "string") {
      console.error(start);
      return 2;
    }
    const nc = await connectNats(config.natsUrl, "loadline-rebuild", log);
    try {
      const result = await rebuildProjection({
        // A rebuild swaps tables: the schema owner's work (DATABASE_MIGRATE_URL), not the application role's.
        url: config.databaseMigrateUrl ?? config.databaseUrl,
        nc,
        ns: namespace(config.namespace),
        log,
        name,
        ...start,
        onProgress: ({ position, target }) => process.stderr.write(`rebuilding ${name}: ${position} of ${target}\n`),
      });
      const rate = result.ms > 0 ? Math.round((result.applied / result.ms) * 1000) : result.applied;
      console.log(
        json
          ? JSON.stringify(result)
          : `rebuilt ${name} from seq ${result.fromSeq} to ${result.position}: ${result.applied} messages in ${(result.ms / 1000).toFixed(1)} s (${rate}/s), swapped in`,
      );
      return 0;
    } finally {
      await nc.close();
    }
  }
  console.error("loadline projections status | rebuild <name> [--from-seq N | --from-time T]");
  return 2;
}

/** --from-seq and --from-time, checked; a message when they are wrong. */
export function parseFrom(from: RebuildFrom): { fromSeq?: number; fromTime?: Date } | string {
  if (from.fromSeq !== undefined && from.fromTime !== undefined) return "give --from-seq or --from-time, not both";
  if (from.fromSeq !== undefined) {
    const seq = Number(from.fromSeq);
    return Number.isInteger(seq) && seq >= 1 ? { fromSeq: seq } : "--from-seq: a stream sequence, a whole number >= 1";
  }
  if (from.fromTime !== undefined) {
    const ms = Date.parse(from.fromTime);
    return Number.isNaN(ms) ? "--from-time: an ISO-8601 time, e.g. 2026-11-23T10:00:00Z" : { fromTime: new Date(ms) };
  }
  return {};
}

export function formatStatus(items: readonly ProjectionStatus[]): string {
  const rows = [
    ["projection", "stream", "checkpoint", "stream last", "lag", "dead letters", "state"],
    ...items.map((i) => [i.name, i.stream, String(i.checkpoint), String(i.streamLastSeq), String(i.lag), String(i.deadLetters), i.state]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) =>
    r
      .map((cell, c) => (c < 2 || c === 6 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
  // What a retrying projection fails on, under the table: an error does not fit in a column.
  const failures = items.filter((i) => i.lastError).map((i) => `${i.name}: retrying since ${i.since}: ${i.lastError}`);
  return [...table, ...(failures.length > 0 ? ["", ...failures] : [])].join("\n");
}
