import { HEARTBEAT_INTERVAL_MS, type WorkerRegistration, workerRegistrationSchema } from "@loadline/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Namespace, subjects } from "./namespace.ts";
import { resolveReplicas } from "./streams.ts";

/** The workers bucket, and a listing of its keys that always ends (see `keys`). */
export type WorkerBucket = KV & { readonly keyList: () => Promise<string[]> };

/** The KV bucket of worker registrations (a plain JetStream stream underneath: works on 2.9). */
export async function openWorkerBucket(nc: NatsConnection, ns: Namespace, replicas = resolveReplicas(nc, "auto")): Promise<WorkerBucket> {
  const kvm = new Kvm(nc);
  // Entries outlive a dead worker only briefly: liveness itself is judged on heartbeats.
  const kv = await kvm.create(ns.buckets.workers, { history: 1, ttl: 60_000, replicas });
  const jsm = await jetstreamManager(nc);
  const stream = `KV_${ns.buckets.workers}`;
  const prefix = `$KV.${ns.buckets.workers}.`;
  return Object.assign(kv, {
    // The stream's subjects, in one request: `kv.keys()` is a live consumer that runs until
    // nothing is pending, so a key put again meanwhile (every worker heartbeats each second)
    // comes out twice, and under concurrent listings it was seen never to end at all.
    keyList: async () => {
      const info = await jsm.streams.info(stream, { subjects_filter: ">" });
      return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
    },
  });
}

/** The bucket's registrations, one entry per worker. */
export async function registrationEntries(kv: WorkerBucket): Promise<KvEntry[]> {
  const keys = await kv.keyList();
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  // A worker that left while we listed is gone: its key reads as deleted, or not at all.
  return entries.filter((e): e is KvEntry => e?.operation === "PUT");
}

export async function listWorkers(kv: WorkerBucket): Promise<WorkerRegistration[]> {
  return (await registrationEntries(kv)).flatMap((e) => {
    const parsed = workerRegistrationSchema.safeParse(e.json());
    return parsed.success ? [parsed.data] : [];
  });
}

export type WorkerHeartbeatOptions = {
  nc: NatsConnection;
  ns: Namespace;
  kv: KV;
  workerId: string;
  /** The registration as it is now: sent with every beat. */
  registration: () => WorkerRegistration;
  /** Default HEARTBEAT_INTERVAL_MS. */
  intervalMs?: number;
  /** A bucket write that failed (the next beat tries again). */
  onError?: (err: unknown) => void;
};

/**
 * How a worker says it is alive, each beat twice: on core NATS (what liveness is judged on: it
 * flows as soon as the connection is up, whatever a stream's leader is doing) and into the
 * bucket (what listings read, and where a new worker is first seen). Here rather than in the
 * worker, so that the orchestrator's tests beat exactly as workers do.
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private putting: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: WorkerHeartbeatOptions) {}

  /** Registers once (a failure here is the caller's), then beats every interval. */
  async start(): Promise<void> {
    await this.opts.kv.put(this.opts.workerId, JSON.stringify(this.opts.registration()));
    if (this.stopped) return;
    this.timer = setInterval(() => this.beat(), this.opts.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  }

  /** One beat now (a change worth telling at once, such as draining); none once stopped. */
  beat(): void {
    if (this.stopped) return;
    const { nc, ns, kv, workerId } = this.opts;
    const registration = JSON.stringify(this.opts.registration());
    if (!nc.isClosed()) nc.publish(subjects.heartbeat(ns, workerId), registration);
    // A slow put is not stacked on: the next beat carries fresher news anyway.
    if (this.putting) return;
    this.putting = kv
      .put(workerId, registration)
      .then(() => undefined)
      .catch((err: unknown) => this.opts.onError?.(err))
      .finally(() => {
        this.putting = undefined;
      });
  }

  /**
   * Falls silent. `leave`: also removes the registration, so that the orchestrator hands the
   * worker's lanes on at once rather than after the lapse (a failure to is the caller's).
   */
  async stop(opts: { leave?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.putting;
    if (opts.leave) await this.opts.kv.delete(this.opts.workerId);
  }
}
