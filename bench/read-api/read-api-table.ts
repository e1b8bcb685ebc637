// The read-api section's tables: each route's req/s, p50, p99 against its goal; PGlite at a fixed
// rate; and, with --profile, where the API's CPU went.
import { fmt, markdownTable } from "../lib/table.ts";
import type { ReadApiData, ReadApiRow } from "./read-api-data.ts";

const verdict = (r: ReadApiRow) => (r.failure ? `not available: ${r.failure}` : r.met === undefined ? "—" : r.met ? "yes" : "**no**");

function rows(list: ReadApiRow[]) {
  return list.map((r) => [
    r.route,
    fmt(r.rps, 0),
    fmt(r.p50, 0),
    fmt(r.p99, 0),
    fmt(r.bytes / 1024, 1),
    String(r.failures),
    r.goal,
    verdict(r),
  ]);
}
const HEAD = ["route", "req/s", "p50 ms", "p99 ms", "KiB", "failures", "goal", "met?"];
const NUM = [false, true, true, true, true, true, false, false];

export function readApiTable(d: ReadApiData): string {
  const out = [
    "### Read API (Postgres): the API beside a bare Hono + postgres.js app",
    "",
    `${d.machine}. autocannon, ${d.connections} connections, ${d.durationSec} s per route after a 1 s warm-up, on core 1; the API ` +
      "(`loadline api`, rate limit raised out of reach) and the bare app on core 0; Postgres unpinned. Every API request carries a tenant viewer's API key as Bearer.",
    "",
  ];
  if (d.seeding) out.push(`Data: ${d.seeding}.`, "");
  if (d.failure) out.push(`not available: ${d.failure}`, "");
  if (d.rows.length > 0) out.push(markdownTable(HEAD, rows(d.rows), NUM), "");
  if (d.profile) {
    out.push(
      `Where the API's CPU went (node --cpu-prof over the whole run, ${fmt(d.profile.totalMs / 1000, 1)} s; self time):`,
      "",
      markdownTable(
        ["library", "ms", "%"],
        d.profile.libraries.filter((l) => l.pct >= 0.5).map((l) => [l.lib, fmt(l.ms, 0), fmt(l.pct, 1)]),
        [false, true, true],
      ),
      "",
      markdownTable(
        ["function", "where", "ms", "%"],
        d.profile.functions.map((f) => [f.fn, f.where, fmt(f.ms, 0), fmt(f.pct, 1)]),
        [false, false, true, true],
      ),
      "",
    );
  }
  out.push(
    "### Read API (PGlite, the embedded default): one person's dashboard",
    "",
    `\`loadline up\` (PGlite) on core 0; autocannon at a fixed ${d.pglite.rate} req/s overall (latencies corrected for coordinated omission), ${d.pglite.durationSec} s per route.`,
    "",
  );
  if (d.pglite.seeding) out.push(`Data: ${d.pglite.seeding}.`, "");
  if (d.pglite.failure) out.push(`not available: ${d.pglite.failure}`, "");
  if (d.pglite.rows.length > 0) out.push(markdownTable(HEAD, rows(d.pglite.rows), NUM), "");
  out.push(`Load average before: ${d.loadAverageBefore}; after: ${d.loadAverageAfter}.`);
  return out.join("\n");
}
