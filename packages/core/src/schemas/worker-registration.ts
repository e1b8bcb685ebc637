import { z } from "zod";
import { labelsSchema } from "./run.ts";

/** A run a worker has a share of right now. */
export const workerAssignmentSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  lanes: z.array(z.number().int().nonnegative()),
  laneCount: z.number().int().positive(),
  vus: z.number().int().nonnegative(),
  arrivalRate: z.number().nonnegative(),
});
export type WorkerAssignment = z.infer<typeof workerAssignmentSchema>;

/** What a worker says of itself, every heartbeat, under its id in the workers bucket. */
export const workerRegistrationSchema = z.object({
  workerId: z.string().min(1),
  version: z.string(),
  capacity: z.object({
    threads: z.number().int().positive(),
    maxVUs: z.number().int().positive(),
    /** Iterations a second it can start in open workloads. */
    maxArrivalRate: z.number().positive(),
  }),
  labels: labelsSchema.default({}),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  /** "draining": shutting down, takes no new run. */
  status: z.enum(["active", "draining"]).default("active"),
  assignments: z.array(workerAssignmentSchema).default([]),
});
export type WorkerRegistration = z.infer<typeof workerRegistrationSchema>;

export const HEARTBEAT_INTERVAL_MS = 1000;
/** A worker whose heartbeat is older than this is lost. */
export const WORKER_LOST_AFTER_MS = 3000;

export const isLive = (w: WorkerRegistration, now = Date.now()): boolean => now - Date.parse(w.heartbeatAt) <= WORKER_LOST_AFTER_MS;

/** True when the worker carries every label of the selector. */
export const matchesSelector = (labels: Record<string, string>, selector: Record<string, string> | undefined): boolean =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
