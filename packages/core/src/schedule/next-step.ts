import type { ScheduleState } from "../deciders/schedule.ts";
import { type RunStatus, TERMINAL_STATUSES } from "../schemas/run.ts";
import { duesBetween, nextFireAfter } from "./cron.ts";

/** A run's status as the caller knows it; undefined for a run it does not know (none was created). */
export type RunLookup = (runId: string) => RunStatus | "None" | undefined;

/** What a schedule needs done now: one step, after which the caller asks again. */
export type ScheduleStep =
  | { type: "idle" }
  | { type: "wait"; until: Date }
  /** The last fire's run does not exist: its orchestrator went away between the fire and the start. */
  | { type: "start"; dueAt: string; runId: string }
  | { type: "fire"; dueAt: string; missed: number; queued: boolean }
  | { type: "skip"; dueAt: string; reason: "missed" | "overlap"; missed: number; liveRunId?: string }
  | { type: "queue"; dueAt: string; liveRunId: string };

export type StepOptions = {
  now: Date;
  /**
   * How late the latest due instant may be fired and still count as on time: a takeover, a busy
   * event loop. Past it, the instant was missed and the schedule's missed-fire policy decides;
   * instants before the latest one are missed whatever their age.
   */
  missedAfterMs: number;
  runStatus: RunLookup;
};

const IDLE: ScheduleStep = { type: "idle" };

/**
 * The next step of a schedule, from its state, the clock and its runs' statuses: pure, so the
 * process manager that acts on it (the orchestrator's Scheduler) keeps no state of its own.
 */
export function nextScheduleStep(state: ScheduleState, o: StepOptions): ScheduleStep {
  if (state.status !== "active") return IDLE;
  const status = (runId: string) => o.runStatus(runId);
  const exists = (runId: string) => (status(runId) ?? "None") !== "None";
  const live = (runId: string) => exists(runId) && !TERMINAL_STATUSES.includes(status(runId) as RunStatus);

  const last = state.lastFire;
  if (last && state.refused?.runId !== last.runId && !exists(last.runId)) return { type: "start", dueAt: last.dueAt, runId: last.runId };
  const d = state.definition;
  if (!d.enabled) return IDLE;
  if (state.queued && !live(state.queued.liveRunId)) return { type: "fire", dueAt: state.queued.dueAt, missed: 0, queued: true };

  const since = Date.parse(state.since);
  const from = new Date(state.lastDueAt === undefined ? since : Math.max(since, Date.parse(state.lastDueAt)));
  const dues = duesBetween(d, from, o.now);
  if (!dues) {
    const next = nextFireAfter(d, from > o.now ? from : o.now);
    return next ? { type: "wait", until: next } : IDLE;
  }

  const { count, latest, beforeLatest } = dues;
  const late = o.now.getTime() - latest.getTime() > o.missedAfterMs;
  if ((late || count > 1) && d.missedFire === "skip") {
    // The latest is on time: skip those before it, and fire it at the next step.
    if (!late && beforeLatest) return { type: "skip", dueAt: beforeLatest.toISOString(), reason: "missed", missed: count - 1 };
    return { type: "skip", dueAt: latest.toISOString(), reason: "missed", missed: count };
  }
  const dueAt = latest.toISOString();
  const previous = last?.runId;
  if (d.overlap !== "allow" && previous !== undefined && live(previous)) {
    if (d.overlap === "queue" && !state.queued) return { type: "queue", dueAt, liveRunId: previous };
    return { type: "skip", dueAt, reason: "overlap", missed: count, liveRunId: previous };
  }
  return { type: "fire", dueAt, missed: count - 1, queued: false };
}
