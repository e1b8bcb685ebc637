import { flattenTelemetry } from "@loadline/core";
import { subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { sql } from "drizzle-orm";
import { type AgentMessage, evolveAgent, isAgentMessage, seenAtOf } from "./agent-rows.ts";
import type { Tx } from "./database.ts";
import type { ProjectedEvent, Projection } from "./projection.ts";
import { type AgentRow, agents, projectionDeadLetters } from "./schema.ts";
import { upsertRows } from "./sql-helpers.ts";
import { storableText } from "./storable.ts";
import { SutRunCache } from "./sut-runs.ts";
import { mergeSutSeconds, type SutSecond, sutSecondsOf } from "./sut-series.ts";

export const AGENT_PROJECTION = "agent";

/**
 * Why a message on LL_AGENT is not one to apply, or null when it is. The subject is what NATS
 * permissions vouch for (an agent may publish only on its own `<ns>.agt.<tenant>.<agentId>.*`),
 * so an envelope naming another tenant or agent than its subject is refused: no agent writes
 * into another tenant's runs.
 */
export function misfitOf(p: ProjectedEvent): string | null {
  const { event } = p;
  if (!isAgentMessage(event)) return `${event.type} does not belong on the agent stream`;
  if (event.aggregate.type !== "agent") return `aggregate ${event.aggregate.type} is not an agent`;
  if (p.subject !== undefined) {
    const [, kind, tenant, agentId, last] = p.subject.split(".");
    const expected = event.type === "agent.registered" ? "registered" : "telemetry";
    if (kind !== "agt" || tenant !== event.tenantId || agentId !== event.aggregate.id || last !== expected)
      return `subject ${p.subject} does not name the envelope's tenant ${event.tenantId}, agent ${event.aggregate.id} and kind ${expected}`;
  }
  if (!Number.isFinite(seenAtOf(event))) return "neither its time nor its telemetry's at is an instant";
  return null;
}

/**
 * LL_AGENT into the read model: `agents` (each agent's registration, labels and latest
 * telemetry) and `run_sut_seconds` (a SUT agent's telemetry per second of each run whose SUT
 * selector its labels match, while the run ran). Messages that are not an agent's own (see
 * misfitOf) are dead-lettered, like what cannot be decoded.
 */
export function agentProjection(log: Logger, runs = new SutRunCache()): Projection {
  return {
    name: AGENT_PROJECTION,
    source: (ns) => ({ stream: ns.streams.agent, filterSubject: subjects.allAgent(ns) }),
    // Telemetry is every second's, the next one follows: what the per-subject limit dropped is not waited for.
    holesInside: true,
    async apply(tx: Tx, batch: readonly ProjectedEvent[]) {
      const messages: AgentMessage[] = [];
      const refused: (typeof projectionDeadLetters.$inferInsert)[] = [];
      for (const p of batch) {
        const reason = misfitOf(p);
        if (reason === null) messages.push(p.event as AgentMessage);
        else {
          log.warn({ seq: p.seq, subject: p.subject, reason }, "dead-lettering an agent message");
          refused.push({
            projection: AGENT_PROJECTION,
            seq: p.seq,
            subject: p.subject ?? "",
            reason: storableText(reason),
            payload: JSON.stringify(p.event),
          });
        }
      }
      if (refused.length > 0) await tx.insert(projectionDeadLetters).values(refused).onConflictDoNothing();
      if (messages.length === 0) return;
      await upsertAgents(tx, messages);
      await writeSutSeconds(tx, messages, runs);
    },
  };
}

/** The batch's agents read once, folded in stream order, written once. */
async function upsertAgents(tx: Tx, messages: readonly AgentMessage[]): Promise<void> {
  const keys = new Map(messages.map((m) => [`${m.tenantId}\u0000${m.aggregate.id}`, { t: m.tenantId, a: m.aggregate.id }]));
  const existing: AgentRow[] = await tx
    .select()
    .from(agents)
    .where(
      sql`(${agents.tenantId}, ${agents.agentId}) in (select t, a from jsonb_to_recordset(${JSON.stringify([...keys.values()])}::jsonb) as k(t text, a text))`,
    );
  const rows = new Map(existing.map((r) => [`${r.tenantId}\u0000${r.agentId}`, r]));
  for (const m of messages) {
    const key = `${m.tenantId}\u0000${m.aggregate.id}`;
    rows.set(key, evolveAgent(rows.get(key) ?? null, m));
  }
  await upsertRows(
    tx,
    agents,
    [...keys.keys()].map((k) => rows.get(k)!),
    ["tenant_id", "agent_id"],
  );
}

/** The batch's telemetry that falls in a SUT run's span, per second of the run, merged into what the second already holds. */
async function writeSutSeconds(tx: Tx, messages: readonly AgentMessage[], cache: SutRunCache): Promise<void> {
  const telemetry = messages.filter((m) => m.type === "agent.telemetry");
  if (telemetry.length === 0) return;
  const earliest = new Map<string, number>();
  for (const m of telemetry) earliest.set(m.tenantId, Math.min(earliest.get(m.tenantId) ?? Number.POSITIVE_INFINITY, seenAtOf(m)));
  const runs = await cache.runsOf(tx, earliest);
  if (runs.length === 0) return;
  const seconds: SutSecond[] = [];
  for (const m of telemetry) {
    const matched = sutSecondsOf(runs, m.tenantId, m.aggregate.id, m.data.labels, seenAtOf(m), {});
    if (matched.length === 0) continue;
    const values = flattenTelemetry(m.data);
    for (const s of matched) seconds.push({ ...s, values });
  }
  const merged = mergeSutSeconds(seconds);
  if (merged.length === 0) return;
  const payload = JSON.stringify(merged.map((s) => ({ t: s.tenantId, r: s.runId, a: s.agentId, s: s.second, v: s.values })));
  await tx.execute(sql`
    insert into run_sut_seconds (tenant_id, run_id, agent_id, second, values)
    select t, r, a, s, v from jsonb_to_recordset(${payload}::jsonb) as x(t text, r text, a text, s integer, v jsonb)
    on conflict (run_id, agent_id, second) do update set values = run_sut_seconds.values || excluded.values`);
}
