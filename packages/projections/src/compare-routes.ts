import { HttpError, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { comparedRun, runComparison } from "./compare-queries.ts";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";

export type CompareRoutesDeps = { readModel: PgReadModel; log: Logger };

export const compareQuery = z.object({
  to: z.string().min(1, "must be baseline or a run's id").default("baseline"),
});

/**
 * `GET /v1/runs/{id}/compare?to=baseline|<runId>` (default baseline): the run against its load test's baseline or
 * another run of the tenant, per endpoint and overall, each figure `better`, `same` or `worse`
 * beyond the runs' noise (docs/compare.md).
 */
export function compareRoutes(deps: CompareRoutesDeps): Hono {
  const { readModel } = deps;
  const app = new Hono();
  installErrorHandler(app, deps.log);
  app.use("/v1/runs/:id/compare", minSeqWait(readModel));

  app.get("/v1/runs/:id/compare", async (c) => {
    const id = idParam(c, "run");
    const { to } = query(c, compareQuery);
    const run = await readModel.run(tenantOf(c), id);
    if (!run) throw new HttpError(404, "not_found", "run not found", "id");
    return c.json(await runComparison(readModel, run, await comparedRun(readModel, run, to, "to")));
  });

  return app;
}
