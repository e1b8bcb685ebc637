import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { migratePgliteClient, migratePostgresUrl } from "./migrate.ts";

/** What both drivers have in common: the queries are written once against this. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type DatabaseOptions = {
  /** A Postgres URL; without one the read model lives in PGlite. */
  url?: string;
  /** Where PGlite keeps its files; in memory when absent. */
  dataDir?: string;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
};

export type Database = {
  db: Db;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
};

/** Opens the read-model database and brings its schema up to date. */
export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  if (opts.url) {
    await migratePostgresUrl(opts.url);
    const client = postgres(opts.url, { max: opts.poolSize ?? 10, onnotice: () => undefined });
    return { db: drizzlePostgres(client), kind: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const client = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
  try {
    await migratePgliteClient(client);
  } catch (err) {
    await client.close();
    throw err;
  }
  return { db: drizzlePglite(client), kind: "pglite", close: () => client.close() };
}
