import { WORKER_LOST_AFTER_MS, type WorkerRegistration, workerRegistrationSchema } from "@loadline/core";
import { type Namespace, type NatsConnection, registrationEntries, subjects, type WorkerBucket } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { KvEntry } from "@nats-io/kv";

/**
 * A worker that stopped being heard from: lapsed (`lastSeenAt` its last heartbeat), gone (it left
 * the bucket), or restarted (the same id from a new process, which knows nothing of the old one's runs).
 */
export type LostWorker = { workerId: string; lastSeenAt: string; why: "lapsed" | "left" | "restarted" };

type Seen = { registration: WorkerRegistration | null; seenAt: number; lastSeenAt: string };

/** What the fleet tells: a worker lost, and a worker joined (first heard from, or back as a new process). */
export type FleetListener = { lost(lost: LostWorker): void; joined(registration: WorkerRegistration): void };

/** A worker a run says it has, and when the run's record last had word of it (see `lastHeardOf`). */
export type ExpectedWorker = { workerId: string; heardAt: string };

const SWEEP_MS = 250;

/**
 * The orchestrator's view of the fleet: workers' heartbeats on core NATS (and the workers
 * bucket, for those already registered and for leaving), each stamped with this process's own
 * clock when it arrives, a bucket entry with the server's time of its write (never the worker's
 * clock, nor later than now). A worker not heard from for
 * WORKER_LOST_AFTER_MS, or that removed its registration, is lost, once. Heartbeats go over
 * core NATS because a stream's leader election after a broker node dies can hold KV writes up
 * for longer than that. While this process is cut off from NATS nobody is heard from: on
 * reconnecting, every worker gets the full lapse again rather than being declared lost for our
 * own outage. A worker first heard from (or back as a new process) has joined: it may take lanes
 * that nobody holds.
 */
export class FleetMonitor {
  private readonly workers = new Map<string, Seen>();
  /**
   * When the bucket entry of a worker not heard from was last written (ms, the server's clock):
   * a dead worker's entry outlives it (up to the bucket's TTL), and its last write is the best
   * evidence of when it was last alive, for one this process never heard from.
   */
  private readonly lastWritten = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;
  private watcher: { stop(): void } | undefined;
  private heartbeats: { unsubscribe(): void } | undefined;
  private connected = true;

  constructor(
    private readonly kv: WorkerBucket,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly on: FleetListener,
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
    for (const e of await registrationEntries(this.kv)) if (!this.workers.has(e.key)) this.registered(e);
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

  /**
   * A registration read from the bucket: alive when it was written, by the server's clock (no
   * later than now, by ours). One already stale (a dead worker's, left behind) is no sign of
   * life, only a record of when it last was.
   */
  private registered(e: KvEntry): void {
    const parsed = workerRegistrationSchema.safeParse(e.json());
    if (!parsed.success) return;
    const writtenAt = Math.min(e.created.getTime(), Date.now());
    if (Date.now() - writtenAt <= this.lostAfterMs) this.heard(parsed.data, writtenAt);
    else this.lastWritten.set(parsed.data.workerId, Math.max(writtenAt, this.lastWritten.get(parsed.data.workerId) ?? 0));
  }

  /** Heard from: by a heartbeat now, or by a bucket write at `aliveAt`. */
  private heard(registration: WorkerRegistration, aliveAt = Date.now()): void {
    const seen = this.workers.get(registration.workerId);
    const before = seen?.registration;
    const restarted = !!before && before.startedAt !== registration.startedAt;
    if (restarted) this.declare(registration.workerId, "restarted");
    // A bucket write may come in after a fresher heartbeat: the last sign of life is the latest.
    const lastSeen = before && !restarted ? Math.max(aliveAt, Date.parse(seen.lastSeenAt)) : aliveAt;
    this.lastWritten.delete(registration.workerId);
    this.workers.set(registration.workerId, { registration, seenAt: Date.now(), lastSeenAt: new Date(lastSeen).toISOString() });
    // Never heard from (or only expected, from the runs' record), or a new process: news worth acting on.
    if (!before || restarted) this.on.joined(registration);
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
   * given the full lapse from now to show up, then is lost like any other. Lost, it was last
   * seen at the latest evidence there is (its bucket entry's last write, the run's record of
   * it), never at this process's start: a worker that died while no orchestrator ran stopped
   * running its lanes then, not when we came back.
   */
  expect(workers: Iterable<ExpectedWorker>): void {
    const now = Date.now();
    for (const { workerId, heardAt } of workers) {
      const seen = this.workers.get(workerId);
      if (seen?.registration) continue; // heard from already
      // Several runs may name it: the latest word of any of them.
      const evidence = [Date.parse(heardAt), this.lastWritten.get(workerId), seen && Date.parse(seen.lastSeenAt)].filter(
        (t): t is number => typeof t === "number" && Number.isFinite(t),
      );
      const lastSeen = evidence.length > 0 ? Math.min(now, Math.max(...evidence)) : now;
      this.workers.set(workerId, { registration: null, seenAt: now, lastSeenAt: new Date(lastSeen).toISOString() });
    }
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
    this.on.lost({ workerId, lastSeenAt: w.lastSeenAt, why });
  }
}
