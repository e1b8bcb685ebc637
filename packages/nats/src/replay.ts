import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";

/**
 * What a stream holds now on one subject filter, from a sequence, in order; then it ends.
 * An ephemeral consumer tells up front how many messages match (num_pending), so an
 * empty or filtered-out stream ends at once instead of waiting for news.
 */
export async function* replayMessages(nc: NatsConnection, stream: string, filterSubject: string, fromSeq = 1): AsyncGenerator<JsMsg> {
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
    if (left === 0) return;
    const consumer = await jetstream(nc).consumers.get(stream, info.name);
    const messages = await consumer.consume({ max_messages: 1000 });
    try {
      for await (const m of messages) {
        yield m;
        if (--left === 0) break;
      }
    } finally {
      await messages.close();
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

/** Replays what a stream holds now (see replayMessages) into a handler; answers how many messages it had. */
export async function replayStream(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  onMessage: (m: JsMsg) => void | Promise<void>,
  fromSeq = 1,
): Promise<number> {
  let count = 0;
  for await (const m of replayMessages(nc, stream, filterSubject, fromSeq)) {
    await onMessage(m);
    count++;
  }
  return count;
}
