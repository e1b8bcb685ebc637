import type { EventEnvelope } from "@loadline/core";
import type { Namespace } from "@loadline/nats";
import type { Db, Tx } from "./database.ts";

/** An event to apply, with its message's bytes as published (what a projection may store as they are). */
export type ProjectedEvent = {
  seq: number;
  event: EventEnvelope;
  raw?: Uint8Array;
  /** The subject it came on: what NATS permissions vouch for, unlike the envelope's own fields. */
  subject?: string;
};

/** A read model fed by one stream: a plain handler of a batch, called inside the batch's transaction. */
export type Projection = {
  readonly name: string;
  source(ns: Namespace): { stream: string; filterSubject: string };
  apply(tx: Tx, events: readonly ProjectedEvent[]): Promise<void>;
  /**
   * Idempotent bulk writes of a batch (the raw copy of what arrived, say) that need not share its
   * transaction. With `concurrentStaging` they run on other connections of the pool, and start
   * while the batch ahead commits; without it, inside the transaction. Either way the checkpoint
   * moves only once they are stored.
   */
  stage?(db: Db, events: readonly ProjectedEvent[]): Promise<void>;
  /** The last batch `apply` was given has committed: what it applied may now be told outside the database. Must not throw. */
  committed?(): void;
  /**
   * Its messages are large (metric windows, some 20 KB): pulled by bytes, so that a rebuild's
   * batches of 10,000 do not overrun the client. Small ones are pulled by count, which nats-server
   * 2.9 delivers several times faster (a replay of events by bytes ran at 6k events/s, by count at 30k).
   */
  largeMessages?: boolean;
  /**
   * Its stream deletes messages inside its range, not only its oldest (LL_AGENT keeps 1,000 a
   * subject): a hole after the checkpoint is applied past at once, not waited for, or a projector
   * that fell behind would wait for ever. A delivery lost in transit is then lost too.
   */
  holesInside?: boolean;
};
