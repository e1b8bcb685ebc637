import type { GeneratorHealth } from "./schemas/metrics.ts";

/**
 * Where a second of load stops being the target's and becomes the generator's (issue 24). Past
 * any bound the worker flags the second `saturated`: the run record, the summary, the console and
 * the report warn, naming the worker and the seconds.
 * - an open executor started its iterations late against their schedule (timer slip, p99): the
 *   arrival rate it was asked for was not the one sent, and every late iteration's latency (counted
 *   from its intended start) carries the lateness;
 * - an engine thread's event loop ran late (p99 of its 10 ms probe): every response read in that
 *   second waited up to that long before it was timed;
 * - the busiest engine thread ran nearly all of the second: no headroom, whatever the loop showed.
 * The bounds are wide enough that a loaded 2-core CI host running other suites beside a light run
 * stays under them, and narrow enough that a stall the size of a fast service's latency does not.
 */
export const GENERATOR_BOUNDS = {
  timerSlipP99Ms: 20,
  loopDelayP99Ms: 50,
  busy: 0.97,
} as const;

export function generatorSaturated(h: Omit<GeneratorHealth, "saturated">): boolean {
  return (
    (h.timerSlipP99Ms ?? 0) > GENERATOR_BOUNDS.timerSlipP99Ms ||
    h.loopDelayP99Ms > GENERATOR_BOUNDS.loopDelayP99Ms ||
    h.busy > GENERATOR_BOUNDS.busy
  );
}

const worst = (parts: readonly GeneratorHealth[], of: (h: GeneratorHealth) => number | undefined): number | undefined => {
  const values = parts.flatMap((h) => {
    const v = of(h);
    return v === undefined ? [] : [v];
  });
  return values.length === 0 ? undefined : Math.max(...values);
};

/**
 * One worker's second from its engine threads' (each measured its own loop): the worst of each
 * figure, and saturated when any thread was. Percentiles are not merged exactly: the worst
 * thread's p99 is what bounds the second's latencies.
 */
export function mergeGeneratorHealth(parts: readonly GeneratorHealth[]): GeneratorHealth | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const merged: GeneratorHealth = {
    loopDelayP99Ms: worst(parts, (h) => h.loopDelayP99Ms)!,
    loopDelayMaxMs: worst(parts, (h) => h.loopDelayMaxMs)!,
    gcPauseMs: worst(parts, (h) => h.gcPauseMs)!,
    busy: worst(parts, (h) => h.busy)!,
    saturated: parts.some((h) => h.saturated),
  };
  const slipP99 = worst(parts, (h) => h.timerSlipP99Ms);
  if (slipP99 !== undefined) merged.timerSlipP99Ms = slipP99;
  const slipMax = worst(parts, (h) => h.timerSlipMaxMs);
  if (slipMax !== undefined) merged.timerSlipMaxMs = slipMax;
  return merged;
}
