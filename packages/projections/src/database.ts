import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { advisoryLeases, inProcessLeases, type LeaseProvider } from "./advisory-lock-lease.ts";
import { migratePgliteClient, migratePostgresUrl } from "./migrate.ts";

/** What both drivers have in common: the queries are written once against this. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type DatabaseOptions = {
  /** A Postgres URL; without one the read model lives in PGlite. */
  url?: string;
  /**
   * Postgres only: whom the migrations run as, when not `url`'s role (DATABASE_MIGRATE_URL: the
   * role owning the schema, infra/postgres/roles.sql). Its connection is closed once they are
   * applied; the pool and the leases use `url`.
   */
  migrateUrl?: string | undefined;
  /** Where PGlite keeps its files; in memory when absent. */
  dataDir?: string;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
  /**
   * Postgres only: the schema the read model lives in (its migrations too), "public" when
   * absent. A rebuild writes fresh tables in a schema of its own while the live ones serve.
   */
  schema?: string;
};

export type Database = {
  db: Db;
  kind: "postgres" | "pglite";
  /** More than one connection: writes may run alongside a transaction (a projection's staged writes). */
  concurrent: boolean;
  /** Who runs each projection: one process at a time. */
  leases: LeaseProvider;
  close(): Promise<void>;
};

const pools = new WeakMap<Db, postgres.Sql>();

/**
 * The postgres.js pool behind a Db that openDatabase made from a URL, for what drizzle cannot
 * say (COPY); null for PGlite and for a transaction, whose writes must stay on its connection.
 */
export function postgresPoolOf(db: Db): postgres.Sql | null {
  return pools.get(db) ?? null;
}

/** Opens the read-model database and brings its schema up to date. */
export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  if (opts.url) {
    await migratePostgresUrl(opts.migrateUrl || opts.url, opts.schema);
    const connection = opts.schema ? { search_path: opts.schema } : {};
    const poolSize = opts.poolSize ?? 10;
    const client = postgres(opts.url, { max: poolSize, onnotice: () => undefined, connection });
    const url = opts.url;
    const leases = advisoryLeases(() => postgres(url, { max: 1, onnotice: () => undefined, connection }));
    const db = drizzlePostgres(client);
    pools.set(db, client);
    return { db, kind: "postgres", concurrent: poolSize > 1, leases, close: () => client.end({ timeout: 5 }) };
  }
  const client = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
  try {
    await migratePgliteClient(client);
  } catch (err) {
    await client.close();
    throw err;
  }
  return { db: drizzlePglite(client), kind: "pglite", concurrent: false, leases: inProcessLeases, close: () => client.close() };
}
