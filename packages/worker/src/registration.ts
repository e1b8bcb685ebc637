import {
  HEARTBEAT_INTERVAL_MS,
  openWorkerBucket,
  type Logger,
  type Namespace,
  type NatsConnection,
  type WorkerRegistration,
} from "@loadline/core";

type KV = Awaited<ReturnType<typeof openWorkerBucket>>;

export const WORKER_VERSION = "0.1.0";

/** Keeps this worker's registration fresh in the workers bucket, and removes it on stop. */
export class WorkerRegistrar {
  private kv: KV | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly opts: {
      nc: NatsConnection;
      ns: Namespace;
      workerId: string;
      maxUsers: number;
      labels: Record<string, string>;
      /** Ids of the runs the worker has right now. */
      runs: () => string[];
      log: Logger;
    },
  ) {}

  registration(): WorkerRegistration {
    const { workerId, maxUsers, labels, runs } = this.opts;
    return {
      workerId,
      version: WORKER_VERSION,
      capacity: { maxUsers },
      labels,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      runs: runs(),
    };
  }

  /** Registers once (a failure here fails the start), then every heartbeat interval. */
  async start(): Promise<void> {
    this.kv = await openWorkerBucket(this.opts.nc, this.opts.ns);
    await this.kv.put(this.opts.workerId, JSON.stringify(this.registration()));
    this.timer = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.kv?.delete(this.opts.workerId).catch((err: unknown) => this.opts.log.warn({ err }, "could not deregister"));
  }

  private beat(): void {
    // A slow put is not stacked on: the next beat carries fresher news anyway.
    if (this.beating || !this.kv) return;
    const kv = this.kv;
    this.beating = kv
      .put(this.opts.workerId, JSON.stringify(this.registration()))
      .then(() => undefined)
      .catch((err: unknown) => this.opts.log.warn({ err }, "heartbeat failed"))
      .finally(() => {
        this.beating = undefined;
      });
  }
}
