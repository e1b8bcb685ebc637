// The classification on the errors the two drivers really throw, through drizzle as the
// projector meets them: postgres.js against the test Postgres, and PGlite in this process.
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError, isDataError, reasonOf } from "./database-errors.ts";
import { TEST_PG_ADMIN_URL } from "./testing.ts";

/** The error a statement fails with (a test whose statement succeeds fails here). */
type Run = (statement: SQL) => Promise<unknown>;
const failure = async (run: Run, statement: SQL): Promise<unknown> => {
  try {
    await run(statement);
  } catch (err) {
    return err;
  }
  throw new Error("the statement succeeded");
};
/** Raises an error of the given SQLSTATE, as the server would. */
const raise = (code: string) => sql.raw(`do $$ begin raise exception 'raised %', '${code}' using errcode = '${code}'; end $$`);

const pg = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
const lite = new PGlite();
const drivers: [string, Run][] = [
  ["postgres.js", (s) => drizzlePostgres(pg).execute(s)],
  ["PGlite", (s) => drizzlePglite(lite).execute(s)],
];

beforeAll(async () => {
  await lite.waitReady;
});
afterAll(async () => {
  await pg.end();
  await lite.close();
});

describe.each(drivers)("on %s", (_, run) => {
  it("takes the data's errors for data errors, with their SQLSTATE", async () => {
    const nul = await failure(run, sql`select ${'{"a":"\\u0000"}'}::jsonb`);
    expect(isDataError(nul)).toBe(true);
    expect(describeError(nul)).toEqual({ code: "22P05", message: expect.stringMatching(/^unsupported Unicode escape sequence/) });
    const surrogate = await failure(run, sql`select ${'{"a":"\\ud800"}'}::jsonb`);
    expect(isDataError(surrogate)).toBe(true);
    expect(describeError(surrogate).code).toBe("22P02");
    expect(isDataError(await failure(run, sql`select 2147483647::int4 + 1`))).toBe(true); // 22003
    expect(isDataError(await failure(run, sql`select ${"x"}::int`))).toBe(true); // 22P02
    for (const code of ["21000", "23502", "23505", "54000", "54001"]) expect(isDataError(await failure(run, raise(code))), code).toBe(true);
  });

  it("takes everything else for transient: retried, never dead-lettered", async () => {
    for (const code of ["40001", "40P01", "57P01", "53300", "53100", "08006", "55P03", "P0001", "XX000"]) {
      const err = await failure(run, raise(code));
      expect(isDataError(err), code).toBe(false);
      expect(describeError(err)).toEqual({ code, message: `raised ${code}` });
    }
    // A table that is not there (a migration behind, an operator's rename) is not the message's fault.
    expect(isDataError(await failure(run, sql`select * from no_such_table`))).toBe(false);
  });

  it("describes the server's error, not drizzle's message with the statement and its parameters", async () => {
    const big = JSON.stringify({ pad: "p".repeat(100_000), a: "\u0000" });
    const err = await failure(run, sql`select ${big}::jsonb`);
    expect(String((err as Error).message).length).toBeGreaterThan(100_000); // drizzle's
    const reason = reasonOf(err);
    expect(reason).toMatch(/^22P05 unsupported Unicode escape sequence/);
    expect(reason.length).toBeLessThan(600);
  });

  it("keeps the server's detail for a dead letter, and leaves it out of what every caller sees", async () => {
    const err = await failure(
      run,
      sql.raw(`do $$ begin raise exception 'could not go on' using errcode = '40001', detail = 'Failing row contains (secret)'; end $$`),
    );
    expect(reasonOf(err)).toBe("40001 could not go on (Failing row contains (secret))");
    expect(reasonOf(err, { detail: false })).toBe("40001 could not go on");
  });
});

describe("without a server's answer", () => {
  it("takes a connection that cannot be made for transient", async () => {
    const nobody = postgres("postgres://postgres@127.0.0.1:1/postgres", { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      const err = await failure((s) => drizzlePostgres(nobody).execute(s), sql`select 1`);
      expect(isDataError(err)).toBe(false);
      expect(describeError(err)).toEqual({ code: null, message: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await nobody.end();
    }
  });

  it("takes an error of the code's own for transient, and names it", () => {
    const err = new TypeError("cannot read properties of undefined");
    expect(isDataError(err)).toBe(false);
    expect(reasonOf(err)).toBe("TypeError: cannot read properties of undefined");
  });
});
