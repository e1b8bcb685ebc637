// One query over HTTP, timed to the last byte of its body: warm-ups, then timed runs and the CPU they took.
import { performance } from "node:perf_hooks";
import { cpuSnapshot, cpuUse, percentile } from "./bench-util.ts";
import { type QueryRow, TENANT } from "./query-data.ts";

/** Where the queries go, and the credential they carry: the platform admin's key, which names the tenant with X-Tenant-Id. */
export type QueryApi = { base: string; key: string };

export async function get(api: QueryApi, path: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(api.base + path, { headers: { Authorization: `Bearer ${api.key}`, "X-Tenant-Id": TENANT } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

export async function timeQuery(
  api: QueryApi,
  q: { query: string; path: string; goalMs?: number },
  warmups: number,
  runs: number,
): Promise<QueryRow> {
  for (let i = 0; i < warmups; i++) await get(api, q.path);
  const cpu0 = cpuSnapshot(); // the pool's Postgres sessions outlive the runs: two snapshots do
  const times: number[] = [];
  let body = "";
  for (let i = 0; i < runs; i++) {
    const r = await get(api, q.path);
    times.push(r.ms);
    body = r.body;
  }
  const cpu = cpuUse(cpu0, cpuSnapshot());
  times.sort((a, b) => a - b);
  const parsed = JSON.parse(body) as { points?: unknown[]; endpoints?: unknown[] };
  const points = parsed.points?.length ?? parsed.endpoints?.length ?? 0;
  return {
    query: q.query,
    path: q.path,
    points,
    bytes: Buffer.byteLength(body),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: times.at(-1)!,
    goalMs: q.goalMs,
    cpu,
  };
}
