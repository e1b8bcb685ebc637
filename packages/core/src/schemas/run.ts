import { z } from "zod";
import { targetPolicySchema } from "../access/target-policy.ts";
import { runEnvSchema } from "../scenario/env.ts";
import { executorSchema } from "../scenario/executors.ts";
import { httpOptionsSchema } from "../scenario/http-options.ts";
import { engineSchema, locustfileSchema } from "../scenario/locust.ts";
import { scenarioSchema } from "../scenario/scenario.ts";
import { phaseRequestSchema, runPhaseSchema } from "../scenario/setup.ts";
import { thresholdResultSchema, thresholdsShapeSchema, VERDICTS } from "../thresholds/threshold-types.ts";
import { sealedValueSchema } from "./access.ts";
import { requestSpecSchema } from "./load-test.ts";
import { envIdSchema, labelsSchema, metadataSchema, runNameSchema } from "./scope.ts";
import { sutSchema, timelineSchema } from "./sut.ts";

/** docs/lifecycle.md draws the machine; the run decider's tests refuse every transition it does not draw. */
export const RUN_STATUSES = [
  "Queued",
  "Pending",
  "Starting",
  "Running",
  "Stopping",
  "Analyzing",
  "Completed",
  "Failed",
  "Cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ["Completed", "Failed", "Cancelled"];

/** What a worker needs to generate the load, copied into the run so a later edit of the test cannot change it. */
export const runTargetSchema = z.object({
  targetUrl: z.string().url(),
  /** The simple form (and the only one in runs created before scenarios existed). */
  requests: z.array(requestSpecSchema).min(1).optional(),
  scenarios: z.array(scenarioSchema).min(1).optional(),
  /** A locust test's: its locustfile, that Locust runs on the workers (docs/locust.md). */
  engine: engineSchema.optional(),
  locustfile: locustfileSchema.optional(),
  /** The shared workload of the scenarios without an executor; absent: constant VUs from the run's parameters. */
  workload: executorSchema.optional(),
  /** The test's HTTP version and TLS options: a transport option of every request (steps may override them). */
  http: httpOptionsSchema.optional(),
  /** The test's thresholds, or the run's own that replace them: what the run's verdict is judged on. */
  thresholds: thresholdsShapeSchema.optional(),
  /** Steps run once before the load, their extractions shared with every VU (setup.ts). */
  setup: runPhaseSchema.optional(),
  /** Steps run once after the load. */
  teardown: runPhaseSchema.optional(),
  /** The system under test: the agents whose telemetry is kept with the run. */
  sut: sutSchema.optional(),
  /** Agent actions fired on the run's clock. */
  timeline: timelineSchema.optional(),
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

export { labelsSchema } from "./scope.ts";

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
  /** The worker's load-generating threads (its registration's capacity.threads): what its share costs in compute. Absent in runs planned before. */
  vcpus: z.number().int().positive().optional(),
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
  /** The values its test's env placeholders (`${NAME}`) were filled with, as run.start gave them: in clear, never secrets. */
  env: runEnvSchema.optional(),
  /** Its own name, environment (its test's when not given) and client JSON, as run.start gave them (seed 001's fields). */
  name: runNameSchema.optional(),
  envId: envIdSchema.optional(),
  metadata: metadataSchema.optional(),
});
/**
 * What a run's load ended with: when, and how much of its planned load ran (absent in events
 * recorded before runs said so, and for a run stopped before it started).
 */
const loadEnded = z.object({
  finishedAt: z.string().describe("when its load ended: the last worker confirmed its stop"),
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
});

/** A live run's new size: its peak VUs (closed executors) or arrivals/s (open ones), as the whole run, all workers together. */
const scaleShape = z
  .object({
    vus: z.number().int().nonnegative().max(10_000_000).optional(),
    rate: z.number().nonnegative().max(100_000_000).optional(),
  })
  .strict();
export const scaleSchema = scaleShape.refine((s) => s.vus !== undefined || s.rate !== undefined, {
  message: "give vus, rate or both",
  path: ["vus"],
});
export type RunScale = z.infer<typeof scaleSchema>;

const stage = z.object({
  workload: z.number().int().nonnegative(),
  stage: z.number().int().nonnegative(),
  target: z.number().nonnegative(),
});

/** The setup's or teardown's requests, as the run's record keeps them: reported apart from the load's metrics. */
const phaseRequests = z.array(phaseRequestSchema).max(50);
const setupReport = z.object({
  workerId: z.string().min(1),
  values: z.record(z.string(), sealedValueSchema).describe("what the setup extracted, by name, each sealed (never in clear)"),
  requests: phaseRequests,
});
/** A worker's stop: its totals, and the teardown's requests when it ran it (the setup's worker). */
const stoppedReport = workerTotals.extend({
  workerId: z.string().min(1),
  teardown: phaseRequests.optional().describe("the teardown's requests, from the worker that ran it after its load"),
});

export const runEvents = {
  "run.created": createRun,
  /** One per worker: its lanes of the run. `reassigned` when they were a lost worker's (`replaces`). */
  "run.worker-assigned": workerShareSchema.extend({
    laneCount: z.number().int().positive(),
    reason: z.enum(["plan", "reassigned"]),
    replaces: z.string().min(1).optional(),
  }),
  /**
   * Workers with their threads up and connections warm: they can start at once. Reports that
   * arrive together are recorded together (the orchestrator's group commit).
   */
  "run.workers-ready": z
    .object({ workerIds: z.array(z.string().min(1)).min(1) })
    .describe("workers of the run ready to start; reports that arrive together are recorded in one event"),
  /** One worker ready: how streams recorded readiness before run.workers-ready. Still read; no longer appended. */
  "run.worker-ready": workerRef.describe("one worker ready, as streams recorded it before run.workers-ready: read, no longer appended"),
  /**
   * The run's setup ran (on the worker holding lane 0, before it reported ready): what it
   * extracted, sealed with the secrets keyring (every scenario reads them as `{{setup.NAME}}`),
   * and its requests. A run with a setup starts only after it.
   */
  "run.setup-completed": setupReport,
  /** Every worker was ready: they all start at `startedAt`, the agreed instant (a moment after this event). */
  "run.started": z.object({ startedAt: z.string() }),
  /** A ramping executor entered a stage (informative: workers time their stages themselves from `startedAt`). */
  "run.stage-started": stage.extend({ at: z.string() }),
  /** The worker's heartbeat lapsed: its lanes stop counting from `lastSeenAt` until they are reassigned. */
  "run.worker-lost": workerRef.extend({ lastSeenAt: z.string(), lostAt: z.string(), lanes: z.array(z.number().int().nonnegative()) }),
  "run.stopping": z.object({
    reason: stopReasonSchema,
    by: z.string().optional().describe("who asked for a requested stop (the actor of run.stop)"),
  }),
  "run.worker-stopped": stoppedReport,
  /**
   * Every worker left confirmed the stop (or did its fixed work). A run that started says how much
   * of its planned load ran: absent in events recorded before it did, and for a run stopped
   * before it started.
   */
  "run.completed": loadEnded,
  "run.failed": z.object({ reason: z.string(), finishedAt: z.string() }),
  /** A threshold failed while the run ran (once per threshold): evaluated centrally on the exact merged windows. */
  "run.threshold-crossed": thresholdResultSchema.extend({ second: z.number().int().nonnegative() }),
  /** The run's verdict once every window of it was counted: passed when every threshold held; each threshold's observed value. */
  "run.verdict-recorded": z.object({ verdict: z.enum(VERDICTS), results: z.array(thresholdResultSchema) }),
  /**
   * A user stopped it before its planned end (`cancelledBy`, and the seconds that ran), or it was
   * stopped while Queued or Pending. After the analysis when load had begun: then with its coverage.
   */
  "run.cancelled": loadEnded.extend({
    reason: z.string(),
    cancelledBy: z.string().optional(),
    ranSec: z.number().nonnegative().optional().describe("seconds of load that ran: 0 when it never started"),
  }),
  /** It waits for room: the tenant's concurrent-run quota, or the fleet's free capacity. Fails at `expiresAt` if still waiting. */
  "run.queued": z.object({ reason: z.string(), expiresAt: z.string() }),
  /** Room freed: it goes on to be planned (Pending). */
  "run.dequeued": z.object({ waitedMs: z.number().nonnegative() }),
  /**
   * Every worker confirmed the stop (or did its fixed work): load is over at `finishedAt`, and the
   * verdict is being judged on the last windows. Completed or Cancelled follows.
   */
  "run.analyzing": loadEnded,
  /** Live control (POST /v1/runs/{id}/pause, /resume, /scale): workers follow within a second. */
  "run.paused": z.object({ at: z.string(), by: z.string() }),
  "run.resumed": z.object({ at: z.string(), by: z.string(), pausedMs: z.number().nonnegative() }),
  "run.scaled": scaleShape.extend({
    at: z.string(),
    by: z.string(),
    vuFactor: z.number().nonnegative().describe("what every closed executor's VU counts are multiplied by from now on (1: as planned)"),
    rateFactor: z.number().nonnegative().describe("what every open executor's arrival rates are multiplied by from now on"),
  }),
} as const;

export const runCommands = {
  /** What the API and schedules send: a run of a load test; the orchestrator compiles it into `run.create`. */
  "run.start": z.object({
    loadTestId: z.string().min(1),
    overrides: runParametersSchema.partial().extend({ thresholds: thresholdsShapeSchema.optional() }).strict(),
    /** The test's shared workload replaced whole (a benchmark's shared-iterations); beside `overrides`, which schedules share. */
    workload: executorSchema.optional(),
    /** What the test's env placeholders are filled with (scenario/env.ts), recorded in run.created. */
    env: runEnvSchema.optional(),
    placement: placementSchema.optional(),
    name: runNameSchema.optional(),
    envId: envIdSchema.optional(),
    metadata: metadataSchema.optional(),
  }),
  /** `queue`: the run waits for room (run.queued follows run.created in the same append). */
  "run.create": createRun.extend({ queue: z.object({ reason: z.string().min(1), expiresAt: z.string() }).optional() }),
  "run.assign": z.object({ laneCount: z.number().int().positive(), assignments: z.array(workerShareSchema).min(1) }),
  "run.report-worker-ready": workerRef,
  /** The orchestrator's own: the ready reports of one run that waited together, decided as one. */
  "run.record-workers-ready": z.object({ workerIds: z.array(z.string().min(1)).min(1) }),
  /** A worker of the run was lost: its lanes go to `assignments`; those nobody had room for stay unheld. */
  "run.reassign": z.object({ lostWorkerId: z.string().min(1), lastSeenAt: z.string(), assignments: z.array(workerShareSchema) }),
  /** Lanes no worker holds (a lost worker's, when nobody had room) go to workers that can take them now: one that joined, say. */
  "run.reassign-unheld": z.object({
    assignments: z.array(workerShareSchema.extend({ replaces: z.string().min(1) })).min(1),
  }),
  "run.record-stage": stage,
  "run.stop": z.object({ reason: stopReasonSchema }),
  /** The tenant had no room (run.start found its concurrent runs at quota) or the fleet none free: wait, until `expiresAt`. */
  "run.queue": z.object({ reason: z.string().min(1), expiresAt: z.string() }),
  "run.dequeue": z.object({}),
  /** The analysis ended without a verdict to record (no thresholds, or none came in time): Completed or Cancelled. */
  "run.conclude": z.object({}),
  "run.pause": z.object({}),
  "run.resume": z.object({}),
  "run.scale": scaleSchema,
  "run.report-worker-stopped": stoppedReport,
  /** The setup's outcome, from the worker that ran it (see run.setup-completed); a failed setup is run.report-worker-failed. */
  "run.report-setup": setupReport,
  "run.fail": z.object({ reason: z.string().min(1) }),
  "run.record-threshold-crossed": thresholdResultSchema.extend({ second: z.number().int().nonnegative() }),
  "run.record-verdict": z.object({ verdict: z.enum(VERDICTS), results: z.array(thresholdResultSchema) }),
  /** A worker cannot run its part (its plan does not compile, a secret does not open): the run fails, saying which worker and why. */
  "run.report-worker-failed": z.object({ workerId: z.string().min(1), reason: z.string().min(1).max(2_000) }),
} as const;
