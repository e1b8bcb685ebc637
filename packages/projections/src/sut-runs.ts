import { sql } from "drizzle-orm";
import type { Tx } from "./database.ts";
import { rowsOf } from "./sql-helpers.ts";
import type { SutRun } from "./sut-series.ts";

/** How long a tenant's SUT runs are taken as known: a run that starts meanwhile misses at most this much of its telemetry. */
export const SUT_RUNS_TTL_MS = 1_000;
/** How far back a load reaches, at least: runs that ended this recently still take telemetry delivered late. */
const LATE_MS = 60_000;

type Entry = { loadedAt: number; from: number; runs: SutRun[] };

/**
 * Each tenant's runs with a SUT selector that have started and not ended before `from`, kept
 * briefly: telemetry arrives every second from every agent, and one query per tenant and second
 * beats one per message. Telemetry older than what an entry covers (a catch-up, a replay) loads
 * the runs of its time instead, so late telemetry still lands in the run it belongs to.
 */
export class SutRunCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = SUT_RUNS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The runs telemetry of these tenants may fall in; `earliest` is each tenant's earliest telemetry time (epoch ms) in the batch. */
  async runsOf(tx: Tx, earliest: ReadonlyMap<string, number>): Promise<SutRun[]> {
    const now = this.now();
    const stale = new Map<string, Entry>();
    for (const [tenantId, at] of earliest) {
      const entry = this.entries.get(tenantId);
      if (!entry || now - entry.loadedAt >= this.ttlMs || at < entry.from)
        stale.set(tenantId, { loadedAt: now, from: Math.min(at, now - LATE_MS), runs: [] });
    }
    if (stale.size > 0) {
      const loaded = await loadSutRuns(
        tx,
        [...stale].map(([t, e]) => ({ t, f: new Date(e.from).toISOString() })),
      );
      for (const run of loaded) stale.get(run.tenantId)?.runs.push(run);
      // Kept only once loaded: a batch that failed and is tried again loads them again.
      for (const [tenantId, entry] of stale) this.entries.set(tenantId, entry);
    }
    if (this.entries.size > 10_000) this.evict(now);
    return [...earliest.keys()].flatMap((t) => this.entries.get(t)?.runs ?? []);
  }

  private evict(now: number): void {
    for (const [tenantId, entry] of this.entries) if (now - entry.loadedAt >= this.ttlMs) this.entries.delete(tenantId);
  }
}

/** One query for every tenant: its runs with a SUT that started, and had not ended before its `f`. */
async function loadSutRuns(tx: Tx, tenants: readonly { t: string; f: string }[]): Promise<SutRun[]> {
  const rows = rowsOf<{
    tenant_id: string;
    run_id: string;
    labels: Record<string, string> | string;
    started: number;
    finished: number | null;
  }>(
    await tx.execute(sql`
      select s.tenant_id, s.run_id, s.labels,
        (extract(epoch from r.started_at) * 1000)::float8 as started, (extract(epoch from r.finished_at) * 1000)::float8 as finished
      from jsonb_to_recordset(${JSON.stringify(tenants)}::jsonb) as k(t text, f timestamptz)
      join run_suts s on s.tenant_id = k.t
      join runs r on r.tenant_id = s.tenant_id and r.id = s.run_id
      where r.started_at is not null and (r.finished_at is null or r.finished_at >= k.f)`),
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    runId: r.run_id,
    labels: typeof r.labels === "string" ? (JSON.parse(r.labels) as Record<string, string>) : r.labels,
    startedAt: Number(r.started),
    finishedAt: r.finished === null ? null : Number(r.finished),
  }));
}
