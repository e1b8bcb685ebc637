import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import type { Namespace } from "./namespace.ts";
import { resolveReplicas } from "./streams.ts";
import { labelsSchema } from "./schemas/run.ts";

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

export type WorkerBucket = KV;

/** The KV bucket of worker registrations (a plain JetStream stream underneath: works on 2.9). */
export async function openWorkerBucket(nc: NatsConnection, ns: Namespace, replicas = resolveReplicas(nc, "auto")): Promise<KV> {
  const kvm = new Kvm(nc);
  // Entries outlive a dead worker only briefly: liveness itself is judged on heartbeats.
  return kvm.create(ns.buckets.workers, { history: 1, ttl: 60_000, replicas });
}

export async function listWorkers(kv: KV): Promise<WorkerRegistration[]> {
  const workers: WorkerRegistration[] = [];
  for await (const key of await kv.keys()) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== "PUT") continue;
    const parsed = workerRegistrationSchema.safeParse(entry.json());
    if (parsed.success) workers.push(parsed.data);
  }
  return workers;
}

export const isLive = (w: WorkerRegistration, now = Date.now()): boolean => now - Date.parse(w.heartbeatAt) <= WORKER_LOST_AFTER_MS;

/** True when the worker carries every label of the selector. */
export const matchesSelector = (labels: Record<string, string>, selector: Record<string, string> | undefined): boolean =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
