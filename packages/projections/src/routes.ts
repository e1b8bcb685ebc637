import {
  aggregateWindows,
  endpointStats,
  HttpError,
  installErrorHandler,
  tenantOf,
  query,
  RUN_STATUSES,
  timeseries,
  type AggregateView,
  type Logger,
  type RunView,
} from "@loadline/core";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { PgReadModel } from "./read-model.ts";
import type { ProjectionStatusReader } from "./status.ts";
import { instantSchema, resolveRange } from "./time-range.ts";

export type ReadRoutesDeps = { readModel: PgReadModel; status: ProjectionStatusReader; log: Logger };

/** How long a query with minSeq waits for the projection to apply that sequence. */
const MIN_SEQ_WAIT_MS = 5_000;
const minSeqSchema = z.coerce.number().int().nonnegative();

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
const loadTestsQuery = z.object({ ...page, tag: z.string().min(1).optional() });
const runsQuery = z.object({ ...page, status: z.enum(RUN_STATUSES).optional(), loadTestId: z.string().min(1).optional() });
const rangeQuery = z.object({ from: instantSchema.optional(), to: instantSchema.optional() });

const iso = (second: number | null): string | null => (second === null ? null : new Date(second * 1000).toISOString());

/** The read side of the REST API: load tests, runs and their metrics, per tenant. */
export function readRoutes(deps: ReadRoutesDeps): Hono {
  const { readModel } = deps;
  const app = new Hono();
  installErrorHandler(app, deps.log);

  // Read-your-writes across requests: a query given minSeq (or X-Min-Seq) waits until the
  // events projection has applied that stream sequence, which every write answers with.
  app.use("/v1/*", async (c, next) => {
    const raw = c.req.query("minSeq") ?? c.req.header("x-min-seq");
    if (c.req.method === "GET" && raw !== undefined) {
      const parsed = minSeqSchema.safeParse(raw);
      if (!parsed.success) throw new HttpError(400, "invalid_request", "minSeq must be a stream sequence (a whole number >= 0)", "minSeq");
      if (!(await readModel.waitForEvents(parsed.data, MIN_SEQ_WAIT_MS))) {
        c.header("Retry-After", "1");
        throw new HttpError(503, "not_yet_projected", `the read model has not reached sequence ${parsed.data} yet`, "minSeq");
      }
    }
    await next();
  });

  app.get("/v1/projections", async (c) => c.json({ items: await deps.status.list() }));

  async function runOf(c: Context): Promise<RunView> {
    const run = await readModel.run(tenantOf(c), c.req.param("id") ?? "");
    if (!run) throw new HttpError(404, "not_found", "run not found");
    return run;
  }

  app.get("/v1/load-tests", async (c) => {
    const q = query(c, loadTestsQuery);
    const { items, total } = await readModel.loadTests(tenantOf(c), { tag: q.tag }, q);
    return c.json({ items, total, limit: q.limit, offset: q.offset });
  });

  app.get("/v1/load-tests/:id", async (c) => {
    const loadTest = await readModel.loadTest(tenantOf(c), c.req.param("id"));
    if (!loadTest) throw new HttpError(404, "not_found", "load test not found");
    c.header("ETag", `"${loadTest.version}"`);
    return c.json(loadTest);
  });

  app.get("/v1/runs", async (c) => {
    const q = query(c, runsQuery);
    const { items, total } = await readModel.runs(tenantOf(c), { status: q.status, loadTestId: q.loadTestId }, q);
    return c.json({ items, total, limit: q.limit, offset: q.offset });
  });

  app.get("/v1/runs/:id", async (c) => c.json(await runOf(c)));

  app.get("/v1/runs/:id/metrics/timeseries", async (c) => {
    const asked = query(c, rangeQuery);
    const run = await runOf(c);
    const span = asked.from !== undefined && asked.to !== undefined ? null : await readModel.windowSpan(run.tenantId, run.id);
    const range = resolveRange(asked, span);
    const points = range ? timeseries(await readModel.windows(run.tenantId, run.id, range), range.from, range.to) : [];
    return c.json({ runId: run.id, points });
  });

  app.get("/v1/runs/:id/metrics/aggregate", async (c) => {
    const run = await runOf(c);
    const { first, last, ...stats } = aggregateWindows(await readModel.windows(run.tenantId, run.id));
    const view: AggregateView = { runId: run.id, ...stats, from: iso(first), to: iso(last) };
    return c.json(view);
  });

  app.get("/v1/runs/:id/metrics/endpoints", async (c) => {
    const run = await runOf(c);
    return c.json({ runId: run.id, endpoints: endpointStats(await readModel.windows(run.tenantId, run.id)) });
  });

  return app;
}
