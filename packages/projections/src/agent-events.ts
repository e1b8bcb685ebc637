import type { EventEnvelope } from "@loadline/core";
import type { Logger } from "@loadline/service";
import { sql } from "drizzle-orm";
import { foldAgentActions, isAgentActionEvent, runSutOf } from "./agent-rows.ts";
import type { Tx } from "./database.ts";
import { type AgentActionRow, agentActions, runSuts } from "./schema.ts";
import { upsertRows } from "./sql-helpers.ts";

/**
 * The events projection's agent rows (LL_EVENTS): agent_actions from agent.action-*, and
 * run_suts from a run.created whose target names a SUT. Applied in the events projection's
 * batch, so a rebuild of "events" replays them too.
 */
export async function applyAgentEvents(tx: Tx, events: readonly EventEnvelope[], log: Logger): Promise<void> {
  const actionEvents = events.filter(isAgentActionEvent);
  if (actionEvents.length > 0) {
    const ids = JSON.stringify([...new Set(actionEvents.map((e) => e.data.actionId))]);
    const existing: AgentActionRow[] = await tx
      .select()
      .from(agentActions)
      .where(sql`${agentActions.actionId} in (select jsonb_array_elements_text(${ids}::jsonb))`);
    const { upserts, orphans } = foldAgentActions(existing, actionEvents);
    for (const e of orphans)
      log.warn(
        { type: e.type, tenantId: e.tenantId, agentId: e.aggregate.id, actionId: e.data.actionId },
        "outcome of an action never asked",
      );
    await upsertRows(tx, agentActions, upserts, ["action_id"]);
  }
  const suts = events.flatMap((e) => runSutOf(e) ?? []);
  await upsertRows(tx, runSuts, suts, ["tenant_id", "run_id"]);
}
