import {
  type AggregateRef,
  cronSchema,
  MISSED_FIRE_POLICIES,
  newId,
  OVERLAP_POLICIES,
  placementSchema,
  type ReadModel,
  runOverridesOf,
  runParametersSchema,
  type ScheduleReadModel,
  thresholdsSchema,
  timezoneSchema,
} from "@loadline/core";
import { idParam, installErrorHandler, type Logger, parseWith, readJson, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { type CommandRouteDeps, executeCommand, expectedVersion } from "./command-route.ts";

export type ScheduleRoutesDeps = Omit<CommandRouteDeps, "readModel"> & { readModel: ReadModel & ScheduleReadModel; log: Logger };

/** What each run takes over its test's defaults: as POST /v1/load-tests/{id}/runs takes them. */
const overridesSchema = runParametersSchema
  .partial()
  .extend({
    workers: placementSchema.shape.workers,
    workerSelector: placementSchema.shape.selector,
    thresholds: thresholdsSchema.optional(),
  })
  .strict();

const fields = {
  cron: cronSchema,
  timezone: timezoneSchema,
  overrides: overridesSchema,
  enabled: z.boolean(),
  missedFire: z.enum(MISSED_FIRE_POLICIES),
  overlap: z.enum(OVERLAP_POLICIES),
};

/**
 * A new schedule. The defaults are the cautious ones: UTC; a run missed in an outage is not run
 * late (`skip`); an instant whose previous run is still live adds no load (`skip`).
 */
export const createSchema = z
  .object({
    ...fields,
    timezone: fields.timezone.default("UTC"),
    overrides: fields.overrides.default({}),
    enabled: fields.enabled.default(true),
    missedFire: fields.missedFire.default("skip"),
    overlap: fields.overlap.default("skip"),
  })
  .strict();

/** A change: each field given replaces its own, `overrides` whole. */
export const changeSchema = z.object(fields).partial().strict();

/**
 * The write side of schedules: create under a load test, change, delete. Each is a command the
 * orchestrator decides (the test must exist, the overrides fit it, within the tenant's
 * allow-list and quotas); the answer is the schedule as a GET right after would see it.
 */
export function scheduleWriteRoutes(deps: ScheduleRoutesDeps): Hono {
  const { readModel, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  const schedule = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "schedule", id } as AggregateRef });

  app.post("/v1/load-tests/:id/schedules", async (c) => {
    const tenantId = tenantOf(c);
    const loadTestId = idParam(c, "load test");
    const input = await readJson(c);
    const { overrides: asked, ...rest } = parseWith(createSchema, input);
    const { overrides, placement } = runOverridesOf(asked);
    const id = newId();
    const data = { loadTestId, ...rest, overrides, ...(Object.keys(placement).length > 0 ? { placement } : {}) };
    const done = await executeCommand(c, deps, { type: "schedule.create", ...schedule(tenantId, id), data }, input);
    if (done instanceof Response) return done;
    const view = await readModel.schedule(tenantId, id);
    c.header("Location", `/v1/schedules/${id}`);
    if (view) c.header("ETag", `"${view.version}"`);
    return c.json(view, 201);
  });

  app.patch("/v1/schedules/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "schedule");
    const version = expectedVersion(c);
    const input = await readJson(c);
    const { overrides: asked, ...rest } = parseWith(changeSchema, input);
    const changes = { ...rest, ...(asked ? runOverridesOf(asked) : {}) };
    const data = { changes, ...(version !== undefined ? { expectedVersion: version } : {}) };
    const done = await executeCommand(c, deps, { type: "schedule.update", ...schedule(tenantId, id), data }, input);
    if (done instanceof Response) return done;
    const view = await readModel.schedule(tenantId, id);
    if (view) c.header("ETag", `"${view.version}"`);
    return c.json(view, 200);
  });

  app.delete("/v1/schedules/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "schedule");
    const version = expectedVersion(c);
    const data = version !== undefined ? { expectedVersion: version } : {};
    const done = await executeCommand(c, deps, { type: "schedule.delete", ...schedule(tenantId, id), data });
    if (done instanceof Response) return done;
    return c.body(null, 204);
  });

  return app;
}
