import type { Lane } from "@loadline/core";

/**
 * Smooth weighted round-robin (as nginx balances upstreams): each pick adds every weight to
 * its running score and takes the highest, which then gives back the total. Over any run of
 * picks each index gets its share within one pick, and the picks interleave (3:1 gives
 * 0,0,1,0 rather than 0,0,0,1), so a split of VUs, arrivals or iterations by weight is exact.
 */
export class SmoothWeightedRoundRobin {
  private readonly scores: number[];
  private readonly total: number;

  constructor(private readonly weights: readonly number[]) {
    if (weights.length === 0) throw new Error("no weights");
    if (weights.some((w) => !(w > 0))) throw new Error("weights must be positive");
    this.scores = weights.map(() => 0);
    this.total = weights.reduce((a, b) => a + b, 0);
  }

  next(): number {
    if (this.weights.length === 1) return 0;
    let best = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.scores[i]! += this.weights[i]!;
      if (this.scores[i]! > this.scores[best]!) best = i;
    }
    this.scores[best]! -= this.total;
    return best;
  }
}

/**
 * The picks of one lane: a thread that takes items offset, offset + stride, ... of a sequence
 * shared by all threads sees the same picks those items get in the whole sequence.
 */
export class LanePicks {
  private readonly picks: SmoothWeightedRoundRobin;
  /** The other lanes' picks before this lane's next: its index before its first, count - 1 after. */
  private skip: number;

  constructor(
    weights: readonly number[],
    private readonly lane: Lane,
  ) {
    this.picks = new SmoothWeightedRoundRobin(weights);
    this.skip = lane.index;
  }

  next(): number {
    for (let i = 0; i < this.skip; i++) this.picks.next();
    // One path for every pick: a branch only the first took is one optimised code has no feedback for.
    this.skip = this.lane.count - 1;
    return this.picks.next();
  }
}

/** Random access to the picks by item number (VU number), computed once each as they are asked for. */
export class PickSequence {
  private readonly picks: SmoothWeightedRoundRobin;
  private readonly known: number[] = [];

  constructor(weights: readonly number[]) {
    this.picks = new SmoothWeightedRoundRobin(weights);
  }

  at(item: number): number {
    while (this.known.length <= item) this.known.push(this.picks.next());
    return this.known[item]!;
  }
}

/** Picks looked up by item number (VU number). */
export type PicksByItem = { at(item: number): number };
/** Picks taken in item order (arrivals, shared iterations). */
export type PicksInOrder = { next(): number };
