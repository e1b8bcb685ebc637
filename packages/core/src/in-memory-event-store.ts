import type { AggregateRef, EventEnvelope } from "./envelope.ts";
import { ConcurrencyError } from "./errors.ts";
import type {
  AggregateEvents,
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  StoredEvent,
} from "./event-store.ts";

const keyOf = (tenantId: string, aggregate: AggregateRef): string => `${tenantId}/${aggregate.type}/${aggregate.id}`;

/**
 * The event store in memory: one log, positions from 1, an index per aggregate. It keeps the
 * JetStream store's promises (expected position, idempotent retries by event id, order) so
 * deciders and command handling are tested without a server. One difference: it remembers
 * every event id for ever, where JetStream forgets them after its duplicate window (2 min), so
 * a retry later than that is a ConcurrencyError there and a duplicate here.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly byAggregate = new Map<string, StoredEvent[]>();
  private readonly byEventId = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  async append(tenantId: string, aggregate: AggregateRef, events: readonly EventEnvelope[], opts: AppendOptions): Promise<AppendResult> {
    const key = keyOf(tenantId, aggregate);
    const stream = this.byAggregate.get(key) ?? [];
    let expected = opts.expectedSeq;
    const seqs: number[] = [];
    for (const event of events) {
      const duplicate = this.byEventId.get(event.id);
      if (duplicate !== undefined) {
        // As JetStream's dedup: the retry of a stored event answers its first position.
        expected = duplicate;
        seqs.push(duplicate);
        continue;
      }
      if ((stream.at(-1)?.seq ?? 0) !== expected) throw new ConcurrencyError(key, expected);
      const stored = { seq: this.log.length + 1, event };
      this.log.push(stored);
      stream.push(stored);
      this.byEventId.set(event.id, stored.seq);
      expected = stored.seq;
      seqs.push(stored.seq);
    }
    this.byAggregate.set(key, stream);
    for (const wake of this.listeners) wake();
    return { seq: expected, seqs };
  }

  async read(tenantId: string, aggregate: AggregateRef): Promise<AggregateEvents> {
    const events = [...(this.byAggregate.get(keyOf(tenantId, aggregate)) ?? [])];
    return { events, version: events.length, seq: events.at(-1)?.seq ?? 0 };
  }

  async *readAll(opts: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const end = this.log.length;
    for (let i = opts.afterSeq ?? 0; i < end; i++) {
      const stored = this.log[i];
      if (stored && matches(stored, opts)) yield stored;
    }
  }

  subscribe(opts: ReadAllOptions = {}): EventSubscription {
    let next = opts.afterSeq ?? 0;
    let closed = false;
    let wake: (() => void) | undefined;
    const listeners = this.listeners;
    const log = this.log;
    const listener = () => wake?.();
    listeners.add(listener);
    return {
      async close() {
        closed = true;
        listeners.delete(listener);
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        try {
          while (!closed) {
            const stored = log[next];
            if (stored) {
              next++;
              if (matches(stored, opts)) yield stored;
              continue;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        } finally {
          // A reader that breaks out of its loop is done with the subscription too.
          listeners.delete(listener);
        }
      },
    };
  }
}

const matches = (stored: StoredEvent, opts: ReadAllOptions): boolean =>
  opts.aggregateType === undefined || stored.event.aggregate.type === opts.aggregateType;
