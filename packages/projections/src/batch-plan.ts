/**
 * What to do with a batch of delivered messages, given the checkpoint. A projection must
 * apply every message once and in stream order, so only the run of sequences that follows
 * the checkpoint without a hole is applied; the rest waits for the hole to be filled (a
 * message lost in transit comes back after its ack wait). Holes below the stream's first
 * sequence are messages that aged out of the stream: they will never come, so they don't count.
 */
export type BatchPlan<M> = {
  /** Already applied (seq <= checkpoint) or a second delivery of a sequence: ack only. */
  skip: M[];
  /** In order, without a hole after the checkpoint: apply, then ack. */
  apply: M[];
  /** After a hole: not applied now, to be delivered again. */
  later: M[];
};

export function planBatch<M extends { seq: number }>(messages: readonly M[], checkpoint: number, streamFirstSeq = 1): BatchPlan<M> {
  const plan: BatchPlan<M> = { skip: [], apply: [], later: [] };
  const sorted = [...messages].sort((a, b) => a.seq - b.seq);
  let next = checkpoint + 1;
  let lastSeen = -1;
  for (const m of sorted) {
    if (m.seq <= checkpoint || m.seq === lastSeen) plan.skip.push(m);
    else if (plan.later.length === 0 && (m.seq === next || m.seq <= streamFirstSeq)) {
      plan.apply.push(m);
      next = m.seq + 1;
    } else plan.later.push(m);
    lastSeen = m.seq;
  }
  return plan;
}
