import { type EventEnvelope, parseEvent } from "@loadline/core";
import { type Namespace, type NatsConnection, PULL_EXPIRES_MS, processing, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";

export type RunEventListener = { stop(): Promise<void> };

/**
 * Follows the run events appended from now on, in order, one at a time: `onEvent` is
 * awaited before the next event is handed over. The ordered consumer starts at the
 * stream's next sequence rather than with DeliverPolicy.New: an ordered consumer that
 * resets (after a reconnect) before it saw a message restarts from its start sequence,
 * and with "new" that would be sequence 1, replaying every run ever assigned.
 */
export async function listenToRunEvents(opts: {
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  onEvent: (event: EventEnvelope) => Promise<void>;
  /** Which events get a span when traced: a worker's own (every worker hears every run's events). Default: all. */
  traces?: (event: EventEnvelope) => boolean;
}): Promise<RunEventListener> {
  const { nc, ns, log, onEvent, traces = () => true } = opts;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(ns.streams.events);
  const consumer = await jetstream(nc).consumers.get(ns.streams.events, {
    filter_subjects: subjects.eventsOfType(ns, "run"), // one string: a list needs server 2.10
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: info.state.last_seq + 1,
  });
  const messages = await consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
  const done = (async () => {
    for await (const m of messages) {
      let event: EventEnvelope;
      try {
        event = parseEvent(m.json());
      } catch (err) {
        log.warn({ err, seq: m.seq }, "unreadable run event skipped");
        continue;
      }
      try {
        // Traced: a span of the event, child of its decision's.
        await (traces(event) ? processing(m, event, "event", () => onEvent(event)) : onEvent(event));
      } catch (err) {
        log.error({ err, type: event.type, runId: event.aggregate.id }, "run event handling failed");
      }
    }
  })();
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
