import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { MIGRATIONS_FOLDER } from "./migrate.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

/** Every migration drizzle-kit generated, from its journal. */
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };

let pg: TestDatabase;
beforeAll(async () => {
  pg = await testDatabase();
});
afterAll(() => pg?.drop());

describe("openDatabase on Postgres", () => {
  it("lets several replicas start at once: one migrates, the others wait for it", async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => openDatabase({ url: pg.url })));
    try {
      expect(replicas.map((r) => r.kind)).toEqual(["postgres", "postgres", "postgres"]);
      const applied = await replicas[0]!.db.execute(sql`select count(*)::int as n from drizzle.projections_migrations`);
      // postgres.js answers rows as an array. Each migration applied once, not once per replica.
      expect(journal.entries.length).toBeGreaterThanOrEqual(2);
      expect((applied as unknown as { n: number }[])[0]?.n).toBe(journal.entries.length);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});
