import type { AggregateRef, AggregateType, EventEnvelope } from "./envelope.ts";

/** An event as stored: its position in the store (`seq`, shared by every aggregate) and the event. */
export type StoredEvent = { seq: number; event: EventEnvelope };

/**
 * One aggregate's events in order. `version` is their count (what an If-Match names);
 * `seq` is the position of the last one, what the next append expects (0: none yet).
 */
export type AggregateEvents = { events: StoredEvent[]; version: number; seq: number };

export type AppendOptions = {
  /** The `seq` of the aggregate's last event as the writer read it: another writer since makes the append a ConcurrencyError. */
  expectedSeq: number;
  /** W3C trace context, carried beside the event (headers on JetStream; the envelopes' own `traceparent` is the same). */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
};

/** Where the appended events landed: `seq` is the last one's, what the next append expects. */
export type AppendResult = { seq: number; seqs: number[] };

/**
 * Which stored events to read: those after `afterSeq` (default: all), of one aggregate type or
 * of all. An event that cannot be read is an error, unless `onUnreadable` is given: it is then
 * told, and the event skipped.
 */
export type ReadAllOptions = { afterSeq?: number; aggregateType?: AggregateType; onUnreadable?: (seq: number, error: unknown) => void };

/** A live read of the store: every event after a position, then each new one as it is appended, until closed. */
export interface EventSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

/**
 * The event store: append-only streams, one per aggregate, with optimistic concurrency on
 * the position of an aggregate's last event. A retried append of the same event ids is
 * idempotent. JetStream is the production store; the in-memory one is its twin for tests of
 * the domain, and both pass the same contract suite (`eventStoreContract` in @loadline/core/testing).
 */
export interface EventStore {
  append(tenantId: string, aggregate: AggregateRef, events: readonly EventEnvelope[], opts: AppendOptions): Promise<AppendResult>;
  read(tenantId: string, aggregate: AggregateRef): Promise<AggregateEvents>;
  /** The events stored now after the position, in order; ends at the last one. */
  readAll(opts?: ReadAllOptions): AsyncIterable<StoredEvent>;
  subscribe(opts?: ReadAllOptions): EventSubscription;
}
