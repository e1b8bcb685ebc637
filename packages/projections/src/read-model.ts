import {
  type GeneratorHealth,
  type GeneratorView,
  type LoadTestView,
  lastMetricsOf,
  pointOf,
  type ReadModel,
  type RunStatus,
  type RunView,
  type ScheduleView,
  sleep,
  type WebhookView,
  type WindowRow,
} from "@loadline/core";
import type { StoredApiKey } from "@loadline/service";
import { and, arrayContains, asc, desc, eq, getTableColumns, gte, inArray, lt, lte, max, min, ne, or, type SQL, sql } from "drizzle-orm";
import {
  type ApiKeyView,
  type AuditEntryView,
  apiKeyViewOf,
  auditEntryViewOf,
  type SecretView,
  secretViewOf,
  type TenantSettingsView,
  tenantSettingsViewOf,
} from "./access-views.ts";
import { readCheckpoint } from "./checkpoints.ts";
import type { Db } from "./database.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import type { Positions } from "./position-keyed-cache.ts";
import { ALL_REQUESTS, type RollupPiece, type RollupRow, type SummaryRow, summaryBucket } from "./rollups.ts";
import { scheduleViewOf } from "./schedule-view.ts";
import {
  apiKeys,
  auditLog,
  generatorSeconds,
  loadTests,
  metricRollups,
  metricWindows,
  projectionCheckpoints,
  type RunRow,
  runs,
  schedules,
  secrets,
  tenantSettings,
} from "./schema.ts";
import { loadTestViewOf, runViewOf } from "./view-of.ts";
import { webhookRow } from "./webhooks/queries.ts";
import { webhookViewOf } from "./webhooks/view.ts";

/**
 * runViewOf, with lastMetrics from the row's stored summary: the same point (the timeseries
 * answers from it too) without decoding its histograms, which cost a list of 50 runs most of its time.
 */
const runView = (row: RunRow, latest: SummaryRow | undefined, queuePosition?: number): RunView => ({
  ...runViewOf(row, undefined, queuePosition),
  lastMetrics: latest ? lastMetricsOf(pointOf(summaryBucket(latest))) : null,
});

export type Page<T> = { items: T[]; total: number };
export type PageRequest = { limit: number; offset: number };
export type SecondRange = { from: number; to: number };

/**
 * A page of a tenant's audit log. Newest first (by stream sequence, the order the events
 * happened in): `after` is the `next` of the page before, and the page holds the entries after it
 * in that order, those of smaller sequence. `from` and `to` bound the events' times, both inclusive.
 */
export type AuditQuery = {
  actor?: string | undefined;
  type?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  after?: number | undefined;
  limit: number;
};
/** `next`: the cursor of the following page (the sequence of this one's last entry), null when there is none. */
export type AuditPage = { items: AuditEntryView[]; next: number | null };

const { hash: _hash, ...apiKeyColumns } = getTableColumns(apiKeys);

/** What tells us, in this process, that the events projection got somewhere. */
export type PositionWaiter = { waitFor(seq: number, timeoutMs: number): Promise<boolean> };

const POLL_MS = 15;

/** The queries of the read side, over the tables the projections write. */
export class PgReadModel implements ReadModel {
  /** Built once: the positions are read on every cached request (see positions). */
  private readonly positionsQuery;

  constructor(
    private readonly db: Db,
    /** The in-process events projector, when there is one: no polling then. */
    private readonly events: PositionWaiter | null = null,
  ) {
    const t = projectionCheckpoints;
    this.positionsQuery = db
      .select({ name: t.name, position: t.position, at: sql<string>`${t.position}::text || '@' || ${t.updatedAt}::text` })
      .from(t)
      .where(inArray(t.name, [EVENTS_PROJECTION, METRICS_PROJECTION]))
      .prepare("read_model_positions");
  }

  /**
   * Where the events and metrics projections are, in one query: each one's position and the time
   * its checkpoint row was written, which a rebuild's swap changes even when it lands at the same
   * position (its tables rewritten by other code, maybe). "" for a projection not started yet.
   */
  async positions(): Promise<Positions> {
    const rows = await this.positionsQuery.execute();
    const p: Positions = { events: "", metrics: "" };
    for (const r of rows) p[r.name === EVENTS_PROJECTION ? "events" : "metrics"] = r.at;
    return p;
  }

  /** The events and metrics projections' checkpoints (stream sequences; 0 before one started), by the same one query. */
  async checkpoints(): Promise<{ events: number; metrics: number }> {
    const rows = await this.positionsQuery.execute();
    const p = { events: 0, metrics: 0 };
    for (const r of rows) p[r.name === EVENTS_PROJECTION ? "events" : "metrics"] = r.position;
    return p;
  }

  async waitForEvents(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.events) return this.events.waitFor(seq, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await readCheckpoint(this.db, EVENTS_PROJECTION)) >= seq) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  async loadTest(tenantId: string, id: string): Promise<LoadTestView | null> {
    const [row] = await this.db
      .select()
      .from(loadTests)
      .where(and(eq(loadTests.tenantId, tenantId), eq(loadTests.id, id)));
    return row ? loadTestViewOf(row) : null;
  }

  async run(tenantId: string, id: string): Promise<RunView | null> {
    const [row] = await this.db
      .select()
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), eq(runs.id, id)));
    if (!row) return null;
    const [latest, queue] = await Promise.all([this.latestSeconds(tenantId, [id]), this.queuePositions(tenantId, [row])]);
    return runView(row, latest.get(id), queue.get(id));
  }

  /** Where each of these runs that is Queued stands in its tenant's queue (1: next), first in, first out. */
  private async queuePositions(tenantId: string, rows: readonly RunRow[]): Promise<Map<string, number>> {
    if (!rows.some((r) => r.status === "Queued")) return new Map();
    const queued = await this.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), eq(runs.status, "Queued")))
      .orderBy(asc(runs.queuedAt), asc(runs.id));
    return new Map(queued.map((q, i) => [q.id, i + 1]));
  }

  /**
   * A key by its id alone, of whichever tenant: what the API's authenticator asks on every
   * request with a key (through its cache of a few seconds). One row by the unique index on id.
   */
  async apiKeyById(keyId: string): Promise<StoredApiKey | null> {
    const [row] = await this.db
      .select({
        tenantId: apiKeys.tenantId,
        role: apiKeys.role,
        hash: apiKeys.hash,
        expiresAt: apiKeys.expiresAt,
        revoked: sql<boolean>`${apiKeys.revokedAt} is not null`,
      })
      .from(apiKeys)
      .where(eq(apiKeys.id, keyId));
    return row ? { ...row, expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null } : null;
  }

  async apiKey(tenantId: string, id: string): Promise<ApiKeyView | null> {
    const [row] = await this.db
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
    return row ? apiKeyViewOf(row) : null;
  }

  /** The tenant's keys, revoked ones too, newest first; never their hashes. */
  async apiKeys(tenantId: string): Promise<ApiKeyView[]> {
    const rows = await this.db
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(eq(apiKeys.tenantId, tenantId))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
    return rows.map(apiKeyViewOf);
  }

  /** The tenant's secrets by name: names, versions and who set them; the read model has no values. */
  async secrets(tenantId: string): Promise<SecretView[]> {
    const rows = await this.db.select().from(secrets).where(eq(secrets.tenantId, tenantId)).orderBy(asc(secrets.name));
    return rows.map(secretViewOf);
  }

  async secret(tenantId: string, name: string): Promise<SecretView | null> {
    const [row] = await this.db
      .select()
      .from(secrets)
      .where(and(eq(secrets.tenantId, tenantId), eq(secrets.name, name)));
    return row ? secretViewOf(row) : null;
  }

  async tenantSettings(tenantId: string): Promise<TenantSettingsView | null> {
    const [row] = await this.db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
    return row ? tenantSettingsViewOf(row) : null;
  }

  /** A tenant's webhook subscription (never its secret): what the write routes answer with. */
  async webhook(tenantId: string, id: string): Promise<WebhookView | null> {
    const row = await webhookRow(this.db, tenantId, id);
    return row ? webhookViewOf(row) : null;
  }

  /** A tenant's schedule, with its next fire times after `now`. */
  async schedule(tenantId: string, id: string, now = new Date()): Promise<ScheduleView | null> {
    const [row] = await this.db
      .select()
      .from(schedules)
      .where(and(eq(schedules.tenantId, tenantId), eq(schedules.id, id)));
    return row ? scheduleViewOf(row, now) : null;
  }

  /** Newest first; of one load test when asked. */
  async schedules(
    tenantId: string,
    filter: { loadTestId?: string | undefined },
    page: PageRequest,
    now = new Date(),
  ): Promise<Page<ScheduleView>> {
    const where = and(
      eq(schedules.tenantId, tenantId),
      filter.loadTestId === undefined ? undefined : eq(schedules.loadTestId, filter.loadTestId),
    );
    const [rows, total] = await Promise.all([
      this.db
        .select()
        .from(schedules)
        .where(where)
        .orderBy(desc(schedules.createdAt), desc(schedules.id))
        .limit(page.limit)
        .offset(page.offset),
      this.db.$count(schedules, where),
    ]);
    return { items: rows.map((r) => scheduleViewOf(r, now)), total };
  }

  /** A page of the tenant's audit log, newest first: see AuditQuery. */
  async audit(tenantId: string, q: AuditQuery): Promise<AuditPage> {
    const t = auditLog;
    const rows = await this.db
      .select()
      .from(t)
      .where(
        and(
          eq(t.tenantId, tenantId),
          q.actor === undefined ? undefined : eq(t.actor, q.actor),
          q.type === undefined ? undefined : eq(t.type, q.type),
          q.from === undefined ? undefined : gte(t.time, q.from),
          q.to === undefined ? undefined : lte(t.time, q.to),
          q.after === undefined ? undefined : lt(t.seq, q.after),
        ),
      )
      .orderBy(desc(t.seq))
      .limit(q.limit + 1);
    const items = rows.slice(0, q.limit).map(auditEntryViewOf);
    return { items, next: rows.length > q.limit ? items[items.length - 1]!.seq : null };
  }

  /** Newest first. */
  async loadTests(
    tenantId: string,
    filter: { tag?: string | undefined; envId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<LoadTestView>> {
    const where = and(
      eq(loadTests.tenantId, tenantId),
      filter.tag === undefined ? undefined : arrayContains(loadTests.tags, [filter.tag]),
      filter.envId === undefined ? undefined : eq(loadTests.envId, filter.envId),
    );
    const [rows, total] = await Promise.all([
      this.db
        .select()
        .from(loadTests)
        .where(where)
        .orderBy(desc(loadTests.createdAt), desc(loadTests.id))
        .limit(page.limit)
        .offset(page.offset),
      this.db.$count(loadTests, where),
    ]);
    return { items: rows.map(loadTestViewOf), total };
  }

  /** Newest first. */
  async runs(
    tenantId: string,
    filter: { status?: RunStatus | undefined; loadTestId?: string | undefined; envId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<RunView>> {
    const where = and(
      eq(runs.tenantId, tenantId),
      filter.status === undefined ? undefined : eq(runs.status, filter.status),
      filter.loadTestId === undefined ? undefined : eq(runs.loadTestId, filter.loadTestId),
      filter.envId === undefined ? undefined : eq(runs.envId, filter.envId),
    );
    const [rows, total] = await Promise.all([
      this.db.select().from(runs).where(where).orderBy(desc(runs.createdAt), desc(runs.id)).limit(page.limit).offset(page.offset),
      this.db.$count(runs, where),
    ]);
    const [latest, queue] = await Promise.all([
      this.latestSeconds(
        tenantId,
        rows.map((r) => r.id),
      ),
      this.queuePositions(tenantId, rows),
    ]);
    return { items: rows.map((r) => runView(r, latest.get(r.id), queue.get(r.id))), total };
  }

  /**
   * The generator's health of a run's seconds (generator_seconds), per worker: within `range`
   * (epoch seconds, inclusive) and of `workers` when given. Null when no window carried it.
   */
  async generatorHealth(
    tenantId: string,
    runId: string,
    range: SecondRange,
    workers: readonly string[] | undefined,
  ): Promise<GeneratorView | null> {
    const g = generatorSeconds;
    const figure = (name: keyof GeneratorHealth) => sql<number | null>`max((${g.health}->>${name})::float8)`;
    const rows = await this.db
      .select({
        workerId: g.workerId,
        seconds: sql<number>`count(*)::int`,
        saturatedSeconds: sql<number>`(count(*) filter (where ${g.saturated}))::int`,
        saturated: sql<(string | number)[] | null>`(array_agg(${g.second} order by ${g.second}) filter (where ${g.saturated}))[1:20]`,
        loopDelayP95Ms: figure("loopDelayP95Ms"),
        loopDelayMaxMs: figure("loopDelayMaxMs"),
        timerSlipP95Ms: figure("timerSlipP95Ms"),
        timerSlipMaxMs: figure("timerSlipMaxMs"),
        gcPauseMs: sql<number | null>`sum((${g.health}->>'gcPauseMs')::float8)`,
        busy: figure("busy"),
      })
      .from(g)
      .where(
        and(
          eq(g.tenantId, tenantId),
          eq(g.runId, runId),
          gte(g.second, range.from),
          lte(g.second, range.to),
          workers ? inArray(g.workerId, [...workers]) : undefined,
        ),
      )
      .groupBy(g.workerId)
      .orderBy(asc(g.workerId));
    if (rows.length === 0) return null;
    const round = (n: number | null) => (n === null ? 0 : Math.round(Number(n) * 1e3) / 1e3);
    const workersView = rows.map((r) => ({
      workerId: r.workerId,
      seconds: Number(r.seconds),
      saturatedSeconds: Number(r.saturatedSeconds),
      saturated: (r.saturated ?? []).map((s) => new Date(Number(s) * 1000).toISOString()),
      loopDelayP95Ms: round(r.loopDelayP95Ms),
      loopDelayMaxMs: round(r.loopDelayMaxMs),
      timerSlipP95Ms: r.timerSlipP95Ms === null ? null : round(r.timerSlipP95Ms),
      timerSlipMaxMs: r.timerSlipMaxMs === null ? null : round(r.timerSlipMaxMs),
      gcPauseMs: round(r.gcPauseMs),
      busy: round(r.busy),
    }));
    return { saturatedSeconds: workersView.reduce((n, w) => n + w.saturatedSeconds, 0), workers: workersView };
  }

  /** First and last second the run has data for, or null when it has none. */
  async secondSpan(tenantId: string, runId: string): Promise<{ first: number; last: number } | null> {
    const [span] = await this.db
      .select({ first: min(metricRollups.bucket), last: max(metricRollups.bucket) })
      .from(metricRollups)
      .where(and(eq(metricRollups.tenantId, tenantId), eq(metricRollups.runId, runId), eq(metricRollups.step, 1), allRequests));
    return span?.first != null && span.last != null ? { first: span.first, last: span.last } : null;
  }

  /**
   * Rollup rows of a run: the buckets of `pieces`, or the whole-run rows when no pieces are
   * given; of all requests together and of each name (`series: "both"`), or of one of them.
   */
  async rollups(tenantId: string, runId: string, opts: RollupSelection): Promise<RollupRow[]> {
    if (opts.pieces?.length === 0) return [];
    return this.db
      .select()
      .from(metricRollups)
      .where(rollupFilter(tenantId, runId, opts))
      .orderBy(asc(metricRollups.bucket));
  }

  /** The same rows without their histograms, but for rows stored before summaries were: what a series needs. */
  async rollupSummaries(tenantId: string, runId: string, opts: RollupSelection): Promise<SummaryRow[]> {
    if (opts.pieces?.length === 0) return [];
    const { histogram, serviceHistogram, ...columns } = getTableColumns(metricRollups);
    return this.db
      .select({ ...columns, histogram: sql<string | null>`case when ${metricRollups.latency} is null then ${histogram} end` })
      .from(metricRollups)
      .where(rollupFilter(tenantId, runId, opts))
      .orderBy(asc(metricRollups.bucket));
  }

  /** The newest second of each run, merged over workers and names: what RunView shows as lastMetrics. */
  async latestSeconds(tenantId: string, runIds: readonly string[]): Promise<Map<string, SummaryRow>> {
    if (runIds.length === 0) return new Map();
    const t = metricRollups;
    // Each run's newest second by its own backward probe of the primary key (LATERAL … LIMIT 1):
    // DISTINCT ON read and sorted every second of every run listed, 3,600 wide rows an hour of run.
    // Its summary only: the histograms (~35 KB a row) are read only for rows written before summaries.
    const { histogram, serviceHistogram: _, ...columns } = getTableColumns(t);
    const latest = this.db
      .select({ ...columns, histogram: sql<string | null>`case when ${t.latency} is null then ${histogram} end`.as("histogram") })
      .from(t)
      .where(and(eq(t.tenantId, runs.tenantId), eq(t.runId, runs.id), eq(t.step, 1), allRequests))
      .orderBy(desc(t.bucket))
      .limit(1)
      .as("latest");
    const rows = await this.db
      .select()
      .from(runs)
      .crossJoinLateral(latest)
      .where(and(eq(runs.tenantId, tenantId), inArray(runs.id, [...runIds])));
    return new Map(rows.map((r) => [r.latest.runId, r.latest]));
  }

  /** The stored windows of a run, every worker's or those of `workers`, within `range` (inclusive) when given. */
  async windows(tenantId: string, runId: string, range?: SecondRange, workers?: readonly string[]): Promise<WindowRow[]> {
    const rows = await this.db
      .select({
        second: metricWindows.second,
        workerId: metricWindows.workerId,
        activeUsers: metricWindows.activeUsers,
        // The event as published, which holds the interrupted iterations too (no column of their own).
        event: metricWindows.event,
        requests: metricWindows.requests,
        iterations: metricWindows.iterations,
        droppedIterations: metricWindows.droppedIterations,
        checksPassed: metricWindows.checksPassed,
        checksFailed: metricWindows.checksFailed,
      })
      .from(metricWindows)
      .where(
        and(
          eq(metricWindows.tenantId, tenantId),
          eq(metricWindows.runId, runId),
          range ? gte(metricWindows.second, range.from) : undefined,
          range ? lte(metricWindows.second, range.to) : undefined,
          workers ? inArray(metricWindows.workerId, [...workers]) : undefined,
        ),
      )
      .orderBy(asc(metricWindows.second), asc(metricWindows.workerId));
    // The event as published since migration 0009; the requests alone in rows stored before it.
    return rows.map(({ event, requests, ...row }) => ({
      ...row,
      requests: event?.data.requests ?? requests ?? [],
      interruptedIterations: event?.data.interruptedIterations ?? 0,
    }));
  }
}

const allRequests = and(eq(metricRollups.method, ALL_REQUESTS.method), eq(metricRollups.name, ALL_REQUESTS.name));

export type RollupSelection = { pieces?: readonly RollupPiece[]; series: "all" | "names" | "both"; names?: readonly string[] };

function rollupFilter(tenantId: string, runId: string, opts: RollupSelection): SQL | undefined {
  const t = metricRollups;
  const inBuckets = opts.pieces
    ? or(...opts.pieces.map((p) => and(eq(t.step, p.step), gte(t.bucket, p.first), lte(t.bucket, p.last))))
    : eq(t.step, 0);
  const ofSeries =
    opts.series === "all"
      ? allRequests
      : opts.series === "names"
        ? and(ne(t.method, ""), opts.names ? inArray(t.name, [...opts.names]) : undefined)
        : undefined;
  return and(eq(t.tenantId, tenantId), eq(t.runId, runId), inBuckets, ofSeries);
}
