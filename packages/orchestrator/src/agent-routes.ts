import { actionNameSchema, actionParamsSchema, createCommand, DomainError } from "@loadline/core";
import { CommandTimeoutError } from "@loadline/nats";
import {
  actorOf,
  HttpError,
  httpErrorOf,
  idParam,
  installErrorHandler,
  type Logger,
  parseWith,
  readJson,
  tenantOf,
} from "@loadline/service";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { CommandRouteDeps } from "./command-route.ts";
import { checkWire } from "./wire-check.ts";

/** The actions an agent registered (by name, with their timeout), or undefined when it is not known. */
export type RegisteredActions = (
  tenantId: string,
  agentId: string,
) => ReadonlyMap<string, { timeoutSec: number }> | undefined | Promise<ReadonlyMap<string, { timeoutSec: number }> | undefined>;

export type AgentActionRoutesDeps = Pick<CommandRouteDeps, "bus"> & {
  log: Logger;
  /**
   * Where the agents' registrations can be read (an AgentDirectory's `(t, a) => get(t, a)?.actions`,
   * or the read model's agents): an action a known agent did not register is then a 404 at once.
   * Absent, every request goes to the agent, which refuses what it does not allow.
   */
  registeredActions?: RegisteredActions;
};

export const requestSchema = z
  .object({
    params: actionParamsSchema.optional(),
    timeoutSec: z.number().positive().max(3600).optional(),
  })
  .strict();

/** The body, which may be left out (an action without parameters): no body at all reads as `{}`. */
async function bodyOf(c: Context): Promise<unknown> {
  const length = c.req.header("content-length");
  const noBody =
    c.req.header("content-type") === undefined && (length === undefined || length === "0") && !c.req.header("transfer-encoding");
  return noBody ? {} : readJson(c);
}

/** An action's name from the path: one that could not be an action's is not found, as an id that could not be one. */
function actionParam(c: Context): string {
  const name = c.req.param("name") ?? "";
  if (!actionNameSchema.safeParse(name).success) throw new HttpError(404, "not_found", `no action ${JSON.stringify(name)}`, "name");
  return name;
}

/**
 * Asks an agent for one of its allow-listed actions: `agent.request-action` on the bus, decided
 * into `agent.action-requested` (its id the action's), which the orchestrator then echoes to the
 * agent. Answered 202 at once: the action runs on the agent's host, and its outcome is recorded
 * as `agent.action-started/-completed/-failed` (failed too when the agent never takes it up).
 * The agent is the authority on its allow-list and its parameters' types.
 */
export function agentActionRoutes(deps: AgentActionRoutesDeps): Hono {
  const { bus, log } = deps;
  const app = new Hono();
  installErrorHandler(app, log);

  app.post("/v1/agents/:id/actions/:name", async (c) => {
    const tenantId = tenantOf(c);
    const agentId = idParam(c, "agent");
    const action = actionParam(c);
    const input = await bodyOf(c);
    const { params, timeoutSec } = parseWith(requestSchema, input);
    const registered = await deps.registeredActions?.(tenantId, agentId);
    if (registered && !registered.has(action))
      throw new HttpError(
        404,
        "not_found",
        `agent ${agentId} has no action ${action} (it allows: ${[...registered.keys()].join(", ") || "none"})`,
        "name",
      );
    const timeout = timeoutSec ?? registered?.get(action)?.timeoutSec;
    const command = createCommand({
      type: "agent.request-action",
      tenantId,
      aggregate: { type: "agent", id: agentId },
      data: { action, params: params ?? {}, ...(timeout ? { timeoutSec: timeout } : {}) },
      actor: actorOf(c),
    });
    checkWire(command, input, bus.maxPayload());
    const answer = (status: "requested" | "queued") => c.json({ actionId: command.id, agentId, action, status }, 202);
    try {
      const outcome = await bus.send(command);
      if (!outcome.ok) throw httpErrorOf(new DomainError(outcome.error.code, outcome.error.message, outcome.error.field));
      c.header("X-Event-Seq", String(outcome.seq));
      return answer("requested");
    } catch (err) {
      // No outcome yet: the request stays queued, and is decided (and echoed) when the orchestrator is back.
      if (err instanceof CommandTimeoutError) return answer("queued");
      throw err;
    }
  });

  return app;
}
