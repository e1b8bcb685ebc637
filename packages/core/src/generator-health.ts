import { z } from "zod";
import type { GeneratorHealth } from "./schemas/metrics.ts";

/**
 * Where a second of load stops being the target's and becomes the generator's (issue 24). Past
 * any bound the worker flags the second `saturated`: the run record, the summary, the console and
 * the report warn, naming the worker and the seconds.
 * - an open executor started its iterations late against their schedule (timer slip, p95: one in
 *   twenty of the second's iterations or more; or p50 over 5 ms, half of them): the
 *   arrival rate it was asked for was not the one sent, and every late iteration's latency (counted
 *   from its intended start) carries the lateness. The median catches a generator late most of
 *   the time by less than the p95's bound (a busy loop holding 20 ms of every 25: three arrivals
 *   in five 5-20 ms late, p95 ~20 ms), which a loaded host's occasional stalls, however long, do
 *   not move. Milder starvation stays under it (half a core at 10,000/s with VUs to spare: slip
 *   p50 1.65 ms, latencies' p50 1.4 ms against 0.04 on a whole core, every slip p50 of a healthy
 *   run here 0.002-0.012 ms), and is judged against the target's own time below;
 * - an open executor's slip p95 passed 5 ms and the second's slowest request's service-time p95
 *   (from the send: the target's own time), in a second of 200 iterations or more: one iteration
 *   in twenty or more carried more of the generator's lateness than the target took, and the
 *   second's tail latencies are more the generator's than the target's. A backlog it caught up
 *   (below) shows here rather than in drops: half the thread taken at 1,000/s, slip p95 ~7 ms
 *   against a target answering in well under 1 ms. Not with fewer iterations: at 100/s the p95
 *   is the second's fifth-latest start, and one stall of a loaded host (up to ~40 ms on a 2-core
 *   CI host running other suites) would flag a light run. A slow target keeps its seconds: its
 *   service time is longer than the generator's lateness;
 * - an engine thread's event loop ran late (p95 of its 10 ms probe): every response read in that
 *   second waited up to that long before it was timed;
 * - an open executor dropped arrivals (every VU busy), and a quarter or more of the second's drops
 *   came 2 ms late or more: the VUs ran out in the arrivals its own lateness had held back, not
 *   because the target held them. A slow target's drops start on time (measured with a 50 ms
 *   target at 2,000 and 20,000/s: 96-98% under 1 ms late, the rest made late by the generator's
 *   own stalls; timers at a low rate start 1-3 ms late). A backlog up to the p95's bound behind is
 *   caught up a turn at a time on the VUs its answers free (arrival-executor.ts); further behind,
 *   it is started at once and what the pool cannot take is dropped late: a generator short of CPU
 *   (a half-core one at 20,000/s: drops 96% over 10 ms late, slip and loop p95 at 26-33 ms, under
 *   the bounds above). Judging the share, not one drop, leaves to a slow target the seconds in
 *   which a stall of the generator also made some of its drops late: they would have been
 *   dropped anyway.
 * How busy the busiest thread was (`busy`) is reported, not judged: an open executor polls with
 * setImmediate when its next arrival is under 1.5 ms away, so from some 700 arrivals/s a thread
 * reads 100% busy whether or not anything is late.
 * A host whose CPU other processes take shows the same way (a thread not scheduled is late while
 * idle): that is the generator's machine, not the target, and is flagged too. The bounds (50 ms
 * for one iteration or loop turn in twenty) keep a light run on a loaded 2-core CI host running
 * other suites under them (measured up to ~40 ms there), so that a flag means a real stall.
 */
export const GENERATOR_BOUNDS = {
  timerSlipP50Ms: 5,
  timerSlipP95Ms: 50,
  loopDelayP95Ms: 50,
  droppedLateMs: 2,
  /** The share of a second's drops that, dropped late, makes them the generator's. */
  lateDropShare: 0.25,
  /** Slip p95 past which a second is the generator's where it is also longer than the target's own time (service p95). */
  timerSlipOverServiceMs: 5,
  /** The iterations a second needs for its slip p95 to be set against the target's time: with fewer, one stall is the p95. */
  slipAgainstServiceMinIterations: 200,
} as const;

/** Whether an arrival dropped `lateMs` after it was due was dropped late (see GENERATOR_BOUNDS). */
export const droppedLate = (lateMs: number): boolean => lateMs >= GENERATOR_BOUNDS.droppedLateMs;

/**
 * What a second's own windows say beside the probe: its dropped arrivals and how many of them were
 * droppedLate; the iterations it ended, and the slowest request's service-time p95 (the target's
 * own time, from the send), where any was timed.
 */
export type SecondLoad = { dropped: number; late: number; iterations?: number; serviceP95Ms?: number };

/** Whether the second's generator limited the load or inflated its latencies (see GENERATOR_BOUNDS). */
export function generatorSaturated(h: Omit<GeneratorHealth, "saturated">, second: SecondLoad = { dropped: 0, late: 0 }): boolean {
  const b = GENERATOR_BOUNDS;
  const lateDrops = second.late > 0 && second.late >= b.lateDropShare * second.dropped;
  const slipP95 = h.timerSlipP95Ms ?? 0;
  const slipOverService =
    second.serviceP95Ms !== undefined &&
    (second.iterations ?? 0) >= b.slipAgainstServiceMinIterations &&
    slipP95 > b.timerSlipOverServiceMs &&
    slipP95 > second.serviceP95Ms;
  return (
    lateDrops ||
    slipOverService ||
    (h.timerSlipP50Ms ?? 0) > b.timerSlipP50Ms ||
    slipP95 > b.timerSlipP95Ms ||
    h.loopDelayP95Ms > b.loopDelayP95Ms
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
 * thread's p95 is what bounds the second's latencies.
 */
export function mergeGeneratorHealth(parts: readonly GeneratorHealth[]): GeneratorHealth | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const merged: GeneratorHealth = {
    loopDelayP95Ms: worst(parts, (h) => h.loopDelayP95Ms)!,
    loopDelayMaxMs: worst(parts, (h) => h.loopDelayMaxMs)!,
    gcPauseMs: worst(parts, (h) => h.gcPauseMs)!,
    busy: worst(parts, (h) => h.busy)!,
    saturated: parts.some((h) => h.saturated),
  };
  const slipP50 = worst(parts, (h) => h.timerSlipP50Ms);
  if (slipP50 !== undefined) merged.timerSlipP50Ms = slipP50;
  const slipP95 = worst(parts, (h) => h.timerSlipP95Ms);
  if (slipP95 !== undefined) merged.timerSlipP95Ms = slipP95;
  const slipMax = worst(parts, (h) => h.timerSlipMaxMs);
  if (slipMax !== undefined) merged.timerSlipMaxMs = slipMax;
  return merged;
}

const instant = z.string().describe("ISO 8601 instant");

/**
 * The generator's health over a run's seconds (or those asked for), per worker: the worst
 * second's figures, GC pauses summed, the seconds flagged saturated (the first 20 listed). What
 * the aggregate (GET .../metrics/aggregate) and the report carry.
 */
export const generatorViewSchema = z
  .object({
    saturatedSeconds: z.number().int().nonnegative(),
    workers: z.array(
      z.object({
        workerId: z.string(),
        seconds: z.number().int().nonnegative().describe("seconds whose windows carried the generator's health"),
        saturatedSeconds: z.number().int().nonnegative(),
        saturated: z.array(instant).describe("the first saturated seconds, at most 20"),
        loopDelayP95Ms: z.number().nonnegative(),
        loopDelayMaxMs: z.number().nonnegative(),
        timerSlipP95Ms: z.number().nonnegative().nullable().describe("null: no open executor ran on the worker"),
        timerSlipMaxMs: z.number().nonnegative().nullable(),
        gcPauseMs: z.number().nonnegative(),
        busy: z.number().min(0).max(1),
      }),
    ),
  })
  .describe(
    "the load generator's own health over these seconds, per worker (worst second's figures): saturatedSeconds > 0 means some seconds' load or latencies were the generator's, not the target's; absent when no window carried it",
  );
export type GeneratorView = z.infer<typeof generatorViewSchema>;
export type GeneratorWorkerView = GeneratorView["workers"][number];
