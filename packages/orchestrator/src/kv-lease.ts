import { sleep } from "@loadline/core";
import type { Namespace, NatsConnection } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";

export type LeaseTimings = {
  /** A lease not renewed for this long (as a standby sees it) may be taken. */
  ttlMs: number;
  renewMs: number;
  /** How often a standby looks. */
  pollMs: number;
  /**
   * How long a holder whose renewals fail without being refused (NATS away, the bucket electing
   * a leader) keeps the lease; default 15 s. A cluster that lost a node took up to ~12 s to elect
   * (chaos), and a holder that gave up meanwhile had to take up its work again on a cluster still
   * placing new consumers on the dead node: up to 40 s without an orchestrator.
   */
  holdMs?: number;
};

// A standby takes over 1.0-1.6 s after the holder dies: a run whose stop falls due meanwhile is still
// recorded stopping within 2 s of its duration (chaos: the orchestrator killed just before a stop).
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 1500, renewMs: 500, pollMs: 100 };

const DEFAULT_HOLD_MS = 15_000;

/** The bucket of leases: one key per role that only one process may hold at a time. */
export async function openLeaseBucket(nc: NatsConnection, ns: Namespace, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(ns.buckets.leases, { history: 1, replicas });
}

/**
 * A lease in a KV bucket, held by compare-and-set on the key's revision: the holder renews it
 * every `renewMs`; a standby that sees the revision unchanged for `ttlMs` (by its own clock,
 * while it can reach NATS) takes it with an update on that revision, so only one of several
 * standbys wins. A holder whose renewal is refused (someone took it) or who could not renew
 * for twice `ttlMs` has lost it and must stop acting. Release deletes the key: a standby takes over at once.
 */
export class KvLease {
  private revision = 0;
  private renewer: Promise<void> | undefined;
  /** Aborted for good by `close`: no more waiting for the lease. */
  private readonly closed = new AbortController();
  /** Aborted when the lease held now is given up. */
  private holding = new AbortController();
  private endedResolve: (() => void) | undefined;
  /** Resolves when a lease held stops being held: lost, or released. */
  ended: Promise<void> = new Promise(() => undefined);

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly holder: string,
    private readonly log: Logger,
    private readonly timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
  ) {}

  /** Waits, as a standby, until this process holds the lease; false when closed first. */
  async acquire(): Promise<boolean> {
    let seen = { revision: -1, since: Date.now() };
    const value = () => JSON.stringify({ holder: this.holder, at: new Date().toISOString() });
    while (!this.closed.signal.aborted) {
      try {
        const entry = await this.kv.get(this.key);
        if (entry?.operation !== "PUT") {
          this.revision = await this.kv.create(this.key, value());
          return this.held();
        }
        if (entry.revision !== seen.revision) seen = { revision: entry.revision, since: Date.now() };
        else if (Date.now() - seen.since > this.timings.ttlMs) {
          this.log.warn({ holder: (entry.json() as { holder?: string }).holder, key: this.key }, "lease not renewed: taking it over");
          this.revision = await this.kv.update(this.key, value(), entry.revision);
          return this.held();
        }
      } catch (err) {
        // Someone else won the race, or NATS is away: either way look again, with a fresh clock.
        seen = { revision: -1, since: Date.now() };
        this.log.debug({ err, key: this.key }, "lease not taken");
      }
      await sleep(this.timings.pollMs, this.closed.signal);
    }
    return false;
  }

  /** Gives up the lease held (deleting the key, so a standby takes over at once); it may be acquired again. */
  async release(): Promise<void> {
    this.holding.abort();
    await this.renewer;
    if (this.revision > 0) await this.kv.delete(this.key, { previousSeq: this.revision }).catch(() => undefined);
    this.revision = 0;
    this.endedResolve?.();
  }

  /** Releases the lease, and stops waiting for it for good. */
  async close(): Promise<void> {
    this.closed.abort();
    await this.release();
  }

  private held(): boolean {
    this.holding = new AbortController();
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
    this.renewer = this.renew(this.holding.signal);
    this.log.info({ key: this.key, holder: this.holder }, "lease held");
    return true;
  }

  /** The key's revision when its value still names this holder; null when it names another, or cannot be read. */
  private async ownRevision(): Promise<number | null> {
    const entry = await this.kv.get(this.key).catch(() => null);
    if (entry?.operation !== "PUT") return null;
    return (entry.json() as { holder?: string }).holder === this.holder ? entry.revision : null;
  }

  private async renew(signal: AbortSignal): Promise<void> {
    let renewedAt = Date.now();
    while (!signal.aborted) {
      await sleep(this.timings.renewMs, signal);
      if (signal.aborted) return;
      try {
        this.revision = await this.kv.update(
          this.key,
          JSON.stringify({ holder: this.holder, at: new Date().toISOString() }),
          this.revision,
          this.timings.renewMs,
        );
        renewedAt = Date.now();
        continue;
      } catch (err) {
        const refused = err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
        // Refused because a renewal of ours landed after its caller gave up on it (a stalled event
        // loop, a slow bucket): the key still names this holder, so nobody took it.
        const ours = refused ? await this.ownRevision() : null;
        if (ours !== null) {
          this.revision = ours;
          renewedAt = Date.now();
          continue;
        }
        // NATS away, or the bucket electing a leader: go on trying for `holdMs`. A standby cannot
        // take the lease before one ttl of seeing it unchanged while it reaches the bucket, and a
        // refused renewal (it did) ends the holding at once; an overlap of two holders is made
        // harmless by the event store, whose appends name each aggregate's expected position (seq).
        if (!refused && Date.now() - renewedAt <= (this.timings.holdMs ?? DEFAULT_HOLD_MS)) continue;
        this.log.error({ err, key: this.key }, refused ? "lease taken by another process" : "lease could not be renewed in time");
      }
      this.revision = 0;
      this.endedResolve?.();
      return;
    }
  }
}
