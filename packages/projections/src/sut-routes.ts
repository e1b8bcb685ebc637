import { HttpError, ID_PATTERN, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";
import { AgentQueries } from "./agent-queries.ts";
import { runActionViewOf, sutSeriesOf } from "./agent-views.ts";
import type { Db } from "./database.ts";
import { minSeqWait } from "./min-seq.ts";
import type { PgReadModel } from "./read-model.ts";

export type SutRoutesDeps = { readModel: PgReadModel; db: Db; log: Logger };

/** At most this many series names in one query. */
const MAX_SERIES = 50;

/** `series=a,b` or `series=a&series=b`: series names (prometheus ones may hold braces and quotes, never a comma). */
const seriesSchema = z
  .array(z.string())
  .optional()
  .transform((values, ctx) => {
    if (values === undefined) return null;
    const names = [...new Set(values.flatMap((v) => v.split(",")).map((v) => v.trim()))].filter((v) => v.length > 0);
    if (names.length === 0 || names.length > MAX_SERIES || names.some((n) => n.length > 300)) {
      ctx.addIssue({ code: "custom", message: `must name 1 to ${MAX_SERIES} series of at most 300 characters, comma-separated` });
      return z.NEVER;
    }
    return names;
  });
export const sutQuery = z.object({
  series: seriesSchema,
  agent: z.string().regex(ID_PATTERN, "must be an agent's id: letters, digits, - or _").optional(),
});

/**
 * A run's system under test: its SUT agents' telemetry on the run's clock (seconds since its
 * start, as the metrics' timeseries), and the agent actions its timeline fired, with their
 * outcomes, for the charts to annotate.
 */
export function sutRoutes(deps: SutRoutesDeps): Hono {
  const queries = new AgentQueries(deps.db);
  const app = new Hono();
  installErrorHandler(app, deps.log);
  for (const path of ["/v1/runs/:id/sut", "/v1/runs/:id/actions"]) app.use(path, minSeqWait(deps.readModel));

  const runOf = async (tenant: string, runId: string) => {
    const run = await queries.runSpan(tenant, runId);
    if (!run) throw new HttpError(404, "not_found", `run ${runId} not found`, "id");
    return run;
  };

  app.get("/v1/runs/:id/sut", async (c) => {
    const q = query(c, sutQuery, { series: c.req.queries("series") });
    const tenant = tenantOf(c);
    const runId = idParam(c, "run");
    const { startedAt, finishedAt } = await runOf(tenant, runId);
    // The projection knows a run's end up to a second late (SutRunCache): seconds after it are not the run's.
    const last = startedAt && finishedAt ? Math.floor((finishedAt.getTime() - startedAt.getTime()) / 1000) : Number.POSITIVE_INFINITY;
    const rows = (await queries.sutSeconds(tenant, runId, q.agent)).filter((r) => r.second <= last);
    const { agents, series } = sutSeriesOf(rows, q.series);
    const known = new Map((await queries.agentsNamed(tenant, agents)).map((a) => [a.agentId, a]));
    return c.json({
      runId,
      startedAt: startedAt?.toISOString() ?? null,
      agents: agents.map((agentId) => ({ agentId, host: known.get(agentId)?.host ?? null, labels: known.get(agentId)?.labels ?? {} })),
      series,
    });
  });

  app.get("/v1/runs/:id/actions", async (c) => {
    const tenant = tenantOf(c);
    const runId = idParam(c, "run");
    const { startedAt } = await runOf(tenant, runId);
    const rows = await queries.actionsOfRun(tenant, runId);
    return c.json({ runId, startedAt: startedAt?.toISOString() ?? null, items: rows.map((r) => runActionViewOf(r, startedAt)) });
  });

  return app;
}
