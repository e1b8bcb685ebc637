import {
  type AggregateView,
  bucketStart,
  bucketWindows,
  type DistributionView,
  endpointStats,
  latencyCurve,
  type MetricsBucket,
  type MetricsPoint,
  pointOf,
  type RequestWindow,
  type RunView,
  requestStats,
  runCounters,
  secondSpan,
  series,
  type WindowRow,
} from "@loadline/core";
import { HttpError } from "@loadline/service";
import type { PgReadModel } from "./read-model.ts";
import { asRequest, coverRange, type RollupRow, summaryBucket } from "./rollups.ts";
import { MAX_TIMESERIES_SECONDS, resolveRange } from "./time-range.ts";

/** What part of a run a metrics query is about; absent fields mean all of it. */
export type MetricsSelection = {
  from?: number | undefined;
  to?: number | undefined;
  /** Request names (any method). */
  requests?: readonly string[] | undefined;
  workers?: readonly string[] | undefined;
};
export type Step = 1 | 10 | 60;

/** A timeseries answers at most this many points: beyond that the client pages with from/to or a longer step. */
export const MAX_POINTS = MAX_TIMESERIES_SECONDS;
/** `step=auto` takes the finest step that gives at most this many points. */
export const AUTO_MAX_POINTS = 720;
const STEPS: readonly Step[] = [1, 10, 60];

export const autoStep = (from: number, to: number): Step => STEPS.find((s) => (to - from + 1) / s <= AUTO_MAX_POINTS) ?? 60;

const iso = (second: number | null): string | null => (second === null ? null : new Date(second * 1000).toISOString());
const byName = (names: readonly string[] | undefined) => (names ? (r: RequestWindow) => names.includes(r.name) : () => true);

/** Windows of the chosen workers with only the chosen requests: the slow path, over raw rows. */
function narrowed(rows: readonly WindowRow[], names: readonly string[] | undefined): WindowRow[] {
  const keep = byName(names);
  return names ? rows.map((r) => ({ ...r, requests: r.requests.filter(keep) })) : [...rows];
}

/**
 * The metrics routes' answers. Without a worker filter they merge rollup rows (a handful per
 * point); with one, the raw windows of those workers. Every percentile is an exact HDR merge.
 */
export class MetricsQueries {
  constructor(private readonly readModel: PgReadModel) {}

  async timeseries(run: RunView, sel: MetricsSelection, asked: Step | "auto"): Promise<{ step: Step; points: MetricsPoint[] }> {
    const span = sel.from !== undefined && sel.to !== undefined ? null : await this.readModel.secondSpan(run.tenantId, run.id);
    const widest = asked === "auto" ? 60 : asked;
    const range = resolveRange(sel, span, MAX_POINTS * widest);
    if (!range) return { step: asked === "auto" ? 1 : asked, points: [] };
    const step = asked === "auto" ? autoStep(range.from, range.to) : asked;
    if ((range.to - bucketStart(range.from, step)) / step + 1 > MAX_POINTS) {
      throw new HttpError(400, "invalid_request", `to: at most ${MAX_POINTS} points; use a longer step`, "to");
    }
    return { step, points: series(await this.buckets(run, sel, range, step), range.from, range.to, step) };
  }

  async aggregate(run: RunView, sel: MetricsSelection): Promise<AggregateView> {
    const { requests, named, counters, first, last } = await this.selected(run, sel);
    const seconds = first === null || last === null ? 0 : last - first + 1;
    const aggregate: AggregateView = {
      runId: run.id,
      ...requestStats(requests, seconds),
      ...counters,
      from: iso(first),
      to: iso(last),
      seconds,
      endpoints: endpointStats(named, seconds).map((e) => {
        const tags = run.requestTags?.[e.name];
        return tags ? { ...e, tags } : e;
      }),
    };
    // The generator's health over the same seconds: whether any of them was its own rather than the target's.
    const range = first === null || last === null ? null : { from: first, to: last };
    const generator = range ? await this.readModel.generatorHealth(run.tenantId, run.id, range, sel.workers) : null;
    if (generator) aggregate.generator = generator;
    return aggregate;
  }

  async distribution(run: RunView, sel: MetricsSelection): Promise<DistributionView> {
    const [{ requests, first, last }, points] = await Promise.all([this.selected(run, sel), this.perSecond(run, sel)]);
    const curve = latencyCurve(requests);
    return { runId: run.id, from: iso(first), to: iso(last), requests: curve.count, percentiles: curve.percentiles, points };
  }

  private async perSecond(run: RunView, sel: MetricsSelection): Promise<DistributionView["points"]> {
    const span = sel.from !== undefined && sel.to !== undefined ? null : await this.readModel.secondSpan(run.tenantId, run.id);
    const range = resolveRange(sel, span);
    if (!range) return [];
    const buckets = await this.buckets(run, sel, range, 1);
    return buckets.map((b) => {
      const p = pointOf(b);
      return { time: p.time, requests: p.requests, p50: p.p50, p99: p.p99 };
    });
  }

  /**
   * The buckets of `step` over `range` that have data. A bucket of all requests, or of one
   * request name sent with one method, is a single rollup row: its stored summary answers it
   * without a histogram. Several names merge their rows' histograms; workers= merges raw windows.
   */
  private async buckets(run: RunView, sel: MetricsSelection, range: { from: number; to: number }, step: Step): Promise<MetricsBucket[]> {
    if (sel.workers)
      return bucketWindows(narrowed(await this.readModel.windows(run.tenantId, run.id, range, sel.workers), sel.requests), step);
    const pieces = [{ step, first: bucketStart(range.from, step), last: bucketStart(range.to, step) }];
    const all = await this.readModel.rollupSummaries(run.tenantId, run.id, { pieces, series: "all" });
    if (!sel.requests) return all.map((row) => summaryBucket(row));
    const series = { pieces, series: "names" as const, names: sel.requests };
    if (sel.requests.length === 1) {
      const rows = await this.readModel.rollupSummaries(run.tenantId, run.id, series);
      const named = new Map(rows.map((r) => [r.bucket, r]));
      // Not when the name was sent with several methods: their rows' histograms must merge.
      if (named.size === rows.length) {
        return all.map((row) => {
          const r = named.get(row.bucket);
          return r
            ? summaryBucket(r, row)
            : {
                start: row.bucket,
                seconds: row.seconds,
                users: row.activeUsers,
                requests: [],
                interruptedIterations: row.interruptedIterations,
              };
        });
      }
    }
    const byBucket = new Map<number, RollupRow[]>();
    for (const r of await this.readModel.rollups(run.tenantId, run.id, series))
      byBucket.set(r.bucket, [...(byBucket.get(r.bucket) ?? []), r]);
    return all.map((row) => ({
      start: row.bucket,
      seconds: row.seconds,
      users: row.activeUsers,
      requests: (byBucket.get(row.bucket) ?? []).map(asRequest),
      interruptedIterations: row.interruptedIterations,
    }));
  }

  /** Every request figure of the selection, overall and per name, with the run counters and the seconds covered. */
  private async selected(
    run: RunView,
    sel: MetricsSelection,
  ): Promise<{
    requests: RequestWindow[];
    named: RequestWindow[];
    counters: ReturnType<typeof runCounters>;
    first: number | null;
    last: number | null;
  }> {
    const asked = sel.from !== undefined || sel.to !== undefined;
    if (sel.workers) {
      const span = sel.from !== undefined && sel.to !== undefined ? null : await this.readModel.secondSpan(run.tenantId, run.id);
      const range = asked ? resolveRange(sel, span, Number.MAX_SAFE_INTEGER) : undefined;
      if (range === null) return { requests: [], named: [], counters: runCounters([]), first: null, last: null };
      const rows = narrowed(await this.readModel.windows(run.tenantId, run.id, range, sel.workers), sel.requests);
      const named = rows.flatMap((r) => r.requests);
      const s = secondSpan(rows);
      return { requests: named, named, counters: runCounters(rows), first: s?.first ?? null, last: s?.last ?? null };
    }
    const span = await this.readModel.secondSpan(run.tenantId, run.id);
    const range = asked && span ? resolveRange(sel, span, Number.MAX_SAFE_INTEGER) : null;
    if (asked && !range) return { requests: [], named: [], counters: runCounters([]), first: null, last: null };
    const pieces = range ? coverRange(range.from, range.to) : undefined;
    const rows = await this.readModel.rollups(run.tenantId, run.id, { pieces, series: "both" });
    const all = rows.filter((r) => r.method === "");
    const keep = byName(sel.requests);
    const named = rows
      .filter((r) => r.method !== "")
      .map(asRequest)
      .filter(keep);
    // Without a name filter the all-requests rows hold the same merge in far fewer histograms.
    const requests = sel.requests ? named : all.map(asRequest);
    const first = span ? Math.max(span.first, range?.from ?? span.first) : null;
    const last = span ? Math.min(span.last, range?.to ?? span.last) : null;
    const empty = all.length === 0 || (first !== null && last !== null && last < first);
    return { requests, named, counters: runCounters(all), first: empty ? null : first, last: empty ? null : last };
  }
}
