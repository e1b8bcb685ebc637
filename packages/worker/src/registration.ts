import { HEARTBEAT_INTERVAL_MS, type WorkerAssignment, type WorkerRegistration } from "@loadline/core";
import { type Namespace, type NatsConnection, openWorkerBucket, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";

type KV = Awaited<ReturnType<typeof openWorkerBucket>>;

export const WORKER_VERSION = "0.2.0";

export type WorkerCapacity = WorkerRegistration["capacity"];

/** Keeps this worker's registration fresh in the workers bucket, and removes it on stop. */
export class WorkerRegistrar {
  private kv: KV | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private draining = false;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly opts: {
      nc: NatsConnection;
      ns: Namespace;
      workerId: string;
      capacity: WorkerCapacity;
      labels: Record<string, string>;
      /** The runs the worker has a share of right now. */
      assignments: () => WorkerAssignment[];
      log: Logger;
    },
  ) {}

  registration(): WorkerRegistration {
    const { workerId, capacity, labels, assignments } = this.opts;
    return {
      workerId,
      version: WORKER_VERSION,
      capacity,
      labels,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      status: this.draining ? "draining" : "active",
      assignments: assignments(),
    };
  }

  /** Registers once (a failure here fails the start), then every heartbeat interval. */
  async start(): Promise<void> {
    this.kv = await openWorkerBucket(this.opts.nc, this.opts.ns);
    await this.kv.put(this.opts.workerId, JSON.stringify(this.registration()));
    this.timer = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
  }

  /** Says at once that no new run should come here: the worker is shutting down. */
  drain(): void {
    this.draining = true;
    this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.kv?.delete(this.opts.workerId).catch((err: unknown) => this.opts.log.warn({ err }, "could not deregister"));
  }

  /**
   * The heartbeat goes twice: on core NATS (what liveness is judged on: it flows as soon as the
   * connection is up, whatever a stream's leader is doing) and into the bucket (what listings read).
   */
  private beat(): void {
    const registration = JSON.stringify(this.registration());
    if (!this.opts.nc.isClosed()) this.opts.nc.publish(subjects.heartbeat(this.opts.ns, this.opts.workerId), registration);
    // A slow put is not stacked on: the next beat carries fresher news anyway.
    if (this.beating || !this.kv) return;
    const kv = this.kv;
    this.beating = kv
      .put(this.opts.workerId, registration)
      .then(() => undefined)
      .catch((err: unknown) => this.opts.log.warn({ err }, "heartbeat failed"))
      .finally(() => {
        this.beating = undefined;
      });
  }
}
