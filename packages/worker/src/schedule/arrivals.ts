import type { Executor, Lane } from "@loadline/core";

const WHOLE: Lane = { index: 0, count: 1 };

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

/** An arrival-rate factor from `atMs` after the start on (a live run's scale). */
export type RateChange = { atMs: number; factor: number };

/**
 * The segments with each change's factor applied from its instant on: a piecewise-linear
 * rate times a piecewise-constant factor is piecewise linear again, so the schedule over them
 * stays exact and smooth (the expected count is continuous at each change: no arrival is
 * repeated, none is thinned at random). `changes` in order; none: the segments as they are.
 */
export function scaledSegments(segments: readonly RateSegment[], changes: readonly RateChange[]): RateSegment[] {
  if (changes.length === 0) return [...segments];
  const out: RateSegment[] = [];
  let startSec = 0;
  let next = 0;
  let factor = 1;
  for (const s of segments) {
    const rateAt = (u: number) => s.from + ((s.to - s.from) * u) / s.durationSec;
    const offsetOf = (c: RateChange) => c.atMs / 1000 - startSec;
    for (let a = 0; a < s.durationSec; ) {
      for (; next < changes.length && offsetOf(changes[next]!) <= a; next++) factor = changes[next]!.factor;
      // The same expression as the test above: b > a, always.
      const b = next < changes.length ? Math.min(s.durationSec, offsetOf(changes[next]!)) : s.durationSec;
      out.push({ durationSec: b - a, from: factor * rateAt(a), to: factor * rateAt(b) });
      a = b;
    }
    startSec += s.durationSec;
  }
  return out;
}

/** How long the segments last, in ms: when an open executor ends. */
export const segmentsMs = (segments: readonly RateSegment[]): number => segments.reduce((ms, s) => ms + s.durationSec * 1000, 0);

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

  /** `firstIndex`: where a schedule rebuilt mid-run (a scale) takes over from the one it replaces; a number of the lane. */
  constructor(
    private readonly segments: readonly RateSegment[],
    private readonly lane: Lane = WHOLE,
    firstIndex: number = lane.index,
  ) {
    this.nextIndex = firstIndex;
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

  /**
   * Passes over most of the lane's iterations due before `ms` at once (a pause's, a late
   * joiner's): it stops short of them by a lane's turn or two, so that the caller, taking
   * `next()` while it is before `ms`, decides the last ones exactly.
   */
  skipBefore(ms: number): void {
    const target = Math.floor(this.expectedAt(ms)) - 2 * this.lane.count;
    if (target <= this.nextIndex) return;
    const { index, count } = this.lane;
    this.nextIndex = index + Math.floor((target - index) / count) * count;
  }

  /** The arrivals expected in the whole schedule by `ms` from its start: the integral of the rate. */
  private expectedAt(ms: number): number {
    let n = 0;
    let startSec = 0;
    const t = ms / 1000;
    for (const s of this.segments) {
      const u = t - startSec;
      if (u <= 0) break;
      if (u >= s.durationSec) n += ((s.from + s.to) / 2) * s.durationSec;
      else n += s.from * u + ((s.to - s.from) / (2 * s.durationSec)) * u * u;
      startSec += s.durationSec;
    }
    return n;
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
