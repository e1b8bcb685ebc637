import { DEFAULT_PRICE_MODEL, envIdSchema, isTerminal, type PriceModel, RUN_STATUSES, type RunView } from "@loadline/core";
import { HttpError, ID_PATTERN, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { MetricsQueries, type MetricsSelection, type Step } from "./metrics-queries.ts";
import { minSeqWait } from "./min-seq.ts";
import { PositionKeyedCache, type Sources } from "./position-keyed-cache.ts";
import type { PgReadModel } from "./read-model.ts";
import { type CachedAnswer, etagMatches, ResponseCache, strongEtag } from "./response-cache.ts";
import { costOfRun, measuredTotals } from "./run-cost.ts";
import { seedAggregateFigures, seedScatterPoints, seedTimeseries } from "./seed-summaries.ts";
import type { ProjectionStatusReader } from "./status.ts";
import { instantSchema } from "./time-range.ts";

export type ReadRoutesDeps = {
  readModel: PgReadModel;
  status: ProjectionStatusReader;
  log: Logger;
  /** Settled runs' answers, and the lists' and load tests' as of the projections' positions; one per app by default. */
  cache?: ResponseCache;
  now?: () => number;
  /** What a run's cost is priced at (LL_PRICE_*); DEFAULT_PRICE_MODEL when not given. */
  price?: PriceModel;
};

/**
 * How long after its end a finished run is taken as settled: its last windows (sent as the
 * workers stop) and its verdict are projected within seconds of the end, after which nothing
 * changes a finished run's answers. A metrics projection lagging longer than this would have
 * its late seconds missing from answers cached meanwhile.
 */
export const SETTLED_AFTER_MS = 60_000;

/** A run none of whose answers can change any more: finished, judged, and past SETTLED_AFTER_MS. */
export const isSettled = (run: RunView, now: number): boolean =>
  isTerminal(run.status) && run.verdict !== "pending" && run.finishedAt !== null && Date.parse(run.finishedAt) + SETTLED_AFTER_MS <= now;

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
export const loadTestsQuery = z.object({ ...page, tag: z.string().min(1).max(64).optional(), envId: envIdSchema.optional() });
export const runsQuery = z.object({
  ...page,
  status: z.enum(RUN_STATUSES).optional(),
  loadTestId: z.string().regex(ID_PATTERN, "must be an id: letters, digits, - or _").optional(),
  envId: envIdSchema.optional(),
});
/** `requests=a&requests=b` or `requests=a,b`; a name holding a comma is matched when given whole too. */
const listSchema = z
  .array(z.string())
  .transform((values) => [
    ...new Set(
      values
        .flatMap((v) => [v, ...v.split(",")])
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    ),
  ])
  .optional();
export const selectionQuery = z.object({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  requests: listSchema,
  workers: listSchema,
});
const STEP_OF: Record<string, Step | "auto"> = { "1s": 1, "10s": 10, "1m": 60, auto: "auto" };
export const timeseriesQuery = selectionQuery.extend({
  step: z.enum(["1s", "10s", "1m", "auto"], { message: "must be one of 1s, 10s, 1m, auto" }).default("auto"),
});

/** The selection of a metrics query; a list parameter may be repeated. */
function selectionOf(c: Context, schema: typeof selectionQuery | typeof timeseriesQuery) {
  const lists = { requests: c.req.queries("requests"), workers: c.req.queries("workers") };
  return query(c, schema, lists);
}

/** A cached answer, or a 304 when If-None-Match names its ETag. */
function send(c: Context, answer: CachedAnswer): Response {
  if (etagMatches(c.req.header("if-none-match"), answer.etag)) return c.body(null, 304, { ETag: answer.etag });
  return c.body(answer.body, 200, { "Content-Type": "application/json", ETag: answer.etag });
}

/** The read side of the REST API: load tests, runs and their metrics, per tenant. */
export function readRoutes(deps: ReadRoutesDeps): Hono {
  const { readModel } = deps;
  const metrics = new MetricsQueries(readModel);
  const cache = deps.cache ?? new ResponseCache();
  const now = deps.now ?? Date.now;
  const price = deps.price ?? DEFAULT_PRICE_MODEL;
  const byPositions = new PositionKeyedCache(cache, () => readModel.positions());
  const app = new Hono();
  installErrorHandler(app, deps.log);

  app.use("/v1/*", minSeqWait(readModel));

  app.get("/v1/projections", async (c) => c.json({ items: await deps.status.list() }));

  async function runOf(c: Context): Promise<RunView> {
    const run = await readModel.run(tenantOf(c), idParam(c, "run"));
    if (!run) throw new HttpError(404, "not_found", "run not found", "id");
    return run;
  }

  /**
   * A run's answer: from the cache when the run is settled (no query at all), else as of the
   * projections' positions (see positionKeyed: a live run's answer holds until a batch moves
   * them), computed by `answer`, which is given the checked query first (a bad query is a 400
   * before the run is looked up, as it always was) and then the run. Answers carry a strong ETag
   * (304 on If-None-Match) and are keyed by tenant, route, run and query string, so one tenant's
   * answer is never another's; a settled run's is kept without asking the positions again.
   */
  function runAnswer<Q>(route: string, parse: (c: Context) => Q, answer: (run: RunView, q: Q) => Promise<unknown>) {
    return async (c: Context) => {
      // tenantOf's tenant unchecked (a bad one is refused below on a miss, and a miss it is: nothing is cached under it).
      const tenant = c.get("principal")?.platformAdmin ? c.req.header("x-tenant-id") : undefined;
      const url = c.req.url;
      const at = url.indexOf("?");
      const key = `${tenant ?? c.get("principal")?.tenantId}\n${route}\n${c.req.param("id")}\n${at < 0 ? "" : url.slice(at + 1)}`;
      const hit = cache.get(key);
      if (hit) return send(c, hit);
      const q = parse(c);
      const checked = [tenantOf(c), route, idParam(c, "run"), at < 0 ? "" : url.slice(at + 1)];
      return positionKeyed(c, checked, "events+metrics", async () => {
        const run = await runOf(c);
        const body = JSON.stringify(await answer(run, q));
        // The same key: the tenant, id and query were valid, or we would not be here.
        if (isSettled(run, now())) cache.set(key, { body, etag: strongEtag(body) });
        return { body };
      });
    };
  }

  /**
   * An answer that holds while the projections it is made of (`on`) stay where they are: see
   * PositionKeyedCache. Called once the query, the id and the tenant are checked (a bad one is a
   * 400 or 404 before any lookup); `key` is everything else the answer depends on, the tenant
   * first, so one tenant's answer is never another's. Its ETag is the body's (strongEtag) unless
   * `compute` gives one. The key is JSON text, which holds no newline: never one of runAnswer's
   * keys in the cache they share.
   */
  async function positionKeyed(c: Context, key: readonly unknown[], on: Sources, compute: () => Promise<{ body: string; etag?: string }>) {
    return send(c, await byPositions.answer(JSON.stringify(key), on, compute));
  }

  // The lists and a load test: the events projection's tables, and for runs the metrics' too (lastMetrics).
  app.get("/v1/load-tests", async (c) => {
    const q = query(c, loadTestsQuery);
    const tenant = tenantOf(c);
    return positionKeyed(c, [tenant, "load-tests", q.tag, q.limit, q.offset, q.envId], "events", async () => {
      const { items, total } = await readModel.loadTests(tenant, { tag: q.tag, envId: q.envId }, q);
      return { body: JSON.stringify({ items, total, limit: q.limit, offset: q.offset }) };
    });
  });

  app.get("/v1/load-tests/:id", async (c) => {
    const id = idParam(c, "load test");
    const tenant = tenantOf(c);
    // Its ETag stays its version, which If-Match on a write names: the count of its events, so it
    // changes whenever the body does, and a 304 by it is sound.
    return positionKeyed(c, [tenant, "load-test", id], "events", async () => {
      const loadTest = await readModel.loadTest(tenant, id);
      if (!loadTest) throw new HttpError(404, "not_found", "load test not found", "id");
      return { body: JSON.stringify(loadTest), etag: `"${loadTest.version}"` };
    });
  });

  app.get("/v1/runs", async (c) => {
    const q = query(c, runsQuery);
    const tenant = tenantOf(c);
    return positionKeyed(c, [tenant, "runs", q.status, q.loadTestId, q.limit, q.offset, q.envId], "events+metrics", async () => {
      const { items, total } = await readModel.runs(tenant, { status: q.status, loadTestId: q.loadTestId, envId: q.envId }, q);
      return { body: JSON.stringify({ items, total, limit: q.limit, offset: q.offset }) };
    });
  });

  app.get(
    "/v1/runs/:id",
    runAnswer(
      "run",
      () => null,
      async (run) => ({ ...run, cost: costOfRun(run, await measuredTotals(readModel, run), price, now()) }),
    ),
  );

  app.get(
    "/v1/runs/:id/metrics/timeseries",
    runAnswer(
      "timeseries",
      (c) => selectionOf(c, timeseriesQuery) as MetricsSelection & { step: string },
      async (run, { step, ...sel }) => {
        const answer = await metrics.timeseries(run, sel, STEP_OF[step]!);
        // dataPoints and summary: seed 001's (seed-summaries.ts).
        return { runId: run.id, step: `${answer.step}s`, points: answer.points, ...seedTimeseries(answer.points) };
      },
    ),
  );

  app.get(
    "/v1/runs/:id/metrics/aggregate",
    runAnswer(
      "aggregate",
      (c) => selectionOf(c, selectionQuery),
      // avgRPS, maxRPS, minRPS, avgP50...: seed 001's summary figures, beside the exact ones. The cost is the whole run's, whatever the selection.
      async (run, sel) => {
        const [aggregate, seed, totals] = await Promise.all([
          metrics.aggregate(run, sel),
          seedAggregateFigures(readModel, metrics, run, sel),
          measuredTotals(readModel, run),
        ]);
        return { ...aggregate, ...seed, cost: costOfRun(run, totals, price, now()) };
      },
    ),
  );

  app.get(
    "/v1/runs/:id/metrics/endpoints",
    runAnswer(
      "endpoints",
      (c) => selectionOf(c, selectionQuery),
      async (run, sel) => ({ runId: run.id, endpoints: (await metrics.aggregate(run, sel)).endpoints }),
    ),
  );

  app.get(
    "/v1/runs/:id/metrics/distribution",
    runAnswer(
      "distribution",
      (c) => selectionOf(c, selectionQuery),
      (run, sel) => metrics.distribution(run, sel),
    ),
  );

  // Seed 001's name for the distribution, with its points under the seed's names too.
  app.get(
    "/v1/runs/:id/metrics/scatter",
    runAnswer(
      "scatter",
      (c) => selectionOf(c, selectionQuery),
      async (run, sel) => {
        const distribution = await metrics.distribution(run, sel);
        return { ...distribution, dataPoints: seedScatterPoints(distribution.points) };
      },
    ),
  );

  return app;
}
