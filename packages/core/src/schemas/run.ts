import { z } from "zod";
import { targetPolicySchema } from "../access/target-policy.ts";
import { executorSchema } from "../scenario/executors.ts";
import { scenarioSchema } from "../scenario/scenario.ts";
import { thresholdResultSchema, thresholdsShapeSchema, VERDICTS } from "../thresholds/threshold-types.ts";
import { sealedValueSchema } from "./access.ts";
import { requestSpecSchema } from "./load-test.ts";

export const RUN_STATUSES = ["Pending", "Starting", "Running", "Stopping", "Completed", "Failed", "Cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ["Completed", "Failed", "Cancelled"];

/** What a worker needs to generate the load, copied into the run so a later edit of the test cannot change it. */
export const runTargetSchema = z.object({
  targetUrl: z.string().url(),
  /** The simple form (and the only one in runs created before scenarios existed). */
  requests: z.array(requestSpecSchema).min(1).optional(),
  scenarios: z.array(scenarioSchema).min(1).optional(),
  /** The shared workload of the scenarios without an executor; absent: constant VUs from the run's parameters. */
  workload: executorSchema.optional(),
  /** The test's thresholds, or the run's own that replace them: what the run's verdict is judged on. */
  thresholds: thresholdsShapeSchema.optional(),
});
export type RunTarget = z.infer<typeof runTargetSchema>;

export const runParametersSchema = z.object({
  targetUsers: z.number().int().positive().max(1_000_000),
  spawnRate: z.number().positive().max(1_000_000),
  durationSec: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
});
export type RunParameters = z.infer<typeof runParametersSchema>;

/** Labels are `key=value` pairs a worker registers with (region, pool...). */
export const labelsSchema = z.record(
  // biome-ignore lint/complexity/noUselessEscapeInRegex: the escaped slash is in the published JSON schema (docs/events.md)
  z.string().regex(/^[A-Za-z0-9_.\/-]{1,63}$/, "label names are letters, digits, _ . / -"),
  z.string().max(256),
);

/** Where a run may go: how many workers, and the labels they must carry. Absent: the fewest live workers that hold it. */
export const placementSchema = z
  .object({
    workers: z.number().int().positive().max(10_000).optional(),
    selector: labelsSchema.optional(),
  })
  .strict();
export type Placement = z.infer<typeof placementSchema>;

/** One worker's part of a run: some of its lanes, and what they ask of the worker at their peak. */
export const workerShareSchema = z.object({
  workerId: z.string().min(1),
  /** Lane numbers in 0..laneCount-1: this worker runs every VU, arrival and iteration of those lanes. */
  lanes: z.array(z.number().int().nonnegative()).min(1),
  vus: z.number().int().nonnegative(),
  arrivalRate: z.number().nonnegative(),
});
export type WorkerShare = z.infer<typeof workerShareSchema>;

/** `threshold`: a threshold with abortOnFail failed. */
export const stopReasonSchema = z.enum(["requested", "duration", "threshold"]);
export type StopReason = z.infer<typeof stopReasonSchema>;

const workerTotals = z.object({ requests: z.number().int().nonnegative(), failures: z.number().int().nonnegative() });
const workerRef = z.object({ workerId: z.string().min(1) });
const createRun = runParametersSchema.extend({
  loadTestId: z.string().min(1),
  target: runTargetSchema,
  placement: placementSchema.optional(),
  /** Where its load may go (the tenant's policy when it started): workers check every address they connect to against it. */
  targetPolicy: targetPolicySchema.optional(),
  /** Its test's baseline run when it started: what its baseline-relative thresholds compare with. */
  baselineRunId: z.string().optional(),
  /** The secrets its test refers to, sealed as they were when it started: only a worker holding the keyring opens them. */
  secrets: z.record(z.string(), sealedValueSchema).optional(),
});
const stage = z.object({
  workload: z.number().int().nonnegative(),
  stage: z.number().int().nonnegative(),
  target: z.number().nonnegative(),
});

export const runEvents = {
  "run.created": createRun,
  /** One per worker: its lanes of the run. `reassigned` when they were a lost worker's (`replaces`). */
  "run.worker-assigned": workerShareSchema.extend({
    laneCount: z.number().int().positive(),
    reason: z.enum(["plan", "reassigned"]),
    replaces: z.string().min(1).optional(),
  }),
  /** The worker has its threads up and its connections warm: it can start at once. */
  "run.worker-ready": workerRef,
  /** Every worker was ready: they all start at `startedAt`, the agreed instant (a moment after this event). */
  "run.started": z.object({ startedAt: z.string() }),
  /** A ramping executor entered a stage (informative: workers time their stages themselves from `startedAt`). */
  "run.stage-started": stage.extend({ at: z.string() }),
  /** The worker's heartbeat lapsed: its lanes stop counting from `lastSeenAt` until they are reassigned. */
  "run.worker-lost": workerRef.extend({ lastSeenAt: z.string(), lostAt: z.string(), lanes: z.array(z.number().int().nonnegative()) }),
  "run.stopping": z.object({ reason: stopReasonSchema }),
  "run.worker-stopped": workerTotals.extend({ workerId: z.string().min(1) }),
  /**
   * Every worker left confirmed the stop (or did its fixed work). A run that started says how much
   * of its planned load ran: absent in events recorded before it did, and for a run stopped
   * before it started.
   */
  "run.completed": z.object({
    finishedAt: z.string(),
    coverage: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "the share of the planned lane-time (lanes × the run's duration, from startedAt to its due end or the stop) that a live worker held",
      ),
    degraded: z.boolean().optional().describe("some of the planned load was not run: lanes lost and not taken over, or taken over late"),
    reason: z.string().optional().describe("when degraded: which lanes were not run, for how long, and why"),
  }),
  "run.failed": z.object({ reason: z.string(), finishedAt: z.string() }),
  /** A threshold failed while the run ran (once per threshold): evaluated centrally on the exact merged windows. */
  "run.threshold-crossed": thresholdResultSchema.extend({ second: z.number().int().nonnegative() }),
  /** The run's verdict once every window of it was counted: passed when every threshold held; each threshold's observed value. */
  "run.verdict-recorded": z.object({ verdict: z.enum(VERDICTS), results: z.array(thresholdResultSchema) }),
  "run.cancelled": z.object({ reason: z.string(), finishedAt: z.string() }),
} as const;

export const runCommands = {
  /** What the API and schedules send: a run of a load test; the orchestrator compiles it into `run.create`. */
  "run.start": z.object({
    loadTestId: z.string().min(1),
    overrides: runParametersSchema.partial().extend({ thresholds: thresholdsShapeSchema.optional() }).strict(),
    placement: placementSchema.optional(),
  }),
  "run.create": createRun,
  "run.assign": z.object({ laneCount: z.number().int().positive(), assignments: z.array(workerShareSchema).min(1) }),
  "run.report-worker-ready": workerRef,
  /** A worker of the run was lost: its lanes go to `assignments`; those nobody had room for stay unheld. */
  "run.reassign": z.object({ lostWorkerId: z.string().min(1), lastSeenAt: z.string(), assignments: z.array(workerShareSchema) }),
  /** Lanes no worker holds (a lost worker's, when nobody had room) go to workers that can take them now: one that joined, say. */
  "run.reassign-unheld": z.object({
    assignments: z.array(workerShareSchema.extend({ replaces: z.string().min(1) })).min(1),
  }),
  "run.record-stage": stage,
  "run.stop": z.object({ reason: stopReasonSchema }),
  "run.report-worker-stopped": workerTotals.extend({ workerId: z.string().min(1) }),
  "run.fail": z.object({ reason: z.string().min(1) }),
  "run.record-threshold-crossed": thresholdResultSchema.extend({ second: z.number().int().nonnegative() }),
  "run.record-verdict": z.object({ verdict: z.enum(VERDICTS), results: z.array(thresholdResultSchema) }),
  /** A worker cannot run its part (its plan does not compile, a secret does not open): the run fails, saying which worker and why. */
  "run.report-worker-failed": z.object({ workerId: z.string().min(1), reason: z.string().min(1).max(2_000) }),
} as const;
