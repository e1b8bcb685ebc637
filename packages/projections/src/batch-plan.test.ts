import { describe, expect, it } from "vitest";
import { planBatch } from "./batch-plan.ts";

const seqs = (list: { seq: number }[]) => list.map((m) => m.seq);
const msgs = (...s: number[]) => s.map((seq) => ({ seq }));

describe("planBatch", () => {
  it("applies the sequences that follow the checkpoint, in order", () => {
    const plan = planBatch(msgs(7, 5, 6), 4);
    expect(seqs(plan.apply)).toEqual([5, 6, 7]);
    expect(plan.skip).toEqual([]);
    expect(plan.later).toEqual([]);
  });

  it("skips what the checkpoint covers and second deliveries", () => {
    const plan = planBatch(msgs(3, 4, 5, 5, 6), 4);
    expect(seqs(plan.skip)).toEqual([3, 4, 5]);
    expect(seqs(plan.apply)).toEqual([5, 6]);
  });

  it("holds back everything after a hole", () => {
    const plan = planBatch(msgs(5, 7, 8), 4);
    expect(seqs(plan.apply)).toEqual([5]);
    expect(seqs(plan.later)).toEqual([7, 8]);
  });

  it("accepts a hole of messages that aged out of the stream", () => {
    expect(seqs(planBatch(msgs(100, 101), 0, 100).apply)).toEqual([100, 101]);
    expect(seqs(planBatch(msgs(100, 101), 0, 1).later)).toEqual([100, 101]);
  });
});
