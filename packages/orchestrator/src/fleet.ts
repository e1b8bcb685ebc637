import { WORKER_LOST_AFTER_MS, type WorkerRegistration, workerRegistrationSchema } from "@loadline/core";
import { type Namespace, type NatsConnection, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { KV, KvEntry } from "@nats-io/kv";

/**
 * A worker that stopped being heard from: lapsed (`lastSeenAt` its last heartbeat), gone (it left
 * the bucket), or restarted (the same id from a new process, which knows nothing of the old one's runs).
 */
export type LostWorker = { workerId: string; lastSeenAt: string; why: "lapsed" | "left" | "restarted" };

type Seen = { registration: WorkerRegistration | null; seenAt: number; lastSeenAt: string };

const SWEEP_MS = 250;

/**
 * The orchestrator's view of the fleet: workers' heartbeats on core NATS (and the workers
 * bucket, for those already registered and for leaving), each stamped with this process's own
 * clock when it arrives (no trust in workers' clocks). A worker not heard from for
 * WORKER_LOST_AFTER_MS, or that removed its registration, is lost, once. Heartbeats go over
 * core NATS because a stream's leader election after a broker node dies can hold KV writes up
 * for longer than that. While this process is cut off from NATS nobody is heard from: on
 * reconnecting, every worker gets the full lapse again rather than being declared lost for our
 * own outage.
 */
export class FleetMonitor {
  private readonly workers = new Map<string, Seen>();
  private sweeper: NodeJS.Timeout | undefined;
  private watcher: { stop(): void } | undefined;
  private heartbeats: { unsubscribe(): void } | undefined;
  private connected = true;

  constructor(
    private readonly kv: KV,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly onLost: (lost: LostWorker) => void,
    private readonly log: Logger,
    private readonly lostAfterMs = WORKER_LOST_AFTER_MS,
  ) {}

  async start(): Promise<void> {
    const entries = await this.kv.watch({ key: ">" });
    this.watcher = entries;
    void (async () => {
      for await (const e of entries) {
        if (e.operation === "PUT") this.registered(e);
        else if (this.workers.has(e.key)) this.declare(e.key, "left");
      }
    })().catch((err: unknown) => this.log.error({ err }, "fleet watch ended"));
    // The watch hands over what the bucket holds in its own time; read it now, so that a
    // command decided right after start sees the workers already registered.
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(key);
    const held = await Promise.all(keys.map((key) => this.kv.get(key)));
    for (const e of held) if (e?.operation === "PUT" && !this.workers.has(e.key)) this.registered(e);
    const heartbeats = this.nc.subscribe(subjects.allHeartbeats(this.ns));
    this.heartbeats = heartbeats;
    void (async () => {
      for await (const m of heartbeats) {
        const parsed = workerRegistrationSchema.safeParse(m.json());
        if (parsed.success) this.heard(parsed.data);
      }
    })().catch((err: unknown) => this.log.error({ err }, "heartbeat subscription ended"));
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === "disconnect") this.connected = false;
        if (s.type === "reconnect") this.forgive();
      }
    })();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.watcher?.stop();
    this.heartbeats?.unsubscribe();
  }

  /** A registration read from the bucket; one already stale (a dead worker's, left behind) is no sign of life. */
  private registered(e: KvEntry): void {
    const parsed = workerRegistrationSchema.safeParse(e.json());
    if (parsed.success && Date.now() - e.created.getTime() <= this.lostAfterMs) this.heard(parsed.data);
  }

  private heard(registration: WorkerRegistration): void {
    const before = this.workers.get(registration.workerId)?.registration;
    if (before && before.startedAt !== registration.startedAt) this.declare(registration.workerId, "restarted");
    this.workers.set(registration.workerId, { registration, seenAt: Date.now(), lastSeenAt: new Date().toISOString() });
  }

  /** Live workers that take new work (not draining). */
  live(): WorkerRegistration[] {
    return [...this.workers.values()].flatMap((w) => (w.registration && w.registration.status === "active" ? [w.registration] : []));
  }

  /** Every worker heard from, with how long ago (ms). */
  all(): { registration: WorkerRegistration; silentMs: number }[] {
    const now = Date.now();
    return [...this.workers.values()].flatMap((w) => (w.registration ? [{ registration: w.registration, silentMs: now - w.seenAt }] : []));
  }

  /**
   * Workers the runs say have shares: one never heard from since this process took over is
   * given the full lapse from now to show up, then is lost like any other.
   */
  expect(workerIds: Iterable<string>): void {
    const now = Date.now();
    for (const id of workerIds)
      if (!this.workers.has(id)) this.workers.set(id, { registration: null, seenAt: now, lastSeenAt: new Date(now).toISOString() });
  }

  private forgive(): void {
    this.connected = true;
    const now = Date.now();
    for (const w of this.workers.values()) w.seenAt = now;
  }

  private sweep(): void {
    if (!this.connected) return;
    const now = Date.now();
    for (const [id, w] of this.workers) if (now - w.seenAt > this.lostAfterMs) this.declare(id, "lapsed");
  }

  private declare(workerId: string, why: LostWorker["why"]): void {
    const w = this.workers.get(workerId);
    if (!w) return;
    this.workers.delete(workerId);
    this.log.warn({ workerId, why, lastSeenAt: w.lastSeenAt }, "worker lost");
    this.onLost({ workerId, lastSeenAt: w.lastSeenAt, why });
  }
}
