import { z } from "zod";
import { requestSpecSchema } from "./load-test.ts";
import { executorSchema } from "../scenario/executors.ts";
import { scenarioSchema } from "../scenario/scenario.ts";

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
});
export type RunTarget = z.infer<typeof runTargetSchema>;

export const runParametersSchema = z.object({
  targetUsers: z.number().int().positive().max(1_000_000),
  spawnRate: z.number().positive().max(1_000_000),
  durationSec: z.number().int().positive().max(7 * 24 * 3600),
});
export type RunParameters = z.infer<typeof runParametersSchema>;

export const assignmentSchema = z.object({
  workerId: z.string().min(1),
  users: z.number().int().nonnegative(),
  spawnRate: z.number().positive(),
  /** This worker's part of every workload (VUs, rates, iterations); 1 when it runs the whole run. */
  fraction: z.number().positive().max(1).default(1),
});
export type Assignment = z.infer<typeof assignmentSchema>;

export const stopReasonSchema = z.enum(["requested", "duration"]);
export type StopReason = z.infer<typeof stopReasonSchema>;

const workerTotals = z.object({ requests: z.number().int().nonnegative(), failures: z.number().int().nonnegative() });

export const runEvents = {
  "run.created": runParametersSchema.extend({ loadTestId: z.string().min(1), target: runTargetSchema }),
  "run.assigned": z.object({ assignments: z.array(assignmentSchema).min(1) }),
  "run.worker-started": z.object({ workerId: z.string().min(1) }),
  "run.started": z.object({ startedAt: z.string() }),
  "run.stopping": z.object({ reason: stopReasonSchema }),
  "run.worker-stopped": workerTotals.extend({ workerId: z.string().min(1) }),
  "run.completed": z.object({ finishedAt: z.string() }),
  "run.failed": z.object({ reason: z.string(), finishedAt: z.string() }),
  "run.cancelled": z.object({ reason: z.string(), finishedAt: z.string() }),
} as const;

export const runCommands = {
  "run.create": runParametersSchema.extend({ loadTestId: z.string().min(1), target: runTargetSchema }),
  "run.assign": z.object({ assignments: z.array(assignmentSchema).min(1) }),
  "run.report-worker-started": z.object({ workerId: z.string().min(1) }),
  "run.stop": z.object({ reason: stopReasonSchema }),
  "run.report-worker-stopped": workerTotals.extend({ workerId: z.string().min(1) }),
  "run.fail": z.object({ reason: z.string().min(1) }),
} as const;
