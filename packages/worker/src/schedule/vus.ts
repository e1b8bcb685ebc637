import type { Executor } from "@loadline/core";

type ClosedExecutor = Extract<Executor, { type: "constant-vus" | "ramping-vus" }>;

/** From `atMs` after the start on, `vus` virtual users should be running. */
export type VuChange = { atMs: number; vus: number };

/** A stretch of the planned VU line: from `from` to `to` VUs, linearly, over `durationSec` from `startSec`. */
type LineSegment = { startSec: number; durationSec: number; from: number; to: number };

/** Float noise (a factor like 0.3 times 10) must not move a count across a whole number. */
const EPSILON = 1e-6;

/**
 * A closed executor's planned VU count as a line: its level at the start, then straight
 * segments, until its end. constant-vus: flat, or rising one VU every 1/spawnRate s from 1 (cut
 * at its duration). ramping-vus: a segment per stage.
 */
function vuLine(e: ClosedExecutor): { start: number; segments: LineSegment[]; endSec: number } {
  if (e.type === "constant-vus") {
    if (!e.spawnRate || e.vus <= 1) return { start: e.vus, segments: [], endSec: e.durationSec };
    const rampSec = Math.min((e.vus - 1) / e.spawnRate, e.durationSec);
    return { start: 1, segments: [{ startSec: 0, durationSec: rampSec, from: 1, to: 1 + rampSec * e.spawnRate }], endSec: e.durationSec };
  }
  let startSec = 0;
  let from = e.startVUs;
  const segments = e.stages.map((s) => {
    const segment = { startSec, durationSec: s.durationSec, from, to: s.target };
    startSec += s.durationSec;
    from = s.target;
    return segment;
  });
  return { start: e.startVUs, segments, endSec: startSec };
}

/** The count after the line, scaled, went from `v0` to `v`: it becomes n when the line crosses n in its direction. */
function crossed(count: number, v0: number, v: number): number {
  if (v > v0) {
    const n = Math.floor(v + EPSILON);
    return n > Math.floor(v0 + EPSILON) ? n : count;
  }
  if (v < v0) {
    const n = Math.ceil(v - EPSILON);
    return n < Math.ceil(v0 - EPSILON) ? n : count;
  }
  return count;
}

/**
 * The VU count of a closed executor over time, as the moments it changes, ending with 0 at
 * the executor's end. constant-vus: all at once, or one every 1/spawnRate s. ramping-vus: a
 * straight line through the stages, the count changing each time the line crosses a whole
 * number (a ramp from 0 to 10 over 10 s adds a VU each second, the first after 1 s).
 *
 * `factor` scales the line (a live run's scale): every level is multiplied by it, so a ramp
 * ×2 adds a VU twice as often rather than two at a time, and a constant count is rounded. From
 * `fromMs` on (a scale mid-run): the first change is the count at `fromMs`, then those after.
 */
export function* vuTimeline(e: ClosedExecutor, factor = 1, fromMs = 0): Generator<VuChange> {
  const { start, segments, endSec } = vuLine(e);
  const endMs = endSec * 1000;
  if (fromMs >= endMs) {
    yield { atMs: endMs, vus: 0 };
    return;
  }
  let count = Math.round(start * factor);
  let i = 0;
  // The segments over by `fromMs`, then the part of the current one before it.
  for (; i < segments.length && (segments[i]!.startSec + segments[i]!.durationSec) * 1000 <= fromMs; i++) {
    const s = segments[i]!;
    count = crossed(count, s.from * factor, s.to * factor);
  }
  let v0 = Number.NaN;
  const current = segments[i];
  if (current && current.startSec * 1000 < fromMs) {
    const at = (fromMs / 1000 - current.startSec) / current.durationSec;
    v0 = factor * (current.from + (current.to - current.from) * at);
    count = crossed(count, current.from * factor, v0);
  }
  yield { atMs: fromMs, vus: count };
  for (; i < segments.length; i++) {
    const s = segments[i]!;
    const from = s.from * factor;
    const to = s.to * factor;
    const v = Number.isNaN(v0) ? from : v0;
    v0 = Number.NaN;
    // Going up n = ⌊v⌋+1 … ⌊to⌋, going down ⌈v⌉−1 … ⌈to⌉: when the line reaches n.
    const counts =
      to > v
        ? range(Math.floor(v + EPSILON) + 1, Math.floor(to + EPSILON), 1)
        : range(Math.ceil(v - EPSILON) - 1, Math.ceil(to - EPSILON), -1);
    for (const n of counts) {
      if (n === count) continue;
      count = n;
      yield { atMs: Math.max(fromMs, (s.startSec + (s.durationSec * (n - from)) / (to - from)) * 1000), vus: n };
    }
  }
  yield { atMs: endMs, vus: 0 };
}

/** The VU count `elapsedMs` after the start, per the timeline (scaled by `factor`). */
export function vusAt(e: ClosedExecutor, elapsedMs: number, factor = 1): number {
  return vuTimeline(e, factor, elapsedMs).next().value?.vus ?? 0;
}

function* range(first: number, last: number, step: 1 | -1): Generator<number> {
  for (let n = first; step > 0 ? n <= last : n >= last; n += step) yield n;
}
