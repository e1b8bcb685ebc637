import { type AggregateRef, scaleSchema } from "@loadline/core";
import { idParam, installErrorHandler, parseWith, readJson, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { executeCommand } from "./command-route.ts";
import type { WriteRoutesDeps } from "./routes.ts";

/**
 * Live control of a running run: pause, resume, and scale to a new size (peak VUs of its closed
 * executors, arrivals/s of its open ones). Each is a command; the orchestrator echoes the event
 * on core NATS, so every worker of the run follows within a second. Answered with the run as a
 * GET right after would see it.
 */
export function controlRoutes(deps: WriteRoutesDeps): Hono {
  const { readModel, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);
  const run = (c: Context) => ({ tenantId: tenantOf(c), aggregate: { type: "run", id: idParam(c, "run") } as AggregateRef });
  const answer = async (c: Context, target: ReturnType<typeof run>) =>
    c.json(await readModel.run(target.tenantId, target.aggregate.id), 200);

  app.post("/v1/runs/:id/pause", async (c) => {
    const target = run(c);
    const done = await executeCommand(c, deps, { type: "run.pause", ...target, data: {} });
    return done instanceof Response ? done : answer(c, target);
  });

  app.post("/v1/runs/:id/resume", async (c) => {
    const target = run(c);
    const done = await executeCommand(c, deps, { type: "run.resume", ...target, data: {} });
    return done instanceof Response ? done : answer(c, target);
  });

  app.post("/v1/runs/:id/scale", async (c) => {
    const target = run(c);
    const input = await readJson(c);
    const data = parseWith(scaleSchema, input);
    const done = await executeCommand(c, deps, { type: "run.scale", ...target, data }, input);
    return done instanceof Response ? done : answer(c, target);
  });

  return app;
}
