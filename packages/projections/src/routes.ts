import { RUN_STATUSES, type RunView } from "@loadline/core";
import { HttpError, ID_PATTERN, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { MetricsQueries, type MetricsSelection, type Step } from "./metrics-queries.ts";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";
import type { ProjectionStatusReader } from "./status.ts";
import { instantSchema } from "./time-range.ts";

export type ReadRoutesDeps = { readModel: PgReadModel; status: ProjectionStatusReader; log: Logger };

/** How long a query with minSeq waits for the projection to apply that sequence. */

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
const loadTestsQuery = z.object({ ...page, tag: z.string().min(1).max(64).optional() });
const runsQuery = z.object({
  ...page,
  status: z.enum(RUN_STATUSES).optional(),
  loadTestId: z.string().regex(ID_PATTERN, "must be an id: letters, digits, - or _").optional(),
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
const selectionQuery = z.object({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  requests: listSchema,
  workers: listSchema,
});
const STEP_OF: Record<string, Step | "auto"> = { "1s": 1, "10s": 10, "1m": 60, auto: "auto" };
const timeseriesQuery = selectionQuery.extend({
  step: z.enum(["1s", "10s", "1m", "auto"], { message: "must be one of 1s, 10s, 1m, auto" }).default("auto"),
});

/** The selection of a metrics query; a list parameter may be repeated. */
function selectionOf(c: Context, schema: typeof selectionQuery | typeof timeseriesQuery) {
  const lists = { requests: c.req.queries("requests"), workers: c.req.queries("workers") };
  return query(c, schema, lists);
}

/** The read side of the REST API: load tests, runs and their metrics, per tenant. */
export function readRoutes(deps: ReadRoutesDeps): Hono {
  const { readModel } = deps;
  const metrics = new MetricsQueries(readModel);
  const app = new Hono();
  installErrorHandler(app, deps.log);

  app.use("/v1/*", minSeqWait(readModel));

  app.get("/v1/projections", async (c) => c.json({ items: await deps.status.list() }));

  async function runOf(c: Context): Promise<RunView> {
    const run = await readModel.run(tenantOf(c), idParam(c, "run"));
    if (!run) throw new HttpError(404, "not_found", "run not found", "id");
    return run;
  }

  app.get("/v1/load-tests", async (c) => {
    const q = query(c, loadTestsQuery);
    const { items, total } = await readModel.loadTests(tenantOf(c), { tag: q.tag }, q);
    return c.json({ items, total, limit: q.limit, offset: q.offset });
  });

  app.get("/v1/load-tests/:id", async (c) => {
    const loadTest = await readModel.loadTest(tenantOf(c), idParam(c, "load test"));
    if (!loadTest) throw new HttpError(404, "not_found", "load test not found", "id");
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
    const { step, ...sel } = selectionOf(c, timeseriesQuery) as MetricsSelection & { step: string };
    const run = await runOf(c);
    const answer = await metrics.timeseries(run, sel, STEP_OF[step]!);
    return c.json({ runId: run.id, step: `${answer.step}s`, points: answer.points });
  });

  app.get("/v1/runs/:id/metrics/aggregate", async (c) => {
    const sel = selectionOf(c, selectionQuery);
    return c.json(await metrics.aggregate(await runOf(c), sel));
  });

  app.get("/v1/runs/:id/metrics/endpoints", async (c) => {
    const sel = selectionOf(c, selectionQuery);
    const run = await runOf(c);
    return c.json({ runId: run.id, endpoints: (await metrics.aggregate(run, sel)).endpoints });
  });

  app.get("/v1/runs/:id/metrics/distribution", async (c) => {
    const sel = selectionOf(c, selectionQuery);
    return c.json(await metrics.distribution(await runOf(c), sel));
  });

  return app;
}
