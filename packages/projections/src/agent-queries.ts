import { and, asc, desc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "./database.ts";
import { type AgentActionRow, type AgentRow, agentActions, agents, runSutSeconds, runs } from "./schema.ts";

const { lastTelemetry: _lastTelemetry, ...listColumns } = getTableColumns(agents);

/** The queries behind the agent and SUT routes, over the tables the agent and events projections write; every one within a tenant. */
export class AgentQueries {
  constructor(private readonly db: Db) {}

  /** The tenant's agents whose labels include `labels` (all of them when empty), without their telemetry. */
  agents(tenantId: string, labels: Readonly<Record<string, string>>): Promise<Omit<AgentRow, "lastTelemetry">[]> {
    const where: SQL[] = [eq(agents.tenantId, tenantId)];
    if (Object.keys(labels).length > 0) where.push(sql`${agents.labels} @> ${JSON.stringify(labels)}::jsonb`);
    return this.db
      .select(listColumns)
      .from(agents)
      .where(and(...where))
      .orderBy(asc(agents.agentId));
  }

  /** The tenant's agents of these ids (those it knows), without their telemetry. */
  agentsNamed(tenantId: string, agentIds: readonly string[]): Promise<Omit<AgentRow, "lastTelemetry">[]> {
    if (agentIds.length === 0) return Promise.resolve([]);
    return this.db
      .select(listColumns)
      .from(agents)
      .where(and(eq(agents.tenantId, tenantId), inArray(agents.agentId, [...agentIds])));
  }

  async agent(tenantId: string, agentId: string): Promise<AgentRow | null> {
    const [row] = await this.db
      .select()
      .from(agents)
      .where(and(eq(agents.tenantId, tenantId), eq(agents.agentId, agentId)));
    return row ?? null;
  }

  /** The actions asked of an agent, newest first. */
  actionsOf(tenantId: string, agentId: string, limit: number): Promise<AgentActionRow[]> {
    return this.db
      .select()
      .from(agentActions)
      .where(and(eq(agentActions.tenantId, tenantId), eq(agentActions.agentId, agentId)))
      .orderBy(desc(agentActions.requestedAt), desc(agentActions.actionId))
      .limit(limit);
  }

  /** The actions a run's timeline fired, in the order they were asked. */
  actionsOfRun(tenantId: string, runId: string): Promise<AgentActionRow[]> {
    return this.db
      .select()
      .from(agentActions)
      .where(and(eq(agentActions.tenantId, tenantId), eq(agentActions.runId, runId)))
      .orderBy(asc(agentActions.requestedAt), asc(agentActions.actionId));
  }

  /** The run's start and end, or null when the tenant has no such run. */
  async runSpan(tenantId: string, runId: string): Promise<{ startedAt: Date | null; finishedAt: Date | null } | null> {
    const [row] = await this.db
      .select({ startedAt: runs.startedAt, finishedAt: runs.finishedAt })
      .from(runs)
      .where(and(eq(runs.tenantId, tenantId), eq(runs.id, runId)));
    return row ?? null;
  }

  /** The run's SUT seconds, of one agent when given. */
  sutSeconds(tenantId: string, runId: string, agentId: string | undefined) {
    const where: SQL[] = [eq(runSutSeconds.runId, runId), eq(runSutSeconds.tenantId, tenantId)];
    if (agentId !== undefined) where.push(eq(runSutSeconds.agentId, agentId));
    return this.db
      .select({ agentId: runSutSeconds.agentId, second: runSutSeconds.second, values: runSutSeconds.values })
      .from(runSutSeconds)
      .where(and(...where))
      .orderBy(asc(runSutSeconds.agentId), asc(runSutSeconds.second));
  }
}

/**
 * The actions an agent registered, by name (none known: undefined, and the agent alone judges):
 * what the API's action route checks a request against before it goes to the agent.
 */
export const registeredActionsIn =
  (db: Db) =>
  async (tenantId: string, agentId: string): Promise<ReadonlyMap<string, { timeoutSec: number }> | undefined> => {
    const row = await new AgentQueries(db).agent(tenantId, agentId);
    return row?.actions ? new Map(row.actions.map((a) => [a.name, { timeoutSec: a.timeoutSec }])) : undefined;
  };
