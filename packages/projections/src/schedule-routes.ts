import { HttpError, ID_PATTERN, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";

export type ScheduleReadRoutesDeps = { readModel: PgReadModel; log: Logger; now?: () => number };

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
export const schedulesQuery = z.object({
  ...page,
  loadTestId: z.string().regex(ID_PATTERN, "must be an id: letters, digits, - or _").optional(),
});
export const ofTestQuery = z.object(page);

/**
 * The read side of schedules, per tenant. Not cached by the projections' positions as the other
 * lists are: each answer shows the next fire times after the moment it is made.
 */
export function scheduleReadRoutes(deps: ScheduleReadRoutesDeps): Hono {
  const { readModel } = deps;
  const now = () => new Date((deps.now ?? Date.now)());
  const app = new Hono();
  installErrorHandler(app, deps.log);
  for (const path of ["/v1/schedules", "/v1/schedules/*", "/v1/load-tests/:id/schedules"]) app.use(path, minSeqWait(readModel));

  const list = async (c: Context, tenant: string, loadTestId: string | undefined, q: { limit: number; offset: number }) => {
    const { items, total } = await readModel.schedules(tenant, { loadTestId }, q, now());
    return c.json({ items, total, limit: q.limit, offset: q.offset });
  };

  app.get("/v1/schedules", async (c) => {
    const q = query(c, schedulesQuery);
    return list(c, tenantOf(c), q.loadTestId, q);
  });

  app.get("/v1/load-tests/:id/schedules", async (c) => {
    const q = query(c, ofTestQuery);
    const tenant = tenantOf(c);
    const loadTestId = idParam(c, "load test");
    if (!(await readModel.loadTest(tenant, loadTestId))) throw new HttpError(404, "not_found", "load test not found", "id");
    return list(c, tenant, loadTestId, q);
  });

  // Its ETag is its version, which If-Match on a write names.
  app.get("/v1/schedules/:id", async (c) => {
    const tenant = tenantOf(c);
    const schedule = await readModel.schedule(tenant, idParam(c, "schedule"), now());
    if (!schedule) throw new HttpError(404, "not_found", "schedule not found", "id");
    c.header("ETag", `"${schedule.version}"`);
    return c.json(schedule);
  });

  return app;
}
