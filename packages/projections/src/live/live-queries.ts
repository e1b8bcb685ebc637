import type { RunView } from "@loadline/core";
import { and, asc, eq, getTableColumns, gt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../database.ts";
import type { PgReadModel } from "../read-model.ts";
import { ALL_REQUESTS } from "../rollups.ts";
import { metricRollups, runs } from "../schema.ts";
import type { RunCursor } from "./live-cursor.ts";
import { type ChangedSecond, type SecondRow, secondsOf } from "./live-second.ts";

/** Both projections' checkpoints: every row changed at or before them is committed. */
export type Positions = { events: number; metrics: number };

/**
 * What the live feeds read: changes after a cursor, by the `seq` each row keeps. The same read
 * asked again while it is in flight is that read (a thousand clients that connect together cost
 * one catch-up): a read of changes is keyed by the positions its caller read before it, so a
 * caller never gets a read that began before the commits its positions vouch for.
 */
export class LiveQueries {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly readModel: PgReadModel,
  ) {}

  positions(): Promise<Positions> {
    return this.once("positions", () => this.readModel.checkpoints());
  }

  /** The run's state when it changed after `afterSeq`, with the sequence it changed at; null when it did not, or is unknown. */
  runAfter(tenantId: string, runId: string, afterSeq: number, asOf?: Positions): Promise<{ seq: number; view: RunView } | null> {
    return this.once(`run\n${tenantId}\n${runId}\n${afterSeq}\n${asOf?.events}`, () => this.readRunAfter(tenantId, runId, afterSeq));
  }

  private async readRunAfter(tenantId: string, runId: string, afterSeq: number): Promise<{ seq: number; view: RunView } | null> {
    const seq = await this.seqOf(tenantId, runId);
    if (seq === null || seq <= afterSeq) return null;
    const view = await this.readModel.run(tenantId, runId);
    return view ? { seq, view } : null;
  }

  runExists(tenantId: string, runId: string): Promise<boolean> {
    return this.once(`exists\n${tenantId}\n${runId}`, async () => (await this.seqOf(tenantId, runId)) !== null);
  }

  /** The event-stream sequence the run last changed at; null for a run the read model does not hold. */
  private async seqOf(tenantId: string, runId: string): Promise<number | null> {
    const [row] = await this.db
      .select({ seq: runs.seq })
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), eq(runs.id, runId)));
    return row?.seq ?? null;
  }

  /** A tenant's runs changed after `afterSeq`, in the order they changed, at most `limit`. */
  runsAfter(tenantId: string, afterSeq: number, limit: number, asOf?: Positions): Promise<{ seq: number; view: RunView }[]> {
    return this.once(`runs\n${tenantId}\n${afterSeq}\n${limit}\n${asOf?.events}`, () => this.readRunsAfter(tenantId, afterSeq, limit));
  }

  private async readRunsAfter(tenantId: string, afterSeq: number, limit: number): Promise<{ seq: number; view: RunView }[]> {
    const rows = await this.db
      .select({ id: runs.id, seq: runs.seq })
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), gt(runs.seq, afterSeq)))
      .orderBy(asc(runs.seq))
      .limit(limit);
    const views = await Promise.all(rows.map((r) => this.readModel.run(tenantId, r.id)));
    return rows.flatMap((r, i) => (views[i] ? [{ seq: r.seq, view: views[i] }] : []));
  }

  /**
   * The run's seconds changed after the cursor, whole (all requests and every name), in the
   * order they changed; at most `limit` seconds; without `endpoints`, the all-requests figures
   * alone. A second's all-requests row changes with every window of it, so its `seq` says when
   * the second last changed.
   */
  secondsAfter(
    tenantId: string,
    runId: string,
    after: Pick<RunCursor, "metrics" | "second">,
    limit: number,
    endpoints = true,
    asOf?: Positions,
  ): Promise<ChangedSecond[]> {
    const key = `seconds\n${tenantId}\n${runId}\n${after.metrics}\n${after.second}\n${limit}\n${endpoints}\n${asOf?.metrics}`;
    return this.once(key, () => this.readSecondsAfter(tenantId, runId, after, limit, endpoints));
  }

  private async readSecondsAfter(
    tenantId: string,
    runId: string,
    after: Pick<RunCursor, "metrics" | "second">,
    limit: number,
    endpoints: boolean,
  ): Promise<ChangedSecond[]> {
    const t = metricRollups;
    const afterCursor: SQL | undefined =
      after.second === null
        ? gt(t.seq, after.metrics)
        : or(gt(t.seq, after.metrics), and(eq(t.seq, after.metrics), gt(t.bucket, after.second)));
    const changed = this.db.$with("changed").as(
      this.db
        .select({ second: t.bucket, changedSeq: sql<number>`${t.seq}`.mapWith(Number).as("changed_seq") })
        .from(t)
        .where(
          and(
            eq(t.tenantId, tenantId),
            eq(t.runId, runId),
            eq(t.step, 1),
            eq(t.method, ALL_REQUESTS.method),
            eq(t.name, ALL_REQUESTS.name),
            afterCursor,
          ),
        )
        .orderBy(asc(t.seq), asc(t.bucket))
        .limit(limit),
    );
    const { histogram, serviceHistogram, seq, ...columns } = getTableColumns(t);
    const rows: SecondRow[] = await this.db
      .with(changed)
      .select({
        ...columns,
        histogram: sql<string | null>`case when ${t.latency} is null then ${histogram} end`,
        changedSeq: changed.changedSeq,
      })
      .from(t)
      .innerJoin(changed, eq(t.bucket, changed.second))
      .where(
        and(
          eq(t.tenantId, tenantId),
          eq(t.runId, runId),
          eq(t.step, 1),
          endpoints ? undefined : and(eq(t.method, ALL_REQUESTS.method), eq(t.name, ALL_REQUESTS.name)),
        ),
      )
      .orderBy(asc(changed.changedSeq), asc(t.bucket));
    return secondsOf(rows);
  }

  /** The read in flight under `key`, or a new one. Without `asOf` a read is never shared (keys then end in "undefined"). */
  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (key.endsWith("\nundefined")) return read();
    const inFlight = this.inFlight.get(key) as Promise<T> | undefined;
    if (inFlight) return inFlight;
    const started = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
