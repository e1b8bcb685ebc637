import { readFileSync } from "node:fs";

/**
 * Reads a kernel file (/proc, /sys). Synchronous on purpose: the kernel makes these in memory,
 * never waiting on a disk, and a sync read costs a fraction of an async one's thread-pool round trip.
 */
export const readKernelFile = (path: string): string => readFileSync(path, "latin1");

/** A rate per second from two readings of a counter; a counter that went back (reset, wrap) gives 0. */
export const perSecond = (before: number, after: number, seconds: number): number =>
  seconds > 0 && after >= before ? Math.round(((after - before) / seconds) * 100) / 100 : 0;

/** The message of an error, for the telemetry's `errors`, with its cause's (fetch's own says only "fetch failed"). */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
