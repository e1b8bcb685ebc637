import type { Executor } from "@loadline/core";

type ClosedExecutor = Extract<Executor, { type: "constant-vus" | "ramping-vus" }>;

/** From `atMs` after the start on, `vus` virtual users should be running. */
export type VuChange = { atMs: number; vus: number };

/**
 * The VU count of a closed executor over time, as the moments it changes, ending with 0 at
 * the executor's end. constant-vus: all at once, or one every 1/spawnRate s. ramping-vus: a
 * straight line through the stages, the count changing each time the line crosses a whole
 * number (a ramp from 0 to 10 over 10 s adds a VU each second, the first after 1 s).
 */
export function* vuTimeline(e: ClosedExecutor): Generator<VuChange> {
  if (e.type === "constant-vus") {
    if (!e.spawnRate) yield { atMs: 0, vus: e.vus };
    else for (let k = 1; k <= e.vus; k++) yield { atMs: ((k - 1) * 1000) / e.spawnRate, vus: k };
    yield { atMs: e.durationSec * 1000, vus: 0 };
    return;
  }
  let at = 0;
  let level = e.startVUs;
  yield { atMs: 0, vus: level };
  for (const stage of e.stages) {
    const from = level;
    const to = stage.target;
    // The count becomes n when the line reaches n: going up n = ⌊from⌋+1 … ⌊to⌋, going down ⌈from⌉−1 … ⌈to⌉.
    const counts = to > from ? range(Math.floor(from) + 1, Math.floor(to), 1) : range(Math.ceil(from) - 1, Math.ceil(to), -1);
    for (const n of counts) yield { atMs: (at + (stage.durationSec * (n - from)) / (to - from)) * 1000, vus: n };
    at += stage.durationSec;
    level = to;
  }
  yield { atMs: at * 1000, vus: 0 };
}

/** The VU count `elapsedMs` after the start, per the timeline (for tests and logs). */
export function vusAt(e: ClosedExecutor, elapsedMs: number): number {
  let vus = 0;
  for (const change of vuTimeline(e)) {
    if (change.atMs > elapsedMs) break;
    vus = change.vus;
  }
  return vus;
}

function* range(first: number, last: number, step: 1 | -1): Generator<number> {
  for (let n = first; step > 0 ? n <= last : n >= last; n += step) yield n;
}
