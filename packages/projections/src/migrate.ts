import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/**
 * The SQL files drizzle-kit generated from schema.ts, in the package's drizzle/ folder. Found
 * through the package's own name, so that a bundle built elsewhere (the loadline CLI) still
 * finds them where the package is installed.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.resolve("@loadline/projections")));

/** A table of our own: another package migrating the same database keeps its own history. */
const migrationConfig = { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: "drizzle", migrationsTable: "projections_migrations" };

/** Any fixed key will do, as long as every replica uses the same one ("LLPR"). */
const MIGRATION_LOCK_KEY = 0x4c4c5052;

/**
 * Applies the migrations on a real Postgres under an advisory lock, so that replicas
 * starting together migrate one after the other. The lock lives on its own one-connection
 * client: a session lock belongs to the connection that took it. `schema` migrates the tables of
 * another schema (a rebuild's), keeping its migration history there too.
 */
export async function migratePostgresUrl(url: string, schema?: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined, ...(schema ? { connection: { search_path: schema } } : {}) });
  try {
    const db = drizzlePostgres(client);
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      // The SQL files name no schema: in another schema they build a second, independent set of tables.
      if (schema) await db.execute(sql`create schema if not exists ${sql.identifier(schema)}`);
      await migratePostgres(db, schema ? { ...migrationConfig, migrationsSchema: schema } : migrationConfig);
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** PGlite is one process's own database: nobody to race with. */
export async function migratePgliteClient(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client), migrationConfig);
}
