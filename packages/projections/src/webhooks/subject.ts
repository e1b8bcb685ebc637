import type { EventEnvelope } from "@loadline/core";
import { and, eq } from "drizzle-orm";
import type { Db } from "../database.ts";
import type { PgReadModel } from "../read-model.ts";
import { agentActions } from "../schema.ts";
import type { EventSubject } from "./matching.ts";
import type { RunSummary } from "./payload.ts";

/** The run an event is about: a run's own, or the run whose timeline fired an agent action (when it did). */
async function runIdOf(db: Db, event: EventEnvelope): Promise<string | null> {
  if (event.aggregate.type === "run") return event.aggregate.id;
  if (event.type !== "agent.action-completed" && event.type !== "agent.action-failed") return null;
  const [row] = await db
    .select({ runId: agentActions.runId })
    .from(agentActions)
    .where(and(eq(agentActions.tenantId, event.tenantId), eq(agentActions.actionId, event.data.actionId)));
  return row?.runId ?? null;
}

const ENDED = new Set(["run.completed", "run.failed", "run.cancelled", "run.verdict-recorded"]);

/**
 * What filters and Slack messages read of an event's run, from the read model (the events
 * projection has applied the event when this is asked): its test and tags, name, status and
 * verdict; for an ended run, its whole-run p95 and error rate.
 */
export async function subjectOf(
  db: Db,
  readModel: PgReadModel,
  event: EventEnvelope,
): Promise<{ subject: EventSubject; run: RunSummary | null }> {
  const runId = await runIdOf(db, event);
  const run = runId ? await readModel.run(event.tenantId, runId) : null;
  if (!runId || !run) return { subject: { runId, loadTestId: null, tags: [] }, run: null };
  const test = await readModel.loadTest(event.tenantId, run.loadTestId);
  const whole = ENDED.has(event.type) ? (await readModel.rollupSummaries(event.tenantId, runId, { series: "all" }))[0] : undefined;
  const requests = whole?.requests ?? 0;
  return {
    subject: { runId, loadTestId: run.loadTestId, tags: test?.tags ?? [] },
    run: {
      name: run.name ?? test?.name ?? null,
      status: run.status,
      verdict: run.verdict,
      p95Ms: whole?.latency?.p95 ?? null,
      errorRate: requests > 0 ? (whole?.failures ?? 0) / requests : null,
    },
  };
}
