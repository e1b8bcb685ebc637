import { type EventEnvelope, parseEvent } from "@loadline/core";
import { type Namespace, type NatsConnection, PULL_EXPIRES_MS, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { Db } from "../database.ts";
import type { PgReadModel } from "../read-model.ts";
import { isSubscribable, wants } from "./matching.ts";
import { renderBody } from "./payload.ts";
import { enabledWebhooks, insertDeliveries } from "./queries.ts";
import { subjectOf } from "./subject.ts";

export type DispatcherDeps = { nc: NatsConnection; ns: Namespace; db: Db; readModel: PgReadModel; log: Logger; durable?: string };

/** The durable consumer's name: one for every projections process (the messages are shared out, not copied). */
export const DISPATCHER_DURABLE = "webhooks";

/** How long a message waits for the events projection to apply it before it is handed back for later. */
const PROJECTED_WAIT_MS = 5_000;
const RETRY_DELAY_MS = 2_000;

/**
 * Turns events into deliveries. A durable consumer on the events stream (one filter for all of
 * it: nats-server 2.9 has no filter_subjects, so the types are picked here) hands each event over
 * once the events projection has applied it (so a subscription made just before the event is
 * there to match); the matching subscriptions get a delivery row each, and the message is acked
 * only once they are committed. A redelivered message finds its rows there (unique on
 * subscription and event) and adds none. Made new, the consumer starts at the stream's end: old
 * events are not sent to subscriptions that did not exist yet; from then on it is durable, so
 * what is stored while no process dispatches is dispatched when one is back.
 */
export class WebhookDispatcher {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly deps: DispatcherDeps) {}

  private get durable(): string {
    return this.deps.durable ?? DISPATCHER_DURABLE;
  }

  async start(): Promise<void> {
    const { nc, ns } = this.deps;
    const jsm = await jetstreamManager(nc);
    const exists = await jsm.consumers.info(ns.streams.events, this.durable).catch(() => null);
    if (!exists)
      await jsm.consumers.add(ns.streams.events, {
        durable_name: this.durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(30_000),
        max_ack_pending: 256,
        filter_subject: subjects.allEvents(ns),
        deliver_policy: DeliverPolicy.New,
      });
    const consumer = await jetstream(nc).consumers.get(ns.streams.events, this.durable);
    const messages = await consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
    this.messages = messages;
    this.loop = (async () => {
      for await (const m of messages) await this.handle(m);
    })().catch((err: unknown) => this.deps.log.error({ err }, "webhook dispatcher stopped"));
  }

  /** Stops taking messages; the one in hand is finished (acked) or left unacked, to come back. */
  async stop(): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async handle(m: JsMsg): Promise<void> {
    const { log } = this.deps;
    let event: EventEnvelope;
    try {
      event = parseEvent(m.json());
    } catch (err) {
      // Nothing will make it readable: dropped, loudly, so that it does not hold up the rest.
      log.warn({ err: err instanceof Error ? err.message : err, subject: m.subject, seq: m.seq }, "unreadable event skipped by webhooks");
      m.term();
      return;
    }
    if (!isSubscribable(event)) return m.ack();
    try {
      if (!(await this.deps.readModel.waitForEvents(m.seq, PROJECTED_WAIT_MS))) return m.nak(RETRY_DELAY_MS);
      const count = await this.dispatch(event);
      if (count > 0) log.debug({ type: event.type, id: event.id, deliveries: count }, "webhook deliveries made");
      m.ack();
    } catch (err) {
      // The database away or similar: the message comes back and is matched again (no duplicate rows).
      log.warn({ err, type: event.type, seq: m.seq }, "webhook dispatch failed, will retry");
      m.nak(RETRY_DELAY_MS);
    }
  }

  /** The deliveries of one event: one per subscription that wants it, in one statement. */
  private async dispatch(event: EventEnvelope): Promise<number> {
    const { db, readModel } = this.deps;
    const subscriptions = await enabledWebhooks(db, event.tenantId);
    if (!subscriptions.some((s) => s.events.includes(event.type))) return 0;
    const { subject, run } = await subjectOf(db, readModel, event);
    const matched = subscriptions.filter((s) => wants(s, event.type, subject));
    const ctx = { runId: subject.runId, run };
    const rows = matched.map((s) => ({
      tenantId: event.tenantId,
      webhookId: s.id,
      eventId: event.id,
      eventType: event.type,
      body: renderBody(s.format, event, ctx),
    }));
    return (await insertDeliveries(db, rows, new Date())).length;
  }
}
