import { DeliverPolicy, JetStreamApiError, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { ConcurrencyError } from "./errors.ts";
import { parseEvent, type AggregateRef, type EventEnvelope } from "./envelope.ts";
import { subjects, type Namespace } from "./namespace.ts";

/** JetStream's "wrong last sequence" API error code. */
const WRONG_LAST_SEQUENCE = 10071;

export type StoredEvent = { seq: number; subject: string; event: EventEnvelope };

export type AppendResult = {
  /** Stream sequence of the last appended event: the aggregate's new version. */
  version: number;
  seqs: number[];
};

/**
 * The event store on JetStream: one subject per aggregate. The version of an aggregate is
 * the stream sequence of its last event, so `expect.lastSubjectSequence` gives optimistic
 * concurrency, and the envelope id as `Nats-Msg-Id` makes a retried append idempotent.
 */
export class EventStore {
  constructor(
    private readonly js: JetStreamClient,
    private readonly ns: Namespace,
  ) {}

  subjectOf(tenantId: string, aggregate: AggregateRef): string {
    return subjects.event(this.ns, tenantId, aggregate.type, aggregate.id);
  }

  async append(
    tenantId: string,
    aggregate: AggregateRef,
    events: readonly EventEnvelope[],
    opts: { expectedVersion: number; traceparent?: string },
  ): Promise<AppendResult> {
    const subject = this.subjectOf(tenantId, aggregate);
    let expected = opts.expectedVersion;
    const seqs: number[] = [];
    for (const event of events) {
      const h = headers();
      if (opts.traceparent) h.set("traceparent", opts.traceparent);
      try {
        const ack = await this.js.publish(subject, JSON.stringify(event), {
          msgID: event.id,
          expect: { lastSubjectSequence: expected },
          headers: h,
        });
        expected = ack.seq;
        seqs.push(ack.seq);
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
          throw new ConcurrencyError(subject, expected);
        }
        throw err;
      }
    }
    return { version: expected, seqs };
  }

  /** All events of one aggregate, in order, with the version to append after them. */
  async read(tenantId: string, aggregate: AggregateRef): Promise<{ events: StoredEvent[]; version: number }> {
    const subject = this.subjectOf(tenantId, aggregate);
    const stream = await this.js.streams.get(this.ns.streams.events);
    const last = await stream.getMessage({ last_by_subj: subject });
    const events: StoredEvent[] = [];
    if (!last) return { events, version: 0 };
    const consumer = await this.js.consumers.get(this.ns.streams.events, {
      filter_subjects: subject, // a single filter: multi-filter needs server 2.10
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    for await (const m of messages) {
      events.push(toStored(m));
      if (m.seq >= last.seq) break;
    }
    await messages.close();
    return { events, version: events.at(-1)?.seq ?? 0 };
  }
}

export function toStored(m: JsMsg): StoredEvent {
  return { seq: m.seq, subject: m.subject, event: parseEvent(m.json()) };
}
