import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CopyBinaryWriter, copyBinary } from "./copy-binary.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

let pg: TestDatabase;
let pool: postgres.Sql;
beforeAll(async () => {
  pg = await testDatabase();
  pool = postgres(pg.url, { max: 2, onnotice: () => undefined });
  await pool`create table copied (id int8 primary key, n int4 not null, label text not null, doc json not null)`;
});
afterAll(async () => {
  await pool?.end();
  await pg?.drop();
});

const COLUMNS = ["id", "n", "label", "doc"];
const payloadOf = (rows: { id: number; n: number; label: string; doc: unknown }[], initialBytes?: number) => {
  const out = new CopyBinaryWriter(initialBytes);
  for (const r of rows) {
    out.row([
      { type: "int8", value: r.id },
      { type: "int4", value: r.n },
      { type: "text", value: r.label },
      { type: "json", value: JSON.stringify(r.doc) },
    ]);
  }
  return out.finish();
};

describe("binary COPY", () => {
  it("stores every value as it was given, whatever its size or characters", async () => {
    const rows = [
      { id: 1, n: -2_147_483_648, label: "plain", doc: { a: [1, 2, 3] } },
      {
        id: 2 ** 53 - 1,
        n: 2_147_483_647,
        label: 'ünïcødé ✓ 𝄞 "quoted" back\\slash\ttab\nline',
        doc: { s: "naïve 𝄞", nested: { x: null } },
      },
      // Larger than the writer's first buffer: it grows.
      { id: -5, n: 0, label: "x".repeat(100_000), doc: Array.from({ length: 5_000 }, (_, i) => ({ i, h: "HISTFAAAA" })) },
    ];
    await copyBinary(pool, "copied", COLUMNS, payloadOf(rows, 64));
    const stored = await pool<
      { id: string; n: number; label: string; doc: unknown }[]
    >`select id::text, n, label, doc from copied order by id`;
    expect(stored.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([...rows].sort((a, b) => a.id - b.id));
  });

  it("writes bytes already encoded as they are", async () => {
    const doc = Buffer.from(JSON.stringify({ name: "naïve 𝄞", n: [1, 2] }));
    const label = Buffer.from("ünïcødé");
    const out = new CopyBinaryWriter(16).row([
      { type: "int8", value: 30 },
      { type: "int4", value: 3 },
      { type: "bytes", value: label },
      { type: "bytes", value: doc },
    ]);
    await copyBinary(pool, "copied", COLUMNS, out.finish());
    expect(await pool`select label, doc::text as doc from copied where id = 30`).toEqual([{ label: "ünïcødé", doc: doc.toString() }]);
  });

  it("rejects with Postgres's error, stores nothing of the rows, and leaves the pool usable", async () => {
    const before = await pool`select count(*)::int as n from copied`;
    const again = payloadOf([
      { id: 10, n: 1, label: "new", doc: {} },
      { id: 1, n: 1, label: "duplicate", doc: {} },
    ]);
    await expect(copyBinary(pool, "copied", COLUMNS, again)).rejects.toMatchObject({ code: "23505" });
    expect(await pool`select count(*)::int as n from copied`).toEqual(before);
    // Every connection of the pool still answers (a pending COPY would hold one forever).
    const answers = await Promise.all([1, 2, 3, 4].map((i) => pool`select ${i}::int as i`));
    expect(answers.map((a) => a[0]?.i)).toEqual([1, 2, 3, 4]);
  });

  it("runs alongside other queries on a pool with fewer connections than callers", async () => {
    const copies = Array.from({ length: 8 }, (_, i) =>
      copyBinary(pool, "copied", COLUMNS, payloadOf([{ id: 100 + i, n: i, label: `c${i}`, doc: { i } }])),
    );
    const queries = Array.from({ length: 8 }, (_, i) => pool`select ${i}::int as i`.then((r) => r[0]?.i));
    await Promise.all(copies);
    expect(await Promise.all(queries)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await pool`select count(*)::int as n from copied where id >= 100 and id < 108`).toEqual([{ n: 8 }]);
  });

  it("rejects JSON that Postgres cannot read", async () => {
    const out = new CopyBinaryWriter();
    out.row([
      { type: "int8", value: 20 },
      { type: "int4", value: 1 },
      { type: "text", value: "bad" },
      { type: "json", value: "{not json" },
    ]);
    await expect(copyBinary(pool, "copied", COLUMNS, out.finish())).rejects.toMatchObject({ code: "22P02" });
  });
});
