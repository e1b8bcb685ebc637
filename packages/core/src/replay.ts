import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";

/**
 * Replays what a stream holds now on one subject filter, from a sequence, then returns.
 * An ephemeral consumer tells up front how many messages match (num_pending), so an
 * empty or filtered-out stream returns at once instead of waiting for news.
 */
export async function replayStream(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  onMessage: (m: JsMsg) => void | Promise<void>,
  fromSeq = 1,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    filter_subject: filterSubject,
    deliver_policy: fromSeq > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(fromSeq > 1 ? { opt_start_seq: fromSeq } : {}),
    inactive_threshold: nanos(30_000),
    mem_storage: true,
  });
  let left = info.num_pending;
  try {
    if (left === 0) return 0;
    const consumer = await jetstream(nc).consumers.get(stream, info.name);
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      await onMessage(m);
      if (--left === 0) break;
    }
    await messages.close();
    return info.num_pending;
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}
