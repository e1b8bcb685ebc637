import {
  type AggregateRef,
  type CommandEnvelope,
  type CommandInit,
  type CommandType,
  createCommand,
  DomainError,
  loadTestInputSchema,
  newId,
  placementSchema,
  type ReadModel,
  runParametersSchema,
} from "@loadline/core";
import { type CommandBus, CommandTimeoutError } from "@loadline/nats";
import { HttpError, httpErrorOf, idParam, installErrorHandler, type Logger, parseWith, readJson, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { checkWire } from "./wire-check.ts";

export type WriteRoutesDeps = {
  /** Sends the commands; its server's max payload bounds what a write may carry. */
  bus: Pick<CommandBus, "send" | "maxPayload">;
  readModel: ReadModel;
  log: Logger;
  /** How long a write waits for its events to be projected before it answers 202. */
  projectionWaitMs?: number;
};

/** A run's overrides of the test's defaults, and where it may run. */
const startRunSchema = runParametersSchema
  .partial()
  .extend({ workers: placementSchema.shape.workers, workerSelector: placementSchema.shape.selector })
  .strict();
/**
 * If-Match carries the version the client last saw: `"3"`, `W/"3"` or `3`. A version past
 * Number.MAX_SAFE_INTEGER is no version (and the command's schema would refuse it).
 */
function expectedVersion(c: Context): number | undefined {
  const header = c.req.header("if-match");
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  const version = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(version)) throw new HttpError(400, "invalid_request", 'If-Match must be a version such as "3"', "If-Match");
  return version;
}

/**
 * The write side of the REST API. A write is a command on LL_COMMANDS; the route waits for
 * the orchestrator's outcome, then (read-your-writes) for the projection to apply its
 * events, and answers the resource as a GET right after would see it.
 */
export function writeRoutes(deps: WriteRoutesDeps): Hono {
  const { bus, readModel, log } = deps;
  const waitMs = deps.projectionWaitMs ?? 5_000;
  const app = new Hono();
  installErrorHandler(app, log);

  /** Sends a command made of `input` (the body as sent, null for none) and waits for its outcome, then its projection. */
  async function execute<T extends CommandType>(
    c: Context,
    init: Omit<CommandInit<T>, "actor">,
    input: unknown = null,
  ): Promise<{ version: number } | Response> {
    const command = createCommand({ ...init, actor: c.req.header("x-actor") ?? "api" } as CommandInit<T>) as CommandEnvelope;
    checkWire(command, input, bus.maxPayload());
    try {
      const outcome = await bus.send(command);
      if (!outcome.ok) {
        // The resource the path names is what was not found.
        const field = outcome.error.field ?? (outcome.error.code === "not_found" ? "id" : undefined);
        throw httpErrorOf(new DomainError(outcome.error.code, outcome.error.message, field));
      }
      c.header("X-Event-Seq", String(outcome.seq));
      if (!(await readModel.waitForEvents(outcome.seq, waitMs))) {
        return c.json({ id: init.aggregate.id, commandId: command.id, status: "accepted", seq: outcome.seq }, 202);
      }
      return { version: outcome.version };
    } catch (err) {
      if (err instanceof CommandTimeoutError) {
        return c.json({ id: init.aggregate.id, commandId: command.id, status: "accepted" }, 202);
      }
      throw err;
    }
  }

  const loadTest = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "load-test", id } as AggregateRef });
  const run = (tenantId: string, id: string) => ({ tenantId, aggregate: { type: "run", id } as AggregateRef });

  app.post("/v1/load-tests", async (c) => {
    const tenantId = tenantOf(c);
    const input = await readJson(c);
    const spec = parseWith(loadTestInputSchema, input);
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
    const spec = parseWith(loadTestInputSchema, input);
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
    const { workers, workerSelector, ...overrides } = parseWith(startRunSchema, input);
    const placement = {
      ...(workers !== undefined ? { workers } : {}),
      ...(workerSelector !== undefined ? { selector: workerSelector } : {}),
    };
    const id = newId();
    const data = { loadTestId, overrides, ...(Object.keys(placement).length > 0 ? { placement } : {}) };
    const done = await execute(c, { type: "run.start", ...run(tenantId, id), data }, input);
    if (done instanceof Response) return done;
    c.header("Location", `/v1/runs/${id}`);
    return c.json(await readModel.run(tenantId, id), 201);
  });

  app.post("/v1/runs/:id/stop", async (c) => {
    const tenantId = tenantOf(c);
    const id = idParam(c, "run");
    const done = await execute(c, { type: "run.stop", ...run(tenantId, id), data: { reason: "requested" } });
    if (done instanceof Response) return done;
    return c.json(await readModel.run(tenantId, id), 202);
  });

  return app;
}
