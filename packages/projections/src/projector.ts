import { sleep } from "@loadline/core";
import { type Namespace, type NatsConnection, PULL_EXPIRES_MS } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import {
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { Lease, LeaseProvider } from "./advisory-lock-lease.ts";
import { startApplySpans } from "./apply-spans.ts";
import { planBatch } from "./batch-plan.ts";
import { CheckpointMoved, ensureCheckpoint, lockCheckpoint, pollCheckpoint, recordFailure, writeCheckpoint } from "./checkpoints.ts";
import type { Db } from "./database.ts";
import { isDataError, loggable, reasonOf } from "./database-errors.ts";
import { type DeadLetter, DecodeQueue, type Delivered, deadLetterOf } from "./decode-queue.ts";
import { type DurableSpec, ensureDurable, stopWhenConsumerLost } from "./durable.ts";
import { Inbox } from "./inbox.ts";
import { PositionWaitList } from "./position-wait-list.ts";
import type { ProjectedEvent, Projection } from "./projection.ts";
import { type ProjectionMetrics, projectionMetrics } from "./projection-metrics.ts";
import type { ProjectorHealth } from "./projector-health.ts";
import { projectionDeadLetters } from "./schema.ts";

export type ProjectorOptions = {
  projection: Projection;
  nc: NatsConnection;
  ns: Namespace;
  db: Db;
  /** Who may run the projection: it consumes only while it holds the lease, and stands by otherwise. */
  leases: LeaseProvider;
  log: Logger;
  /** The durable consumer's name; `proj_<projection>` when absent. */
  durable?: string;

  metrics?: ProjectionMetrics;
  batchSize?: number;
  /** Run the projection's `stage` writes alongside its transactions: for a pool of connections (Postgres), not for PGlite's one. */
  concurrentStaging?: boolean;
  /** First delay before a failed batch is tried again; it doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
};

type Delivery = { messages: ConsumerMessages; inbox: Inbox<Delivered> };

const NAK_DELAY_MS = 500;
const RESTART_DELAY_MS = 1000;
/** How often a standby asks for the lease, and polls the checkpoint for waiters. */
const STANDBY_POLL_MS = 1000;
/** Batches delivered and not yet acked, at most: the one committing, the one arriving, and slack. */
const IN_FLIGHT_BATCHES = 4;
const PULL_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Runs one projection: a durable pull consumer, batches applied in one transaction with the
 * checkpoint, acked only after the commit. The checkpoint in the database is the truth; the
 * consumer is only a cursor that is recreated from it when it disagrees.
 */
export class Projector {
  private readonly js: JetStreamClient;
  private readonly metrics: ProjectionMetrics;
  private readonly log: Logger;
  private readonly spec: DurableSpec;
  private readonly batchSize: number;
  private lease: Lease | null = null;
  /** The consumer's messages while consuming, and the queue its callback fills. */
  private delivery: Delivery | null = null;
  /** Decodes what was delivered in the background, ahead of its batch. */
  private readonly decoding: DecodeQueue;
  private loop: Promise<void> | null = null;
  /** Aborted by stop(): cuts the pause between rounds, or before a retry, short. */
  private readonly stopped = new AbortController();
  private readonly waiters = new PositionWaitList();
  private streamFirstSeq = 1;
  private catchUpTarget = 0;
  private caughtUp = false;
  /** What it has been failing on, and since when, until a batch commits (or it sets up again). */
  private failing: { error: string; since: Date } | null = null;
  /** Stream sequence of the last message applied (committed). */
  position = 0;

  private constructor(
    private readonly opts: ProjectorOptions,
    private readonly jsm: JetStreamManager,
  ) {
    this.js = jetstream(opts.nc);
    this.metrics = opts.metrics ?? projectionMetrics();
    this.log = opts.log.child({ projection: opts.projection.name });
    const { stream, filterSubject } = opts.projection.source(opts.ns);
    this.batchSize = opts.batchSize ?? 500;
    this.spec = {
      stream,
      filterSubject,
      durable: opts.durable ?? `proj_${opts.projection.name}`,
      maxAckPending: IN_FLIGHT_BATCHES * this.batchSize,
    };
    this.decoding = new DecodeQueue(this, this.log, () => this.metrics.skipped.inc({ projection: this.name }));
  }

  get name(): string {
    return this.opts.projection.name;
  }

  private get stopping(): boolean {
    return this.stopped.signal.aborted;
  }

  /**
   * Takes the lease and sets the consumer up (throws when it cannot: no stream, no database),
   * then consumes; or, when another process holds the lease, stands by until it can take it.
   */
  static async start(opts: ProjectorOptions): Promise<Projector> {
    const projector = new Projector(opts, await jetstreamManager(opts.nc));
    if (await projector.takeLease()) {
      try {
        await projector.setUp();
      } catch (err) {
        await projector.dropLease();
        throw err;
      }
    } else {
      projector.log.info("another process runs this projection: standing by");
    }
    projector.loop = projector.run();
    return projector;
  }

  /** Holds the lease: this process is the one applying the projection. */
  isActive(): boolean {
    return this.lease !== null;
  }

  /** Has applied everything the stream held when it started (a standby is never caught up). */
  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Where it is: standing by, catching up, live, or retrying what failed (why, and since when). */
  health(): ProjectorHealth {
    const { name, caughtUp, failing } = this;
    if (!this.isActive()) return { name, state: "standby", caughtUp, lastError: null, since: null };
    if (failing) return { name, state: "retrying", caughtUp, lastError: failing.error, since: failing.since.toISOString() };
    return { name, state: caughtUp ? "live" : "catching-up", caughtUp, lastError: null, since: null };
  }

  /** True once `seq` is applied, here or by the process holding the lease; false when the time runs out or the projector stops. */
  waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.position >= seq) return Promise.resolve(true);
    if (this.stopping) return Promise.resolve(false);
    if (!this.isActive()) return pollCheckpoint(this.opts.db, this.name, seq, timeoutMs, this.stopped.signal);
    return this.waiters.wait(seq, timeoutMs);
  }

  /** Stops after the batch in flight is committed and acked; what was delivered but not applied comes back to the next start. */
  async stop(): Promise<void> {
    this.stopped.abort();
    this.delivery?.messages.stop();
    await this.loop;
    if (!this.opts.nc.isClosed()) await this.opts.nc.flush().catch(() => undefined); // the acks reach the server
    await this.dropLease();
    this.waiters.giveUp();
  }

  private async takeLease(): Promise<boolean> {
    this.lease = await this.opts.leases.tryAcquire(`projection:${this.name}`);
    if (!this.lease) return false;
    // A lost session lost the lock too: stop consuming now; the loop stands by and tries again.
    void this.lease.lost.then(() => {
      if (this.stopping) return;
      this.log.warn("lost the projection lease: standing by");
      this.lease = null;
      this.caughtUp = false;
      this.delivery?.messages.stop();
    });
    return true;
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    await lease?.release();
  }

  private async setUp(): Promise<void> {
    this.position = await ensureCheckpoint(this.opts.db, this.name);
    const info = await this.jsm.streams.info(this.spec.stream);
    this.streamFirstSeq = info.state.first_seq;
    this.catchUpTarget = info.state.last_seq;
    if (this.position > info.state.last_seq) {
      this.log.warn(
        { checkpoint: this.position, lastSeq: info.state.last_seq },
        "checkpoint is ahead of the stream: was the stream recreated?",
      );
    }
    await ensureDurable(this.jsm, this.spec, this.position, this.log);
    const consumer = await this.js.consumers.get(this.spec.stream, this.spec.durable);
    this.metrics.lag.set({ projection: this.name }, (await consumer.info(true)).num_pending);
    this.metrics.position.set({ projection: this.name }, this.position);
    this.advance(this.position);
    // The next batch arrives, and is decoded, while this one commits. Large messages are pulled
    // by bytes: 20,000 metric windows of 20 KB by count overran the server's buffer for this
    // client (a slow consumer: deliveries dropped, then held back for their ack wait).
    const pull = this.opts.projection.largeMessages ? { max_bytes: PULL_MAX_BYTES } : { max_messages: this.batchSize };
    // A callback, not the iterator: no promise per message (a replay takes tens of thousands a second).
    const inbox = new Inbox<Delivered>();
    const messages = await consumer.consume({ ...pull, expires: PULL_EXPIRES_MS, callback: (m) => this.receive(inbox, m) });
    void messages.closed().finally(() => inbox.close());
    this.delivery = { messages, inbox };
    stopWhenConsumerLost(messages, this.log);
    this.log.info({ checkpoint: this.position, durable: this.spec.durable }, "projection consuming");
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.stopping) {
        this.delivery?.messages.stop(); // set up again while stop() was waiting
        this.delivery = null;
        this.decoding.clear();
        return;
      }
      if (this.delivery) {
        try {
          await this.consume(this.delivery);
        } catch (err) {
          this.log.error({ err: loggable(err) }, "projection round failed");
          this.failed(err);
        }
        this.delivery.messages.stop();
        this.delivery = null;
        this.decoding.clear();
      }
      if (this.stopping || this.opts.nc.isClosed()) return;
      await sleep(this.lease ? RESTART_DELAY_MS : STANDBY_POLL_MS, this.stopped.signal);
      if (this.stopping) return;
      if (!this.lease) {
        const taken = await this.takeLease().catch((err: unknown) => {
          this.log.error({ err }, "could not ask for the projection lease");
          return false;
        });
        if (!taken) continue;
        this.log.info("took the projection lease");
      }
      await this.setUp().then(
        () => (this.failing = null), // a new round: what still fails is noted again, from now
        (err: unknown) => {
          this.log.error({ err: loggable(err) }, "projection set-up failed");
          this.failed(err);
        },
      );
    }
  }

  /**
   * Group commit: messages are decoded soon after they arrive (while the previous batch is being
   * committed, see DecodeQueue), and each batch is whatever arrived meanwhile, up to the batch size.
   */
  private async consume({ messages, inbox }: Delivery): Promise<void> {
    // One batch commits while the next, once full, is taken and staged.
    let flushing: Promise<void> = Promise.resolve();
    for (;;) {
      const batch = await inbox.takeWhen(this.batchSize, flushing);
      if (!batch) break;
      const staged = this.stage(batch);
      await flushing;
      if (this.stopping) {
        await staged?.catch(() => undefined);
        break;
      }
      flushing = this.flush(batch, staged);
      flushing.catch(() => undefined); // awaited above or below; not an unhandled rejection meanwhile
    }
    await flushing;
    messages.stop();
  }

  /** Each delivered message goes to the inbox at once, and is decoded soon after (see DecodeQueue). */
  private receive(inbox: Inbox<Delivered>, msg: JsMsg): void {
    const delivered: Delivered = { msg, seq: msg.seq, decoded: null };
    inbox.push(delivered);
    this.decoding.push(delivered);
  }

  /** The staged writes of the messages not yet applied, started early (see startStaging). */
  private stage(batch: readonly Delivered[]): Promise<void> | null {
    if (!this.stagesOnPool()) return null;
    const events: ProjectedEvent[] = [];
    for (const d of batch) {
      const e = d.seq > this.position ? this.decoding.eventOf(d) : undefined;
      if (e && !("deadLetter" in e)) events.push({ seq: d.seq, event: e, raw: d.msg.data, subject: d.msg.subject });
    }
    return this.startStaging(events);
  }

  private stagesOnPool(): boolean {
    return this.opts.projection.stage !== undefined && this.opts.concurrentStaging === true;
  }

  /** Starts the projection's staged writes on the pool; null when they go inside the transaction. */
  private startStaging(events: readonly ProjectedEvent[]): Promise<void> | null {
    const { stage } = this.opts.projection;
    if (!stage || !this.stagesOnPool()) return null;
    const staged = stage(this.opts.db, events);
    staged.catch(() => undefined); // its failure is met by the commit that awaits it
    return staged;
  }

  private async flush(batch: Delivered[], staged: Promise<void> | null): Promise<void> {
    let delay = this.opts.retryDelayMs ?? 250;
    for (;;) {
      let plan = planBatch(batch, this.position, this.holesFrom());
      if (plan.later.length > 0) {
        // A hole: either messages aged out of the stream, or a delivery got lost and will come back.
        this.streamFirstSeq = await this.jsm.streams
          .info(this.spec.stream)
          .then((i) => i.state.first_seq)
          .catch(() => this.streamFirstSeq);
        plan = planBatch(batch, this.position, this.holesFrom());
      }
      try {
        await this.applyAll(plan.apply, staged);
      } catch (err) {
        staged = null; // staged again with the next try
        if (err instanceof CheckpointMoved) {
          this.position = err.position;
          continue;
        }
        // A transient failure (see database-errors.ts): the rest of the batch is tried again, whole and in order.
        this.metrics.failures.inc({ projection: this.name });
        const seqs = [plan.apply[0]?.seq, plan.apply.at(-1)?.seq];
        this.log.error({ err: loggable(err), seqs, position: this.position, retryInMs: delay }, "batch failed: retrying it");
        this.failed(err, this.position);
        if (this.stopping) return; // not acked: delivered again to the next start
        for (const d of batch) d.msg.working(); // keep the batch ours while we wait
        await sleep(delay, this.stopped.signal);
        if (this.stopping) return;
        delay = Math.min(delay * 2, this.opts.maxRetryDelayMs ?? 5000);
        continue;
      }
      // AckAll: the highest message applied (or skipped) acks every one below it.
      [...plan.skip, ...plan.apply].reduce<Delivered | undefined>((a, b) => (!a || b.seq > a.seq ? b : a), undefined)?.msg.ack();
      for (const d of plan.later) d.msg.nak(NAK_DELAY_MS);
      if (plan.later.length > 0)
        this.log.debug({ held: plan.later.map((d) => d.seq), position: this.position }, "holding messages after a hole");
      const pending = batch.at(-1)?.msg.info.pending ?? 0;
      this.metrics.lag.set({ projection: this.name }, pending + plan.later.length);
      if (pending === 0 && plan.later.length === 0) this.caughtUp = true;
      return;
    }
  }

  /**
   * Applies the messages in one transaction. When the database refuses their data (a data error:
   * the same message would fail the same way for ever), the messages at fault are found and
   * dead-lettered instead (see isolate); any other failure is thrown, for the batch to be retried.
   */
  private async applyAll(messages: readonly Delivered[], staged: Promise<void> | null): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.commit(messages, staged, false);
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.log.warn(
        { reason: reasonOf(err), seqs: [messages[0]?.seq, messages.at(-1)?.seq] },
        "the database refused a batch's data: isolating the messages at fault",
      );
      await this.isolate(messages, err);
    }
  }

  /**
   * Bisects messages the database refused: each half is committed on its own transaction, the
   * first before the second, and a half refused again is split again, down to the one message
   * at fault, which becomes a dead letter with the database's reason. So every message is
   * applied once or dead-lettered once, in stream order, each commit moving the checkpoint past
   * exactly what it holds; k bad messages in a batch of n cost about 2k·log2(n) transactions. A
   * transient failure meanwhile is thrown: the retry starts again from what was committed.
   */
  private async isolate(messages: readonly Delivered[], refusal: unknown): Promise<void> {
    if (messages.length === 1) {
      const [only] = messages as [Delivered];
      const reason = reasonOf(refusal);
      this.log.warn({ seq: only.seq, subject: only.msg.subject, reason }, "dead-lettering a message the database refused");
      this.metrics.skipped.inc({ projection: this.name });
      only.decoded = deadLetterOf(only.msg, `the database refused it: ${reason}`);
      await this.commit(messages, null, true);
      return;
    }
    const middle = Math.ceil(messages.length / 2);
    for (const half of [messages.slice(0, middle), messages.slice(middle)]) {
      try {
        await this.commit(half, null, true);
      } catch (err) {
        if (!isDataError(err)) throw err;
        await this.isolate(half, err);
      }
    }
  }

  /**
   * The messages' events, their dead letters and the checkpoint: one transaction, so a crash
   * anywhere gives the same read model. `alone`: the projection's staged writes go inside the
   * transaction too, so that a refused part of a batch leaves none of its rows behind.
   */
  private async commit(messages: readonly Delivered[], staged: Promise<void> | null, alone: boolean): Promise<void> {
    const events: ProjectedEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const d of messages) {
      const decoded = this.decoding.eventOf(d);
      if ("deadLetter" in decoded) deadLetters.push(decoded);
      else events.push({ seq: d.seq, event: decoded, raw: d.msg.data, subject: d.msg.subject });
    }
    const lastSeq = messages.at(-1)!.seq;
    const expected = this.position;
    const { projection, db } = this.opts;
    const stageInside = !this.stagesOnPool() || alone;
    const staging = alone ? null : (staged ?? this.startStaging(events));
    // Live events only: a replay, a catch-up or a rebuild would make a span of every event it reads.
    const spans = this.caughtUp ? startApplySpans(this.name, events) : undefined;
    const committing = db.transaction(async (tx) => {
      const checkpoint = await lockCheckpoint(tx, this.name);
      if (checkpoint !== expected) throw new CheckpointMoved(checkpoint);
      if (events.length > 0 && projection.stage && stageInside) await projection.stage(tx, events);
      if (events.length > 0) await projection.apply(tx, events);
      if (deadLetters.length > 0) {
        await tx
          .insert(projectionDeadLetters)
          .values(deadLetters.map(({ seq, subject, reason, payload }) => ({ projection: this.name, seq, subject, reason, payload })))
          .onConflictDoNothing();
      }
      if (staging) await bounded(staging, STAGING_TIMEOUT_MS, "the batch's staged writes");
      // The row lock above already serialises batches; the compare-and-set makes the guard explicit.
      if (!(await writeCheckpoint(tx, this.name, expected, lastSeq))) throw new CheckpointMoved(await lockCheckpoint(tx, this.name));
    });
    // A failed transaction may leave its staged writes running: they end before anything is tried again.
    await committing.catch(async (err: unknown) => {
      spans?.end(err);
      if (staging) await bounded(staging, STAGING_TIMEOUT_MS, "the batch's staged writes").catch(() => undefined);
      throw err;
    });
    spans?.end();
    this.failing = null;
    projection.committed?.();
    this.metrics.applied.inc({ projection: this.name }, events.length);
    this.advance(lastSeq);
  }

  /**
   * Notes a failure for health() and, for a batch's, on the checkpoint's row for every process's
   * status. Not waited for (the database may be what failed); the row is written only while the
   * checkpoint is still where the batch failed, so a late write never outlives the next commit.
   */
  private failed(err: unknown, batchAt?: number): void {
    const error = reasonOf(err, { detail: false });
    this.failing = { error, since: this.failing?.since ?? new Date() };
    if (batchAt !== undefined) void recordFailure(this.opts.db, this.name, batchAt, error).catch(() => undefined);
  }

  /** Up to where a hole is never waited for: the stream's first sequence, or everywhere in a stream that deletes inside (see Projection). */
  private holesFrom(): number {
    return this.opts.projection.holesInside ? Number.POSITIVE_INFINITY : this.streamFirstSeq;
  }

  private advance(position: number): void {
    this.position = position;
    this.metrics.position.set({ projection: this.name }, position);
    if (position >= this.catchUpTarget) this.caughtUp = true;
    this.waiters.reached(position);
  }
}

/**
 * How long a batch's staged writes may take before the batch is taken as failed and retried (they
 * are idempotent): a write on a connection that Postgres dropped mid-COPY must not hold the
 * projector for good, as it once did for a minute after Postgres came back (chaos).
 */
const STAGING_TIMEOUT_MS = 20_000;

/** `work`, or a failure naming `what` once `ms` have passed. */
function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
