// The baseline of the read-api section: bare Hono + postgres.js answering a run's row by its
// primary key, nothing else (no auth, no middleware, no view mapping). What the API is set beside.
// Usage (the section starts it): PORT=N DATABASE_URL=... BENCH_TENANT=... node --import tsx bench/read-api/bare-app.ts
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => undefined });
const tenant = process.env.BENCH_TENANT ?? "acme";
const app = new Hono();
app.get("/v1/runs/:id", async (c) => {
  const [row] = await sql`select * from runs where tenant_id = ${tenant} and id = ${c.req.param("id")}`;
  return row ? c.json(row) : c.json({ error: "not found" }, 404);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
process.on("SIGTERM", () => void sql.end({ timeout: 1 }).finally(() => process.exit(0)));
