import { HttpError, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { AgentQueries } from "./agent-queries.ts";
import { type AgentDetailView, type AgentView, actionViewOf, agentViewOf } from "./agent-views.ts";
import type { Db } from "./database.ts";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";

export type AgentRoutesDeps = { readModel: PgReadModel; db: Db; log: Logger; now?: () => number };

const LABEL_NAME = /^[A-Za-z0-9_./-]{1,63}$/;

/** `label=k=v`, repeatable: the agents whose labels include every one. */
const labelSchema = z
  .array(z.string())
  .default([])
  .transform((values, ctx) => {
    const labels: [string, string][] = [];
    for (const v of values) {
      const at = v.indexOf("=");
      const key = at < 0 ? "" : v.slice(0, at);
      if (!LABEL_NAME.test(key) || v.length - at - 1 > 256) {
        ctx.addIssue({ code: "custom", message: "must be key=value (a label name: letters, digits, _ . / -)" });
        return z.NEVER;
      }
      labels.push([key, v.slice(at + 1)]);
    }
    // fromEntries: a label named __proto__ stays a label, not the object's prototype.
    return Object.fromEntries(labels) as Record<string, string>;
  });
export const agentsQuery = z.object({ label: labelSchema, state: z.enum(["active", "lost"]).optional() });
export const actionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** How many of its latest actions GET /v1/agents/{id} shows. */
const RECENT_ACTIONS = 10;

/** The read side of control agents, per tenant: who they are, whether they are heard from, what was asked of them. */
export function agentRoutes(deps: AgentRoutesDeps): Hono {
  const queries = new AgentQueries(deps.db);
  const now = deps.now ?? Date.now;
  const app = new Hono();
  installErrorHandler(app, deps.log);
  for (const path of ["/v1/agents", "/v1/agents/*"]) app.use(path, minSeqWait(deps.readModel));

  app.get("/v1/agents", async (c) => {
    const q = query(c, agentsQuery, { label: c.req.queries("label") });
    const at = now();
    const items: AgentView[] = (await queries.agents(tenantOf(c), q.label))
      .map((row) => agentViewOf(row, at))
      .filter((a) => q.state === undefined || a.state === q.state);
    return c.json({ items });
  });

  app.get("/v1/agents/:id", async (c) => {
    const tenant = tenantOf(c);
    const agentId = idParam(c, "agent");
    const [row, actions] = await Promise.all([queries.agent(tenant, agentId), queries.actionsOf(tenant, agentId, RECENT_ACTIONS)]);
    if (!row) throw new HttpError(404, "not_found", `agent ${agentId} not found`, "id");
    const { lastTelemetry, ...registration } = row;
    const view: AgentDetailView = { ...agentViewOf(registration, now()), lastTelemetry, recentActions: actions.map(actionViewOf) };
    return c.json(view);
  });

  // An agent's actions outlive its registration (LL_AGENT keeps a day): 404 only when neither is known.
  app.get("/v1/agents/:id/actions", async (c) => {
    const { limit } = query(c, actionsQuery);
    const tenant = tenantOf(c);
    const agentId = idParam(c, "agent");
    const rows = await queries.actionsOf(tenant, agentId, limit);
    if (rows.length === 0 && !(await queries.agent(tenant, agentId)))
      throw new HttpError(404, "not_found", `agent ${agentId} not found`, "id");
    return c.json({ agentId, items: rows.map(actionViewOf), limit });
  });

  return app;
}
