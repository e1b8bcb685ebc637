import type { Logger } from "@loadline/service";
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
} from "@nats-io/jetstream";

const CONSUMER_NOT_FOUND = 10014;

export type DurableSpec = {
  stream: string;
  durable: string;
  filterSubject: string;
  /**
   * Deliveries it may have unacked. Acks come only after a batch commits, so this must hold
   * several batches: with the server's default (1000) and batches of 2000, delivery stopped
   * during every commit and a replay ran at a fifth of its speed.
   */
  maxAckPending: number;
};

/** Why an existing durable cannot be resumed from the checkpoint, or null when it can. */
export function staleReason(info: ConsumerInfo, spec: DurableSpec, checkpoint: number): string | null {
  // The database lost what the consumer says was applied (a reset or an older backup).
  if (info.ack_floor.stream_seq > checkpoint) return `ack floor ${info.ack_floor.stream_seq} is ahead of checkpoint ${checkpoint}`;
  // Deliveries of a previous process that were never acked would come back only after their
  // ack wait, behind newer messages: starting again from the checkpoint is quicker.
  if (info.num_ack_pending > 0) return `${info.num_ack_pending} deliveries of a previous process are still pending`;
  if (info.config.filter_subject !== spec.filterSubject) return `filter is ${info.config.filter_subject ?? "none"}`;
  if (info.config.ack_policy !== AckPolicy.All) return `ack policy is ${info.config.ack_policy}`;
  return null;
}

/** True when only settings that can be changed in place differ. */
const needsUpdate = (info: ConsumerInfo, spec: DurableSpec): boolean => info.config.max_ack_pending !== spec.maxAckPending;

/**
 * Makes sure the projection's durable pull consumer exists and resumes right after the
 * checkpoint: the database, not the consumer, says what was applied.
 */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec, checkpoint: number, log: Logger): Promise<void> {
  const info = await jsm.consumers.info(spec.stream, spec.durable).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return null;
    throw err;
  });
  if (info) {
    const reason = staleReason(info, spec, checkpoint);
    if (!reason) {
      if (needsUpdate(info, spec)) await jsm.consumers.update(spec.stream, spec.durable, { max_ack_pending: spec.maxAckPending });
      return;
    }
    log.warn({ durable: spec.durable, checkpoint, reason }, "recreating the durable consumer from the checkpoint");
    await jsm.consumers.delete(spec.stream, spec.durable);
  }
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    // A batch is acked by acking its last message: one ack per commit instead of one per message.
    ack_policy: AckPolicy.All,
    filter_subject: spec.filterSubject, // one subject: filter_subjects needs nats-server 2.10
    max_ack_pending: spec.maxAckPending,
    ...(checkpoint > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: checkpoint + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  };
  await jsm.consumers.add(spec.stream, config);
}

/** A deleted consumer ends the round: its messages stop, and the loop sets it up again from the checkpoint. */
export function stopWhenConsumerLost(messages: ConsumerMessages, log: Logger): void {
  void (async () => {
    for await (const s of messages.status()) {
      if (s.type === "consumer_deleted" || s.type === "consumer_not_found" || s.type === "stream_not_found") {
        log.warn({ status: s.type }, "consumer lost: setting it up again");
        messages.stop();
      }
    }
  })().catch(() => undefined);
}
