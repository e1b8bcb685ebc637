import type { Executor, Lane } from "@loadline/core";

type ArrivalExecutor = Extract<Executor, { type: "constant-arrival-rate" | "ramping-arrival-rate" }>;

/** A stretch of time over which the arrival rate (per second) moves linearly from `from` to `to`. */
export type RateSegment = { durationSec: number; from: number; to: number };

/** The rate of an arrival-rate executor over time, in iterations per second. */
export function rateSegments(e: ArrivalExecutor): RateSegment[] {
  const perSec = (rate: number) => rate / e.timeUnitSec;
  if (e.type === "constant-arrival-rate") return [{ durationSec: e.durationSec, from: perSec(e.rate), to: perSec(e.rate) }];
  let from = perSec(e.startRate);
  return e.stages.map((s) => {
    const segment = { durationSec: s.durationSec, from, to: perSec(s.target) };
    from = segment.to;
    return segment;
  });
}

/**
 * The intended start times of an open executor's iterations: iteration i is due when the
 * expected count of arrivals so far (the integral of the rate) reaches i, so the first is
 * due at once and a constant rate r spaces them exactly 1/r apart. Each time is computed
 * from the rate function, never by adding intervals up, so nothing drifts. A lane yields
 * only its own iterations (i ≡ lane.index mod lane.count).
 */
export class ArrivalSchedule {
  private segment = 0;
  /** Seconds from the start at which the current segment starts, and the arrivals expected before it. */
  private segmentStartSec = 0;
  private segmentStartCount = 0;
  private nextIndex: number;

  constructor(
    private readonly segments: readonly RateSegment[],
    private readonly lane: Lane = { index: 0, count: 1 },
  ) {
    this.nextIndex = lane.index;
  }

  /** The number (in the whole schedule) of the iteration the next `next()` returns. */
  get upcomingIndex(): number {
    return this.nextIndex;
  }

  /** Milliseconds from the start at which the lane's next iteration is due; undefined once the schedule is over. */
  next(): number | undefined {
    const n = this.nextIndex;
    for (; this.segment < this.segments.length; this.segment++) {
      const s = this.segments[this.segment]!;
      const expected = ((s.from + s.to) / 2) * s.durationSec;
      const offset = offsetWithin(s, n - this.segmentStartCount);
      if (offset !== undefined && offset < s.durationSec) {
        this.nextIndex += this.lane.count;
        return (this.segmentStartSec + offset) * 1000;
      }
      this.segmentStartSec += s.durationSec;
      this.segmentStartCount += expected;
    }
    return undefined;
  }
}

/**
 * When, within a segment, `count` arrivals are expected since its start: solves
 * from·u + (to − from)/(2·d)·u² = count for u. Written as 2c / (b + √(b² + 4ac)) so that it
 * stays exact when the rate barely changes. Undefined when the segment never gets that many.
 */
function offsetWithin(s: RateSegment, count: number): number | undefined {
  if (count <= 0) return 0;
  const a = (s.to - s.from) / (2 * s.durationSec);
  const b = s.from;
  const disc = b * b + 4 * a * count;
  if (disc < 0) return undefined;
  const denom = b + Math.sqrt(disc);
  if (denom <= 0) return undefined;
  return (2 * count) / denom;
}

/** How many iterations a schedule holds in all (for tests and planning). */
export function arrivalCount(segments: readonly RateSegment[], lane?: Lane): number {
  const schedule = new ArrivalSchedule(segments, lane);
  let n = 0;
  while (schedule.next() !== undefined) n++;
  return n;
}
