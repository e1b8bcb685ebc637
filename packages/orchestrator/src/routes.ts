import {
  type AggregateRef,
  type CommandInit,
  type CommandType,
  durationOfSeed,
  envIdSchema,
  loadTestInputOfSeed,
  loadTestInputSchema,
  metadataSchema,
  newId,
  placementSchema,
  runEnvSchema,
  runNameSchema,
  runParametersSchema,
  seedWriteInput,
  thresholdsSchema,
} from "@loadline/core";
import { ID_PATTERN, idParam, installErrorHandler, type Logger, parseWith, readJson, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type CommandRouteDeps, executeCommand, expectedVersion } from "./command-route.ts";

export type WriteRoutesDeps = CommandRouteDeps & { log: Logger };

/** A run's overrides of the test's defaults, and where it may run; its name, environment and client JSON (seed 001's). */
export const startRunSchema = runParametersSchema
  .partial()
  .extend({
    workers: placementSchema.shape.workers,
    workerSelector: placementSchema.shape.selector,
    thresholds: thresholdsSchema.optional(),
    /** durationSec by seed 001's name. */
    durationSeconds: runParametersSchema.shape.durationSec.optional(),
    name: runNameSchema.optional(),
    envId: envIdSchema.optional(),
    metadata: metadataSchema.optional(),
    /** What the test's env placeholders (`${NAME}`, `{{env.NAME}}`) are filled with; recorded in the run, in clear: never secrets. */
    env: runEnvSchema.optional(),
  })
  .strict();
export const baselineSchema = z.object({ runId: z.string().regex(ID_PATTERN, "must be a run id") }).strict();

/**
 * The write side of the REST API. A write is a command on LL_COMMANDS; the route waits for
 * the orchestrator's outcome, then (read-your-writes) for the projection to apply its
 * events, and answers the resource as a GET right after would see it.
 */
export function writeRoutes(deps: WriteRoutesDeps): Hono {
  const { readModel, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  const execute = <T extends CommandType>(c: Context, init: Omit<CommandInit<T>, "actor">, input?: unknown) =>
    executeCommand(c, deps, init, input);

  const loadTest = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "load-test", id } as AggregateRef });
  const run = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "run", id } as AggregateRef });

  app.post("/v1/load-tests", async (c) => {
    const tenantId = tenantOf(c);
    const input = await readJson(c);
    const spec = parseWith(loadTestInputSchema, loadTestInputOfSeed(input, tenantId));
    const id = newId();
    const done = await execute(c, { type: "load-test.create", ...loadTest(tenantId, id), data: { spec } }, input);
    if (done instanceof Response) return done;
    const view = await readModel.loadTest(tenantId, id);
    c.header("Location", `/v1/load-tests/${id}`);
    if (view) c.header("ETag", `"${view.version}"`);
    return c.json(view, 201);
  });

  app.put("/v1/load-tests/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "load test");
    const version = expectedVersion(c);
    const input = await readJson(c);
    const spec = parseWith(loadTestInputSchema, loadTestInputOfSeed(input, tenantId));
    const done = await execute(
      c,
      {
        type: "load-test.update",
        ...loadTest(tenantId, id),
        data: { spec, ...(version !== undefined ? { expectedVersion: version } : {}) },
      },
      input,
    );
    if (done instanceof Response) return done;
    const view = await readModel.loadTest(tenantId, id);
    if (view) c.header("ETag", `"${view.version}"`);
    return c.json(view, 200);
  });

  app.delete("/v1/load-tests/:id", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "load test");
    const version = expectedVersion(c);
    const done = await execute(c, {
      type: "load-test.delete",
      ...loadTest(tenantId, id),
      data: version !== undefined ? { expectedVersion: version } : {},
    });
    if (done instanceof Response) return done;
    return c.body(null, 204);
  });

  app.post("/v1/load-tests/:id/runs", async (c) => {
    const tenantId = tenantOf(c);
    const loadTestId = idParam(c, "load test");
    const input = await readJson(c);
    const { workers, workerSelector, durationSeconds, name, envId, metadata, env, ...given } = parseWith(
      startRunSchema,
      seedWriteInput(input, tenantId),
    );
    const durationSec = durationOfSeed({ durationSec: given.durationSec, durationSeconds });
    const overrides = { ...given, ...(durationSec !== undefined ? { durationSec } : {}) };
    const placement = {
      ...(workers !== undefined ? { workers } : {}),
      ...(workerSelector !== undefined ? { selector: workerSelector } : {}),
    };
    const scope = { ...(name !== undefined ? { name } : {}), ...(envId !== undefined ? { envId } : {}), ...(metadata ? { metadata } : {}) };
    const id = newId();
    const data = {
      loadTestId,
      overrides,
      ...(Object.keys(placement).length > 0 ? { placement } : {}),
      ...(env ? { env } : {}),
      ...scope,
    };
    const done = await execute(c, { type: "run.start", ...run(tenantId, id), data }, input);
    if (done instanceof Response) return done;
    c.header("Location", `/v1/runs/${id}`);
    return c.json(await readModel.run(tenantId, id), 201);
  });

  app.post("/v1/load-tests/:id/baseline", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "load test");
    const input = await readJson(c);
    const { runId } = parseWith(baselineSchema, input);
    const done = await execute(c, { type: "load-test.set-baseline", ...loadTest(tenantId, id), data: { runId } }, input);
    if (done instanceof Response) return done;
    const view = await readModel.loadTest(tenantId, id);
    if (view) c.header("ETag", `"${view.version}"`);
    return c.json(view, 200);
  });

  app.post("/v1/runs/:id/stop", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "run");
    const done = await execute(c, { type: "run.stop", ...run(tenantId, id), data: { reason: "requested" } });
    // Seed 001's answer (docs/seed-contract.md): 200 `{success: true}` once the stop is recorded, beside the run as
    // it is now (Stopping until its workers confirm, Cancelled at once when it was queued); 202 while not yet projected.
    if (done instanceof Response) return c.json({ ...((await done.json()) as object), success: true }, 202);
    return c.json({ ...(await readModel.run(tenantId, id)), success: true }, 200);
  });

  return app;
}
