import { z } from "zod";
import { cronIssue, timezoneIssue } from "../schedule/cron.ts";
import { type Placement, placementSchema, runCommands } from "./run.ts";

/** What a schedule does with due instants that passed while no orchestrator fired them: nothing, or one run for them all. */
export const MISSED_FIRE_POLICIES = ["skip", "run-once"] as const;
export type MissedFirePolicy = (typeof MISSED_FIRE_POLICIES)[number];

/** What a due instant does while the schedule's previous run is still live: nothing, wait for it (one at most), or run beside it. */
export const OVERLAP_POLICIES = ["skip", "queue", "allow"] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** A run's overrides exactly as run.start takes them: what each fire sends. */
const runOverridesSchema = runCommands["run.start"].shape.overrides;
export type ScheduleRunOverrides = z.infer<typeof runOverridesSchema>;

const instant = z.iso.datetime({ offset: true });

/** A schedule as its events record it: the loose form, which must go on reading what older rules let in. */
export const scheduleDefinitionSchema = z.object({
  loadTestId: z.string().min(1),
  cron: z.string().min(1),
  timezone: z.string().min(1),
  overrides: runOverridesSchema,
  placement: placementSchema.optional(),
  enabled: z.boolean(),
  missedFire: z.enum(MISSED_FIRE_POLICIES),
  overlap: z.enum(OVERLAP_POLICIES),
});
export type ScheduleDefinition = z.infer<typeof scheduleDefinitionSchema>;

/** A cron pattern croner reads and that fires at all: 5 fields, 6 with seconds first, or a nickname (`@daily`). */
export const cronSchema = z
  .string()
  .max(200)
  .superRefine((cron, ctx) => {
    const issue = cronIssue(cron);
    if (issue) ctx.addIssue({ code: "custom", message: issue });
  });

export const timezoneSchema = z
  .string()
  .min(1)
  .max(100)
  .superRefine((timezone, ctx) => {
    const issue = timezoneIssue(timezone);
    if (issue) ctx.addIssue({ code: "custom", message: issue });
  });

/** A schedule as a write must give it: the pattern and the zone checked. */
const scheduleInputSchema = scheduleDefinitionSchema.extend({ cron: cronSchema, timezone: timezoneSchema }).strict();

const dueAt = { dueAt: instant };
const skipReason = z.enum(["missed", "overlap"]);

export const scheduleEvents = {
  "schedule.created": scheduleDefinitionSchema,
  /** The whole definition after the change; a queued fire is dropped, and a new pattern or zone (or enabling) counts instants from it. */
  "schedule.updated": scheduleDefinitionSchema,
  "schedule.deleted": z.object({}),
  /** A due instant fired its run, whose id is derived from the schedule and the instant (never twice: see docs/architecture.md). */
  "schedule.fired": z.object({
    ...dueAt,
    runId: z.string().min(1),
    missed: z.number().int().nonnegative().describe("due instants before this one that passed unfired and that this run stands for"),
    queued: z.boolean().describe("fired from the queue, once the previous run ended"),
  }),
  /** Due instants that got no run: missed (missed-fire policy skip), or the previous run was live (overlap skip, or the queue held one). */
  "schedule.skipped": z.object({
    ...dueAt,
    reason: skipReason,
    missed: z.number().int().positive().describe("how many due instants up to dueAt this skips (counted up to 1,000)"),
    liveRunId: z.string().min(1).optional(),
  }),
  /** The previous run was live: this due instant fires once it ends (overlap queue). */
  "schedule.queued": z.object({ ...dueAt, liveRunId: z.string().min(1) }),
  /** The fired run could not start (the test was deleted, a quota, the allow-list): why. */
  "schedule.run-refused": z.object({ ...dueAt, runId: z.string().min(1), reason: z.string().min(1).max(2_000) }),
} as const;

export const scheduleCommands = {
  "schedule.create": scheduleInputSchema,
  /** Changes of a schedule: each field given replaces its own (`overrides` and `placement` whole). */
  "schedule.update": z
    .object({
      changes: scheduleInputSchema.omit({ loadTestId: true }).partial().strict(),
      expectedVersion: z.number().int().nonnegative().optional(),
    })
    .strict(),
  "schedule.delete": z.object({ expectedVersion: z.number().int().nonnegative().optional() }).strict(),
  // The orchestrator's own, never taken from the bus (command-origins.ts):
  "schedule.fire": z.object({ ...dueAt, missed: z.number().int().nonnegative(), queued: z.boolean() }),
  "schedule.skip": z.object({
    ...dueAt,
    reason: skipReason,
    missed: z.number().int().positive(),
    liveRunId: z.string().min(1).optional(),
  }),
  "schedule.queue": z.object({ ...dueAt, liveRunId: z.string().min(1) }),
  "schedule.record-run-refused": z.object({ ...dueAt, runId: z.string().min(1), reason: z.string().min(1).max(2_000) }),
} as const;

/** A schedule's overrides as the API shows and takes them: a run's (POST /v1/load-tests/{id}/runs), placement as `workers` and `workerSelector`. */
export type ScheduleOverrides = ScheduleRunOverrides & { workers?: number; workerSelector?: Record<string, string> };

export function scheduleOverridesOf(overrides: ScheduleRunOverrides, placement: Placement | null | undefined): ScheduleOverrides {
  return {
    ...overrides,
    ...(placement?.workers !== undefined ? { workers: placement.workers } : {}),
    ...(placement?.selector !== undefined ? { workerSelector: placement.selector } : {}),
  };
}

/** The API's overrides as a fire sends them: run.start's overrides, and the placement (empty when none is asked for). */
export function runOverridesOf(o: ScheduleOverrides): { overrides: ScheduleRunOverrides; placement: Placement } {
  const { workers, workerSelector, ...overrides } = o;
  return {
    overrides,
    placement: { ...(workers !== undefined ? { workers } : {}), ...(workerSelector !== undefined ? { selector: workerSelector } : {}) },
  };
}
