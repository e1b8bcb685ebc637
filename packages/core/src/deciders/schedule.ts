import { DomainError } from "../errors.ts";
import { isFireTime } from "../schedule/cron.ts";
import { scheduledRunId } from "../schedule/run-id.ts";
import type { ScheduleDefinition } from "../schemas/schedule.ts";
import type { Decider } from "./decider.ts";

export type ScheduleFire = { dueAt: string; runId: string; firedAt: string; missed: number };
export type ScheduleSkip = { dueAt: string; reason: "missed" | "overlap"; missed: number; at: string };

export type ScheduleState =
  | { status: "none"; version: 0 }
  | {
      status: "active" | "deleted";
      version: number;
      definition: ScheduleDefinition;
      /** When the definition took effect (created, last updated): due instants count from here, none before it. */
      since: string;
      /** The latest due instant decided (fired, skipped or queued): every later decision is of a later one. */
      lastDueAt?: string;
      lastFire?: ScheduleFire;
      lastSkip?: ScheduleSkip;
      /** A due instant waiting for the live run `liveRunId` to end (overlap queue): one at most. */
      queued?: { dueAt: string; liveRunId: string };
      /** The last fired run that could not start, and why. */
      refused?: { runId: string; reason: string };
    };

type Existing = Extract<ScheduleState, { status: "active" | "deleted" }>;

type ScheduleCommand =
  | "schedule.create"
  | "schedule.update"
  | "schedule.delete"
  | "schedule.fire"
  | "schedule.skip"
  | "schedule.queue"
  | "schedule.record-run-refused";

const ms = (iso: string): number => Date.parse(iso);
const canonical = (iso: string): string => new Date(iso).toISOString();

function requireActive(state: ScheduleState): asserts state is Existing & { status: "active" } {
  if (state.status !== "active") throw new DomainError("not_found", "schedule not found");
}

function assertVersion(state: Existing, expected: number | undefined): void {
  if (expected !== undefined && expected !== state.version)
    throw new DomainError("precondition_failed", `version is ${state.version}, not ${expected}`, "If-Match");
}

/** An empty placement is none: the event records none. */
function normalised(d: ScheduleDefinition): ScheduleDefinition {
  const { placement, ...rest } = d;
  return placement && Object.keys(placement).length > 0 ? { ...rest, placement } : rest;
}

/** Already decided: at or before the latest due instant decided. A decision is never taken twice. */
const decided = (state: Existing, dueAt: string): boolean => state.lastDueAt !== undefined && ms(dueAt) <= ms(state.lastDueAt);

/** A new due instant must be one of the pattern's, and not from before the definition it is due by. */
function assertDue(state: Existing, dueAt: string): void {
  if (ms(dueAt) <= ms(state.since))
    throw new DomainError("conflict", `${dueAt} is not after the schedule's current definition (${state.since})`, "dueAt");
  if (!isFireTime(state.definition, new Date(dueAt)))
    throw new DomainError("invalid", `${dueAt} is not a fire time of ${state.definition.cron} in ${state.definition.timezone}`, "dueAt");
}

function requireEnabled(state: Existing): void {
  if (!state.definition.enabled) throw new DomainError("conflict", "the schedule is disabled", "enabled");
}

/**
 * A schedule of runs of a load test. Each due instant is decided once (fired, skipped or
 * queued) and in order: a decision about an instant at or before the last one decided is a
 * no-op, so a fire sent again by another orchestrator (a takeover, a retry) adds nothing. The
 * fired run's id is derived from the schedule and the instant, so starting it twice is refused by
 * the run itself. When to decide, and which decision, is the scheduler's (nextScheduleStep).
 */
export const scheduleDecider: Decider<ScheduleState, ScheduleCommand> = {
  commands: [
    "schedule.create",
    "schedule.update",
    "schedule.delete",
    "schedule.fire",
    "schedule.skip",
    "schedule.queue",
    "schedule.record-run-refused",
  ],
  initialState: { status: "none", version: 0 },

  decide(state, command) {
    switch (command.type) {
      case "schedule.create":
        if (state.status !== "none") throw new DomainError("conflict", "schedule already exists", "id");
        return [{ type: "schedule.created", data: normalised(command.data) }];
      case "schedule.update": {
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        const definition = normalised({ ...state.definition, ...command.data.changes });
        return JSON.stringify(definition) === JSON.stringify(state.definition) ? [] : [{ type: "schedule.updated", data: definition }];
      }
      case "schedule.delete":
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        return [{ type: "schedule.deleted", data: {} }];
      case "schedule.fire": {
        requireActive(state);
        const dueAt = canonical(command.data.dueAt);
        const runId = scheduledRunId(command.aggregate.id, dueAt);
        if (command.data.queued) {
          // The queued instant, once: fired already (or dropped by an update), it is nothing to do.
          if (!state.queued || ms(state.queued.dueAt) !== ms(dueAt)) return [];
          return [{ type: "schedule.fired", data: { dueAt, runId, missed: command.data.missed, queued: true } }];
        }
        requireEnabled(state);
        if (decided(state, dueAt)) return [];
        assertDue(state, dueAt);
        return [{ type: "schedule.fired", data: { dueAt, runId, missed: command.data.missed, queued: false } }];
      }
      case "schedule.skip": {
        requireActive(state);
        const dueAt = canonical(command.data.dueAt);
        if (decided(state, dueAt)) return [];
        assertDue(state, dueAt);
        return [{ type: "schedule.skipped", data: { ...command.data, dueAt } }];
      }
      case "schedule.queue": {
        requireActive(state);
        requireEnabled(state);
        const dueAt = canonical(command.data.dueAt);
        if (decided(state, dueAt)) return [];
        if (state.queued) throw new DomainError("conflict", `a fire is queued already (due ${state.queued.dueAt})`, "queued");
        assertDue(state, dueAt);
        return [{ type: "schedule.queued", data: { dueAt, liveRunId: command.data.liveRunId } }];
      }
      case "schedule.record-run-refused": {
        if (state.status === "none") throw new DomainError("not_found", "schedule not found");
        if (state.refused?.runId === command.data.runId) return [];
        if (state.lastFire?.runId !== command.data.runId)
          throw new DomainError("conflict", `run ${command.data.runId} is not the schedule's last fired run`, "runId");
        return [{ type: "schedule.run-refused", data: { ...command.data, dueAt: canonical(command.data.dueAt) } }];
      }
    }
  },

  evolve(state, event) {
    if (event.type === "schedule.created")
      return { status: "active", version: state.version + 1, definition: event.data, since: event.time };
    if (state.status === "none" || !event.type.startsWith("schedule.")) return state;
    const next = { ...state, version: state.version + 1 };
    switch (event.type) {
      case "schedule.updated": {
        const { queued: _dropped, ...rest } = next;
        // Due instants count afresh from a new pattern or zone, or from being enabled again; a change of
        // the runs' overrides or the policies leaves them be (an instant due as it lands still fires).
        const before = state.definition;
        const d = event.data;
        const retimed = d.cron !== before.cron || d.timezone !== before.timezone || (d.enabled && !before.enabled);
        return { ...rest, definition: d, since: retimed ? event.time : state.since };
      }
      case "schedule.deleted":
        return { ...next, status: "deleted" };
      case "schedule.fired": {
        const { dueAt, runId, missed } = event.data;
        const { queued, refused: _, ...rest } = next;
        const stillQueued = queued && ms(queued.dueAt) !== ms(dueAt) ? { queued } : {};
        return {
          ...rest,
          ...stillQueued,
          lastDueAt: later(state.lastDueAt, dueAt),
          lastFire: { dueAt, runId, missed, firedAt: event.time },
        };
      }
      case "schedule.skipped": {
        const { dueAt, reason, missed } = event.data;
        return { ...next, lastDueAt: later(state.lastDueAt, dueAt), lastSkip: { dueAt, reason, missed, at: event.time } };
      }
      case "schedule.queued":
        return { ...next, lastDueAt: later(state.lastDueAt, event.data.dueAt), queued: event.data };
      case "schedule.run-refused":
        return { ...next, refused: { runId: event.data.runId, reason: event.data.reason } };
      default:
        return state;
    }
  },
};

const later = (a: string | undefined, b: string): string => (a === undefined || ms(b) > ms(a) ? b : a);
