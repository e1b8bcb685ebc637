import { type WorkerRegistration, workerRegistrationSchema } from "@loadline/core";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Namespace } from "./namespace.ts";
import { resolveReplicas } from "./streams.ts";

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
    if (entry?.operation !== "PUT") continue;
    const parsed = workerRegistrationSchema.safeParse(entry.json());
    if (parsed.success) workers.push(parsed.data);
  }
  return workers;
}
