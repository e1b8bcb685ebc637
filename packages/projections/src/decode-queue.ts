import { type EventEnvelope, parseEvent } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { JsMsg } from "@nats-io/jetstream";
import { mayHoldUnstorableStrings, storableText, unstorable } from "./storable.ts";

/** A message the projection cannot apply, kept in projection_dead_letters with the reason. */
export type DeadLetter = { deadLetter: true; seq: number; subject: string; reason: string; payload: string };

/** A sealed secret (`v1:<kid>:<iv>:<tag>:<ciphertext>`): kept nowhere in the read model, not even sealed. */
const SEALED = /v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*/g;

/**
 * The dead letter of a message: its payload as UTF-8 text, what a text column cannot hold (NUL,
 * bytes that are not UTF-8) as U+FFFD, so that keeping it never fails like the message did, and
 * sealed secrets blanked.
 */
export const deadLetterOf = (msg: JsMsg, reason: string): DeadLetter => ({
  deadLetter: true,
  seq: msg.seq,
  subject: msg.subject,
  reason: storableText(reason),
  payload: storableText(msg.string()).replace(SEALED, "v1:(sealed)"),
});

/** A delivered message with its stream sequence, and its event once decoded (null until then). */
export type Delivered = { msg: JsMsg; seq: number; decoded: EventEnvelope | DeadLetter | null };

/** Longest stretch of decoding in one turn of the event loop: a Postgres reply waits at most this long behind it. */
const DECODE_SLICE_MS = 2;

/**
 * The projector's delivered messages, decoded in the background a slice per turn of the event
 * loop, unless the checkpoint is past them (a batch taken before their turn decodes the rest
 * itself, in eventOf). Messages come in a burst after each ack; decoded in the consumer's
 * callback, the burst held up the Postgres replies of the batch committing, then left the thread
 * idle while that batch's last statements ran (16% of a replay). In slices, decoding fills those waits.
 */
export class DecodeQueue {
  /** Delivered messages, oldest first, that the background decoding has not reached yet (from `head` on). */
  private undecoded: (Delivered | null)[] = [];
  private head = 0;
  private decoding: NodeJS.Immediate | null = null;

  constructor(
    /** Whose checkpoint: a message at or below its position is a redelivery, not even read. */
    private readonly projector: { readonly position: number },
    private readonly log: Logger,
    /** Called for each message that becomes a dead letter. */
    private readonly onDeadLetter: () => void,
  ) {}

  /** Decoded soon after, in a slice of a later turn of the event loop. */
  push(delivered: Delivered): void {
    this.undecoded.push(delivered);
    this.decoding ??= setImmediate(this.decodeSome);
  }

  /** Decoded once, and only when it may be applied: a redelivery below the checkpoint is not even read. */
  eventOf(d: Delivered): EventEnvelope | DeadLetter {
    return (d.decoded ??= this.decode(d.msg));
  }

  /** Empties the queue: once decoding reached its end, and when a round of consuming ends (what it did not apply comes again). */
  clear(): void {
    if (this.decoding) clearImmediate(this.decoding);
    this.decoding = null;
    this.undecoded = [];
    this.head = 0;
  }

  private readonly decodeSome = (): void => {
    this.decoding = null;
    const until = performance.now() + DECODE_SLICE_MS;
    while (this.head < this.undecoded.length && performance.now() < until) {
      const d = this.undecoded[this.head]!;
      this.undecoded[this.head++] = null; // 20 KB windows must not stay referenced after their batch
      if (d.decoded === null && d.seq > this.projector.position) d.decoded = this.decode(d.msg);
    }
    if (this.head === this.undecoded.length) this.clear();
    else {
      if (this.head >= 4096) {
        this.undecoded = this.undecoded.slice(this.head);
        this.head = 0;
      }
      this.decoding = setImmediate(this.decodeSome);
    }
  };

  /**
   * The event, or the dead letter it becomes: one bad message must not stall the read model. What
   * Postgres could not store (see storable.ts) is found here, before any statement is tried.
   */
  private decode(msg: JsMsg): EventEnvelope | DeadLetter {
    let reason: string;
    try {
      const raw: unknown = msg.json();
      const unfit = unstorable(raw, { strings: mayHoldUnstorableStrings(msg.data) });
      if (unfit === null) return parseEvent(raw);
      reason = unfit;
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    this.log.warn({ seq: msg.seq, subject: msg.subject, reason }, "dead-lettering a message it cannot apply");
    this.onDeadLetter();
    return deadLetterOf(msg, reason);
  }
}
