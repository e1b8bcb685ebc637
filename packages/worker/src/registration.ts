import type { WorkerAssignment, WorkerRegistration } from "@loadline/core";
import { type Namespace, type NatsConnection, openWorkerBucket, WorkerHeartbeat } from "@loadline/nats";
import type { Logger } from "@loadline/service";

export const WORKER_VERSION = "0.2.0";

export type WorkerCapacity = WorkerRegistration["capacity"];

/** Keeps this worker's registration fresh in the workers bucket and on core NATS, and removes it on stop. */
export class WorkerRegistrar {
  private heartbeat: WorkerHeartbeat | undefined;
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

  /** Registers once (a failure here fails the start), then heartbeats every HEARTBEAT_INTERVAL_MS. */
  async start(): Promise<void> {
    const { nc, ns, workerId, log } = this.opts;
    this.heartbeat = new WorkerHeartbeat({
      nc,
      ns,
      kv: await openWorkerBucket(nc, ns),
      workerId,
      registration: () => this.registration(),
      onError: (err) => log.warn({ err }, "heartbeat failed"),
    });
    await this.heartbeat.start();
  }

  /** Says at once that no new run should come here: the worker is shutting down. */
  drain(): void {
    this.draining = true;
    this.heartbeat?.beat();
  }

  async stop(): Promise<void> {
    await this.heartbeat?.stop({ leave: true }).catch((err: unknown) => this.opts.log.warn({ err }, "could not deregister"));
  }
}
