import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { serverErrorOf } from "./database-errors.ts";

/**
 * The SQL files drizzle-kit generated from schema.ts, in the package's drizzle/ folder. Found
 * through the package's own name, so that a bundle built elsewhere (the loadline CLI) still
 * finds them where the package is installed.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.resolve("@loadline/projections")));

/**
 * A table of our own: another package migrating the same database keeps its own history. Its
 * schema is named in infra/postgres/roles.sql too (the application role may read it).
 */
const migrationConfig = { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: "drizzle", migrationsTable: "projections_migrations" };

/** Any fixed key will do, as long as every replica uses the same one ("LLPR"). */
const MIGRATION_LOCK_KEY = 0x4c4c5052;

/** SQLSTATEs of a history that is not there yet: no such table (42P01), no such schema (3F000). */
const NO_HISTORY = new Set(["42P01", "3F000"]);
/** insufficient_privilege: the role may not create or alter what a migration does. */
const INSUFFICIENT_PRIVILEGE = "42501";

const codeOf = (err: unknown): string | undefined => (err as { code?: unknown } | null)?.code as string | undefined;

/**
 * Applies the migrations on a real Postgres under an advisory lock, so that replicas
 * starting together migrate one after the other. The lock lives on its own one-connection
 * client, ended before this returns: a session lock belongs to the connection that took it.
 * `schema` migrates the tables of another schema (a rebuild's), keeping its migration history
 * there too.
 *
 * Nothing is due when the history already holds the newest migration: then nothing is locked
 * or created, and this needs no more than reading the history. So a role that may not alter the
 * schema (the services' application role, infra/postgres/roles.sql) passes once the owner role
 * has migrated; while something is due, it fails saying so.
 */
export async function migratePostgresUrl(url: string, schema?: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined, ...(schema ? { connection: { search_path: schema } } : {}) });
  const config = schema ? { ...migrationConfig, migrationsSchema: schema } : migrationConfig;
  const newest = Math.max(0, ...readMigrationFiles(config).map((m) => m.folderMillis));
  try {
    if ((await appliedUpTo(client, config)) >= newest) return;
    const db = drizzlePostgres(client);
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      // Another replica may have migrated while this one waited for the lock.
      if ((await appliedUpTo(client, config)) >= newest) return;
      // The SQL files name no schema: in another schema they build a second, independent set of tables.
      if (schema) await db.execute(sql`create schema if not exists ${sql.identifier(schema)}`);
      await migratePostgres(db, config);
    } catch (err) {
      throw explained(err, client);
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * The newest migration the history records (drizzle's own measure: the migrator applies those
 * whose folderMillis is later); 0 when there is no history yet, or when this role may not read
 * it (then the migrator, trying, says what it may not do).
 */
async function appliedUpTo(client: postgres.Sql, config: { migrationsSchema: string; migrationsTable: string }): Promise<number> {
  try {
    const [row] = await client<{ newest: string | null }[]>`
      select max(created_at)::text as newest from ${client(config.migrationsSchema)}.${client(config.migrationsTable)}`;
    return Number(row?.newest ?? 0);
  } catch (err) {
    const code = codeOf(err);
    if ((code && NO_HISTORY.has(code)) || code === INSUFFICIENT_PRIVILEGE) return 0;
    throw err;
  }
}

/** A permission error says which role lacks it and how to migrate instead; the server's error stays its cause. */
function explained(err: unknown, client: postgres.Sql): unknown {
  const server = serverErrorOf(err);
  if (server?.code !== INSUFFICIENT_PRIVILEGE) return err;
  const user = client.options.user;
  return new Error(
    `migrations are due and Postgres role "${user}" may not apply them (${server.message}): ` +
      "set DATABASE_MIGRATE_URL to the owner role's URL (infra/postgres/roles.sql), or migrate once as the owner " +
      "(DATABASE_MIGRATE_URL=... npm run migrate -w @loadline/projections, or node dist/main.js migrate)",
    { cause: err },
  );
}

/** PGlite is one process's own database: nobody to race with. */
export async function migratePgliteClient(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client), migrationConfig);
}
