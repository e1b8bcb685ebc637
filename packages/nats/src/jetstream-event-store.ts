import {
  type AggregateEvents,
  type AggregateRef,
  type AppendOptions,
  type AppendResult,
  ConcurrencyError,
  type EventEnvelope,
  type EventStore,
  type EventSubscription,
  parseEvent,
  type ReadAllOptions,
  type StoredEvent,
} from "@loadline/core";
import { DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JsMsg, jetstream } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { type Namespace, subjects } from "./namespace.ts";
import { replayMessages } from "./replay.ts";
import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from "./tracing.ts";

/**
 * The event store on JetStream: one subject per aggregate in LL_EVENTS. An event's `seq` is
 * its stream sequence, so `expect.lastSubjectSequence` gives optimistic concurrency, and the
 * envelope id as `Nats-Msg-Id` makes a retried append idempotent.
 */
export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
  ) {
    this.js = jetstream(nc);
  }

  subjectOf(tenantId: string, aggregate: AggregateRef): string {
    return subjects.event(this.ns, tenantId, aggregate.type, aggregate.id);
  }

  async append(tenantId: string, aggregate: AggregateRef, events: readonly EventEnvelope[], opts: AppendOptions): Promise<AppendResult> {
    const subject = this.subjectOf(tenantId, aggregate);
    let expected = opts.expectedSeq;
    const seqs: number[] = [];
    for (const event of events) {
      const h = headers();
      if (opts.traceparent) h.set(TRACEPARENT_HEADER, opts.traceparent);
      if (opts.tracestate) h.set(TRACESTATE_HEADER, opts.tracestate);
      try {
        const ack = await this.js.publish(subject, JSON.stringify(event), {
          msgID: event.id,
          expect: { lastSubjectSequence: expected },
          headers: h,
        });
        expected = ack.seq;
        seqs.push(ack.seq);
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) {
          throw new ConcurrencyError(subject, expected);
        }
        throw err;
      }
    }
    return { seq: expected, seqs };
  }

  async read(tenantId: string, aggregate: AggregateRef): Promise<AggregateEvents> {
    const subject = this.subjectOf(tenantId, aggregate);
    const stream = await this.js.streams.get(this.ns.streams.events);
    const last = await stream.getMessage({ last_by_subj: subject });
    const events: StoredEvent[] = [];
    if (!last) return { events, version: 0, seq: 0 };
    const consumer = await this.js.consumers.get(this.ns.streams.events, {
      filter_subjects: subject, // a single filter: multi-filter needs server 2.10
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    for await (const m of messages) {
      events.push(storedOf(m));
      if (m.seq >= last.seq) break;
    }
    await messages.close();
    return { events, version: events.length, seq: events.at(-1)?.seq ?? 0 };
  }

  async *readAll(opts: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    for await (const m of replayMessages(this.nc, this.ns.streams.events, this.filterOf(opts), (opts.afterSeq ?? 0) + 1)) {
      const stored = readable(m, opts);
      if (stored) yield stored;
    }
  }

  subscribe(opts: ReadAllOptions = {}): EventSubscription {
    const afterSeq = opts.afterSeq ?? 0;
    // An ordered consumer: no server-side state to clean up, redelivered in order after a reconnect.
    const messages = this.js.consumers
      .get(this.ns.streams.events, {
        filter_subjects: this.filterOf(opts),
        ...(afterSeq > 0
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 }
          : { deliver_policy: DeliverPolicy.All }),
      })
      .then((consumer) => consumer.consume());
    return {
      async close() {
        await (await messages).close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const m of await messages) {
          const stored = readable(m, opts);
          if (stored) yield stored;
        }
      },
    };
  }

  private filterOf(opts: ReadAllOptions): string {
    return opts.aggregateType ? subjects.eventsOfType(this.ns, opts.aggregateType) : subjects.allEvents(this.ns);
  }
}

export function storedOf(m: JsMsg): StoredEvent {
  return { seq: m.seq, event: parseEvent(m.json()) };
}

/** The stored event, or (when the reader asked to be told) nothing for a message that is no event. */
function readable(m: JsMsg, opts: ReadAllOptions): StoredEvent | undefined {
  if (!opts.onUnreadable) return storedOf(m);
  try {
    return storedOf(m);
  } catch (err) {
    opts.onUnreadable(m.seq, err);
    return undefined;
  }
}
