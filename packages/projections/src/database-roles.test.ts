// The two Postgres roles of infra/postgres/roles.sql, as shipped: the file itself runs (through
// psql, twice: it is idempotent) with role names of this run's own, since roles belong to the whole
// cluster. The owner role migrates; the application role runs the read side for real (events and
// metric windows projected, a dead letter, reads, status, retention) and can alter, drop, create
// and truncate nothing. A rebuild runs as the owner, and the application role's live projector
// goes on in the tables swapped in. A database migrated before the roles existed is adopted.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type EventStore, newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore, subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { serverErrorOf } from "./database-errors.ts";
import { MetricsQueries } from "./metrics-queries.ts";
import { MIGRATIONS_FOLDER } from "./migrate.ts";
import { rebuildProjection } from "./rebuild.ts";
import { pruneRawWindows } from "./retention.ts";
import { Projections } from "./service.ts";
import { rowsOf } from "./sql-helpers.ts";
import { ProjectionStatusReader } from "./status.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated, tableChecksums } from "./test-fixtures.ts";
import { TEST_PG_ADMIN_URL, type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("database-roles-test", process.env.TEST_LOG_LEVEL ?? "silent");
const ROLES_SQL = fileURLToPath(new URL("../../../infra/postgres/roles.sql", import.meta.url));
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };

const run = randomBytes(4).toString("hex");
const OWNER = `ll_owner_${run}`;
const APP = `ll_app_${run}`;
const PASSWORD = randomBytes(8).toString("hex");
const TENANT = "roles";
const INSUFFICIENT_PRIVILEGE = "42501";

/** psql from PATH, else the newest Debian server's (the package scripts/test.sh installs brings it). */
function psqlBin(): string {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => `/usr/lib/postgresql/${v}/bin/psql`).find((p) => existsSync(p)) ?? "psql";
}

/** The shipped file, run as the test's superuser on one database, with this run's role names. */
async function runRolesSql(url: string): Promise<void> {
  const vars = { owner_role: OWNER, app_role: APP, owner_password: PASSWORD, app_password: PASSWORD };
  const args = [
    url,
    "-X",
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    ...Object.entries(vars).flatMap(([k, v]) => ["-v", `${k}=${v}`]),
    "-f",
    ROLES_SQL,
  ];
  await promisify(execFile)(psqlBin(), args);
}

/** The same database as another role. */
function as(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = PASSWORD;
  return u.toString();
}

/** Rejects with the server's "insufficient privilege". */
async function refused(statement: Promise<unknown>): Promise<string> {
  const err = await statement.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "the statement should have been refused").not.toBeNull();
  expect(serverErrorOf(err)?.code).toBe(INSUFFICIENT_PRIVILEGE);
  return serverErrorOf(err)!.message;
}

let env: TestNats;
let js: JetStreamClient;
let store: EventStore;
let pg: TestDatabase;
/** The test database as the superuser: to look at what the roles did, never to do their work. */
let admin: postgres.Sql;
let appUrl: string;
let ownerUrl: string;
let live: Projections | null = null;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  databases.push(pg);
  js = jetstream(env.nc);
  store = new JetStreamEventStore(env.nc, env.ns);
  admin = postgres(pg.url, { max: 1, onnotice: () => undefined });
  appUrl = as(pg.url, APP);
  ownerUrl = as(pg.url, OWNER);
  await runRolesSql(pg.url);
  await runRolesSql(pg.url); // again: idempotent
});

afterAll(async () => {
  try {
    await live?.stop();
    await admin?.end();
    await env?.cleanup();
  } finally {
    for (const d of databases) await d.drop();
    await dropRoles();
  }
});

/** Roles are the cluster's: whatever they still own or were granted elsewhere goes, then they do. */
async function dropRoles(): Promise<void> {
  const cluster = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
  try {
    for (const role of [APP, OWNER]) {
      const [exists] = await cluster`select 1 from pg_roles where rolname = ${role}`;
      if (!exists) continue;
      await cluster.unsafe(`drop owned by ${role}`);
      await cluster.unsafe(`drop role ${role}`);
    }
  } finally {
    await cluster.end();
  }
}

/** A load test, a run and `seconds` seconds of windows from two workers; answers the last sequences. */
async function someHistory(seconds: number): Promise<{ events: number; metrics: number; runId: string }> {
  const loadTestId = newId();
  await appendEvents(store, TENANT, { type: "load-test", id: loadTestId }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
  const runId = newId();
  const events = await appendEvents(store, TENANT, { type: "run", id: runId }, [runCreated(loadTestId)]);
  let metrics = 0;
  for (let s = 0; s < seconds; s++) {
    for (const workerId of ["w1", "w2"]) {
      const requests = [requestWindow("home", [1000 + s, 2000]), requestWindow("login", [9000 + s], s % 2, "POST")];
      metrics = await publishWindow(js, env.ns, TENANT, { runId, workerId, second: 1_700_000_000 + s, activeUsers: 2, requests });
    }
  }
  return { events, metrics, runId };
}

/** A load test whose name holds NUL, straight onto the stream: Postgres cannot store it, so it is dead-lettered. */
async function poison(): Promise<number> {
  const id = newId();
  const envelope = {
    id: newId(),
    type: "load-test.created",
    schemaVersion: 1,
    tenantId: TENANT,
    aggregate: { type: "load-test", id },
    time: new Date().toISOString(),
    actor: "tester",
    causationId: null,
    correlationId: id,
    data: { spec: loadTestSpec({ name: "nul\u0000name" }) },
  };
  return (await js.publish(subjects.event(env.ns, TENANT, "load-test", id), JSON.stringify(envelope))).seq;
}

/** A database of its own, with the roles. */
async function databaseWithRoles(): Promise<TestDatabase> {
  const d = await testDatabase();
  databases.push(d);
  await runRolesSql(d.url);
  return d;
}

/**
 * The read side as a deployment runs it, started once: migrated as the owner role, running as
 * the application role, with a history projected (a run with 6 metric windows, and a dead letter).
 */
let history: Promise<{ runId: string }> | null = null;
function liveReadSide(): Promise<{ runId: string }> {
  history ??= (async () => {
    live = await Projections.start({ nc: env.nc, ns: env.ns, database: { url: appUrl, migrateUrl: ownerUrl }, log });
    const { events, metrics, runId } = await someHistory(3);
    const bad = await poison();
    expect(await live.projectors.events.waitFor(Math.max(events, bad), 10_000)).toBe(true);
    expect(await live.projectors.metrics.waitFor(metrics, 10_000)).toBe(true);
    return { runId };
  })();
  return history;
}

const tableOwners = async (sqlc: postgres.Sql) =>
  (await sqlc<{ tableowner: string }[]>`select distinct tableowner from pg_tables where schemaname in ('public', 'drizzle')`).map(
    (r) => r.tableowner,
  );

describe("Postgres roles (infra/postgres/roles.sql)", () => {
  it("the application role alone cannot migrate a fresh database, and says how to", async () => {
    const fresh = await databaseWithRoles();
    const err = await openDatabase({ url: as(fresh.url, APP) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(new RegExp(`role "${APP}" may not apply them.*DATABASE_MIGRATE_URL`));
    expect(serverErrorOf(err)?.code).toBe(INSUFFICIENT_PRIVILEGE);
    const freshAdmin = postgres(fresh.url, { max: 1, onnotice: () => undefined });
    try {
      expect(await tableOwners(freshAdmin)).toEqual([]);
    } finally {
      await freshAdmin.end();
    }
  });

  it("migrates as the owner; the running read side, as the application role, projects, dead-letters, serves and reports", async () => {
    const { runId } = await liveReadSide();
    const projections = live!;
    expect(await tableOwners(admin)).toEqual([OWNER]);
    const [applied] = await admin<{ n: number }[]>`select count(*)::int as n from drizzle.projections_migrations`;
    expect(applied?.n).toBe(journal.entries.length);
    // The owner's connection ended with the migrations: the read side is connected as the application role only.
    await eventually(async () => {
      const users = await admin<{ usename: string }[]>`
        select distinct usename from pg_stat_activity where datname = ${pg.name} and pid <> pg_backend_pid()`;
      return users.length === 1 && users[0]?.usename === APP;
    });
    expect(rowsOf(await projections.database.db.execute(sql`select current_user as who`))).toEqual([{ who: APP }]);

    expect(await projections.readModel.run(TENANT, runId)).not.toBeNull();
    expect(await projections.readModel.windows(TENANT, runId)).toHaveLength(6);
    // What the read routes ask (they need the request's tenant, so they are asked here directly).
    const run = (await projections.readModel.run(TENANT, runId))!;
    const queries = new MetricsQueries(projections.readModel);
    expect((await queries.aggregate(run, {})).endpoints).toHaveLength(2);
    expect((await queries.timeseries(run, {}, "auto")).points).toHaveLength(3);
    const statuses = await new ProjectionStatusReader(projections.database.db, env.nc, env.ns).list();
    expect(statuses.find((st) => st.name === "events")).toMatchObject({ deadLetters: 1, lag: 0, state: "ok" });
    expect(projections.ready()).toBe(true);

    // The API and `projections status` open the database as DATABASE_URL alone: nothing is due, so nothing to migrate.
    const api = await openDatabase({ url: appUrl, poolSize: 1 });
    try {
      const items = await new ProjectionStatusReader(api.db, env.nc, env.ns).list();
      expect(items.map((i) => [i.name, i.lag])).toEqual([
        ["events", 0],
        ["metrics", 0],
      ]);
    } finally {
      await api.close();
    }
  });

  it("lets the application role neither alter, drop, create nor truncate anything", async () => {
    await liveReadSide();
    const app = postgres(appUrl, { max: 1, onnotice: () => undefined });
    try {
      expect((await app`select count(*)::int as n from runs`)[0]).toEqual({ n: 1 });
      expect(await refused(app`alter table runs add column sneaky int`)).toMatch(/must be owner of table runs/);
      expect(await refused(app`alter table metric_windows alter column event set storage external`)).toMatch(/must be owner/);
      expect(await refused(app`drop table runs`)).toMatch(/must be owner of table runs/);
      expect(await refused(app`create index on runs (tenant_id)`)).toMatch(/must be owner/);
      expect(await refused(app`create table sneaky (a int)`)).toMatch(/permission denied for schema public/);
      expect(await refused(app`create table public.sneaky (a int)`)).toMatch(/permission denied for schema public/);
      expect(await refused(app`create table drizzle.sneaky (a int)`)).toMatch(/permission denied for schema drizzle/);
      expect(await refused(app`create temporary table sneaky (a int)`)).toMatch(/temporary tables/);
      expect(await refused(app`create schema sneaky`)).toMatch(/permission denied for database/);
      expect(await refused(app`truncate runs`)).toMatch(/permission denied for table runs/);
      expect(await refused(app`truncate metric_windows, metric_rollups`)).toMatch(/permission denied for table/);
      expect(await refused(app`drop schema drizzle cascade`)).toMatch(/must be owner of schema drizzle/);
    } finally {
      await app.end();
    }
    const privileges = await admin<{ table: string; insert: boolean; truncate: boolean }[]>`
      select c.relname as table, has_table_privilege(${APP}, c.oid, 'INSERT') as insert, has_table_privilege(${APP}, c.oid, 'TRUNCATE') as truncate
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`;
    expect(privileges.length).toBeGreaterThanOrEqual(7);
    expect(privileges.filter((p) => !p.insert || p.truncate)).toEqual([]);
  });

  it("rebuilds as the owner (not as the application role), and the application role's live projector goes on in the swapped-in tables", async () => {
    await liveReadSide();
    const projections = live!;
    const before = await tableChecksums(projections.database.db);

    const asApp = await rebuildProjection({ url: appUrl, nc: env.nc, ns: env.ns, log, name: "events" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(serverErrorOf(asApp)?.code).toBe(INSUFFICIENT_PRIVILEGE);

    for (const name of ["events", "metrics"]) await rebuildProjection({ url: ownerUrl, nc: env.nc, ns: env.ns, log, name });
    expect(await tableChecksums(projections.database.db)).toEqual(before);
    expect(await tableOwners(admin)).toEqual([OWNER]);
    const [grants] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not has_table_privilege(${APP}, c.oid, 'SELECT, INSERT, UPDATE, DELETE')`;
    expect(grants?.n).toBe(0);

    const more = await someHistory(2);
    expect(await projections.projectors.events.waitFor(more.events, 10_000)).toBe(true);
    expect(await projections.projectors.metrics.waitFor(more.metrics, 10_000)).toBe(true);
    expect(await projections.readModel.windows(TENANT, more.runId)).toHaveLength(4);
    expect(projections.ready()).toBe(true);

    // Retention, hourly in the running read side: a DELETE, the application role's to do.
    expect(await pruneRawWindows(projections.database.db, 14)).toBe(10); // every window: seconds of 2023
    expect(await projections.readModel.windows(TENANT, more.runId)).toHaveLength(0);
  });

  it("adopts a database migrated before the roles existed: its tables go to the owner, the application role may use them", async () => {
    const old = await testDatabase();
    databases.push(old);
    await (await openDatabase({ url: old.url, poolSize: 1 })).close(); // migrated as the superuser, as before
    const oldAdmin = postgres(old.url, { max: 1, onnotice: () => undefined });
    try {
      expect(await tableOwners(oldAdmin)).not.toContain(OWNER);
      await runRolesSql(old.url);
      expect(await tableOwners(oldAdmin)).toEqual([OWNER]);
    } finally {
      await oldAdmin.end();
    }
    const db = await openDatabase({ url: as(old.url, APP), migrateUrl: as(old.url, OWNER), poolSize: 1 });
    try {
      await db.db.execute(sql`insert into projection_checkpoints (name, position, updated_at) values ('adopted', 1, now())`);
      await db.db.execute(sql`update projection_checkpoints set position = 2 where name = 'adopted'`);
      await db.db.execute(sql`delete from projection_checkpoints where name = 'adopted'`);
    } finally {
      await db.close();
    }
  });
});
