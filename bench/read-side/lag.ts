// Projection lag and backlog, worked out from two logs: when each stream sequence was
// published (its PubAck), and when the projection's committed position moved. Pure: no I/O,
// no clock of its own, so it is tested directly.

export type CommitStep = { position: number; atMs: number };

export type LagSummary = {
  /** Windows acknowledged by the stream. */
  published: number;
  /** Of those, committed by the projection before the end of the measurement. */
  applied: number;
  unapplied: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of the windows acknowledged `steadyAfterMs` or more after the first: the lag once started up. */
  steadyP99Ms: number;
  /**
   * Set when some windows were never applied: their lag counts as the time they waited until
   * the end, so a percentile at or above this value is only a lower bound.
   */
  censoredFromMs?: number;
  /** From the publish call to its PubAck: the stream's own part, not counted in the lag. */
  ackP50Ms: number;
  ackP99Ms: number;
  firstAckMs: number;
  lastAckMs: number;
  /** When the last window was committed, or undefined when none was. */
  lastCommitMs?: number;
};

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export class LagTracker {
  private readonly sent: number[] = [];
  private readonly acked: number[] = [];
  private readonly seqs: number[] = [];
  private readonly steps: CommitStep[] = [];
  private maxSeq = 0;

  /** A window the stream stored as `seq`: published at `sentMs`, acknowledged at `ackedMs`. */
  published(seq: number, sentMs: number, ackedMs: number): void {
    this.seqs.push(seq);
    this.sent.push(sentMs);
    this.acked.push(ackedMs);
    if (seq > this.maxSeq) this.maxSeq = seq;
  }

  /** The projection has committed everything up to `position`, as seen at `atMs`. A step that does not advance is ignored. */
  committed(position: number, atMs: number): void {
    const last = this.steps.at(-1);
    if (last && position <= last.position) return;
    this.steps.push({ position, atMs: last ? Math.max(atMs, last.atMs) : atMs });
  }

  get count(): number {
    return this.seqs.length;
  }

  /** How many times the committed position advanced: the batches (transactions) the consumer committed. */
  get commits(): number {
    return this.steps.length;
  }

  /** The highest sequence acknowledged so far: the stream's last sequence. */
  get lastSeq(): number {
    return this.maxSeq;
  }

  get position(): number {
    return this.steps.at(-1)?.position ?? 0;
  }

  /** The committed position as seen at `atMs`. */
  positionAt(atMs: number): number {
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid]!.atMs <= atMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.steps[lo - 1]!.position;
  }

  /** When `seq` was first seen committed, or undefined. */
  commitTimeOf(seq: number): number | undefined {
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid]!.position >= seq) hi = mid;
      else lo = mid + 1;
    }
    return this.steps[lo]?.atMs;
  }

  /** Lag percentiles; windows not applied by `endMs` count as lagging `endMs - ack`. */
  summary(endMs: number, steadyAfterMs = 10_000): LagSummary {
    const n = this.seqs.length;
    const lags = new Float64Array(n);
    const acks = new Float64Array(n);
    let unapplied = 0;
    let censoredFrom = Infinity;
    let lastCommit: number | undefined;
    let firstAck = Infinity;
    let lastAck = -Infinity;
    for (let i = 0; i < n; i++) {
      const ack = this.acked[i]!;
      firstAck = Math.min(firstAck, ack);
      lastAck = Math.max(lastAck, ack);
      acks[i] = ack - this.sent[i]!;
      const at = this.commitTimeOf(this.seqs[i]!);
      if (at === undefined || at > endMs) {
        unapplied++;
        lags[i] = Math.max(0, endMs - ack);
        censoredFrom = Math.min(censoredFrom, lags[i]!);
      } else {
        // A commit seen before the PubAck came back (both are asynchronous) is no lag at all.
        lags[i] = Math.max(0, at - ack);
        lastCommit = lastCommit === undefined ? at : Math.max(lastCommit, at);
      }
    }
    const steady = lags.filter((_, i) => this.acked[i]! >= firstAck + steadyAfterMs).sort(); // a Float64Array of its own
    lags.sort();
    acks.sort();
    return {
      published: n,
      applied: n - unapplied,
      unapplied,
      p50Ms: percentile(lags, 50),
      p90Ms: percentile(lags, 90),
      p99Ms: percentile(lags, 99),
      maxMs: n > 0 ? lags[n - 1]! : Number.NaN,
      steadyP99Ms: percentile(steady, 99),
      censoredFromMs: unapplied > 0 ? censoredFrom : undefined,
      ackP50Ms: percentile(acks, 50),
      ackP99Ms: percentile(acks, 99),
      firstAckMs: n > 0 ? firstAck : Number.NaN,
      lastAckMs: n > 0 ? lastAck : Number.NaN,
      lastCommitMs: lastCommit,
    };
  }

  /**
   * The backlog (stream's last sequence less the committed position) at most every `gridMs`,
   * reduced to its peak in each second from `fromMs` to `toMs`: the figure that shows whether
   * the projection falls behind, whatever the phase of the publisher's bursts.
   */
  backlogPeaks(fromMs: number, toMs: number, gridMs = 10): number[] {
    const order = this.acked.map((_at, i) => i).sort((a, b) => this.acked[a]! - this.acked[b]!);
    const peaks: number[] = [];
    let ai = 0;
    let si = 0;
    let lastSeq = 0;
    let position = 0;
    for (let second = 0; fromMs + second * 1000 < toMs; second++) {
      let peak = 0;
      const end = Math.min(toMs, fromMs + (second + 1) * 1000);
      for (let t = fromMs + second * 1000; t < end; t += gridMs) {
        while (ai < order.length && this.acked[order[ai]!]! <= t) lastSeq = Math.max(lastSeq, this.seqs[order[ai++]!]!);
        while (si < this.steps.length && this.steps[si]!.atMs <= t) position = this.steps[si++]!.position;
        peak = Math.max(peak, lastSeq - position);
      }
      peaks.push(peak);
    }
    return peaks;
  }
}

/** Least-squares slope of `ys` against their index (per second when one value a second). */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (ys[i]! - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}

/** A backlog grows when its per-second peaks rise by more than this share of the offered rate, each second. */
export const GROWTH_SHARE = 0.02;

/**
 * Whether the backlog grows: the slope of the per-second peaks over the second half of the
 * publishing (the first half holds the warm-up), against GROWTH_SHARE of the offered rate.
 */
export function backlogTrend(
  peaks: readonly number[],
  offeredPerSec: number,
): { slopePerSec: number; grows: boolean; thresholdPerSec: number } {
  const half = peaks.length >= 6 ? peaks.slice(Math.floor(peaks.length / 2)) : peaks;
  const s = slope(half);
  const thresholdPerSec = Math.max(1, GROWTH_SHARE * offeredPerSec);
  return { slopePerSec: s, grows: s > thresholdPerSec, thresholdPerSec };
}
