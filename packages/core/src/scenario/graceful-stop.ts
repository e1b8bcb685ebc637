import { z } from "zod";
import type { Executor } from "./executors.ts";

/**
 * What an executor's iterations in flight get when it ends (its schedule is over, or the run is
 * stopped): no new iteration starts, those running may finish for this long, then the rest are
 * interrupted (counted apart, never as failures). 5 s rather than k6's 30 s: a run's status
 * waits for it, and an HTTP iteration still running 5 s after the stop is usually stuck on an
 * overloaded target; a test whose iterations are long sets its own.
 */
export const DEFAULT_GRACEFUL_STOP_SEC = 5;
/** The longest a test may ask for: the run's stop deadline grows with it. */
export const MAX_GRACEFUL_STOP_SEC = 3600;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** k6's duration strings: "30s", "1m30s", "500ms", "1.5s", "1h". */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** A duration string ("1m30s") in ms; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

const GRACEFUL_STOP_RULE = `gracefulStop must be seconds (0 to ${MAX_GRACEFUL_STOP_SEC}) or a duration such as "30s", "1m30s" or "500ms"`;

/** Seconds, or a duration string; checked here so a refusal names the field. */
export const gracefulStopSchema = z
  .union([z.number(), z.string()], { error: GRACEFUL_STOP_RULE })
  .superRefine((value, ctx) => {
    const ms = typeof value === "number" ? value * 1000 : durationMs(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_GRACEFUL_STOP_SEC * 1000)
      ctx.addIssue({ code: "custom", message: GRACEFUL_STOP_RULE });
  })
  .describe('Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop');

/** An executor's graceful stop in ms: its own, else the default. */
export function gracefulStopMs(e: Pick<Executor, "gracefulStop">): number {
  const g = e.gracefulStop;
  if (g === undefined) return DEFAULT_GRACEFUL_STOP_SEC * 1000;
  const ms = typeof g === "number" ? Math.round(g * 1000) : durationMs(g);
  // Validated when the test was written; a value that slipped past gets the default rather than none.
  return ms === undefined ? DEFAULT_GRACEFUL_STOP_SEC * 1000 : ms;
}

/**
 * The longest graceful stop among some executors (a plan's: `planExecutors`): how long a stop
 * may rightly take before the workers' confirmation is due.
 */
export const maxGracefulStopMs = (executors: readonly Pick<Executor, "gracefulStop">[]): number =>
  Math.max(0, ...executors.map(gracefulStopMs));
