import { z } from "zod";

/**
 * Why a request failed; each failed request has exactly one kind, the first that applies.
 * `blocked`: the tenant's target policy refused the host or every address it resolved to.
 */
export const FAILURE_KINDS = ["connect", "timeout", "reset", "blocked", "4xx", "5xx", "check"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const counts = z.record(z.string(), z.number().int().nonnegative());
/** The largest Postgres integer (int4): the read model stores a worker's counters of a second, and their sums of users, as such. */
export const INT4_MAX = 2_147_483_647;
/**
 * A per-worker counter of one second: a larger one would fail its whole batch at the database,
 * again and again, instead of being dead-lettered as bad input.
 */
const secondCount = z.number().int().nonnegative().max(INT4_MAX);

/** One request name's figures in one worker's one-second window. Latency is in microseconds. */
export const requestWindowSchema = z.object({
  name: z.string(),
  method: z.string(),
  count: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  /**
   * HDR histogram of latency (µs), 3 significant digits, as base64 of the standard HDR V2
   * encoding (uncompressed, cookie 0x1c849313; the compressed V2 form is read too): any HDR
   * library decodes it, and histograms merge exactly. In the open (arrival-rate) executors
   * latency counts from the intended start, correcting coordinated omission.
   */
  histogram: z
    .string()
    .describe("HDR histogram of latency in µs: base64 of the HDR V2 encoding (uncompressed; the compressed form is read too)"),
  /** HDR histogram of service time (µs): from the actual send to the response. */
  serviceHistogram: z.string().describe("HDR histogram of service time in µs, same encoding").optional(),
  /** Failed requests by kind (connect, timeout, reset, blocked, 4xx, 5xx, check). */
  failuresByKind: counts.optional(),
  /** Responses by HTTP status code. */
  statusCodes: counts.optional(),
  /**
   * Requests of this name the stop aborted in flight, after their executor's graceful stop:
   * counted here only, never in `count`, `failures` or the histograms. The worker gave up on
   * them; the target may or may not have received them. Absent: none.
   */
  interrupted: z
    .number()
    .int()
    .nonnegative()
    .describe("Requests aborted in flight at the stop, after the graceful stop: not in count, failures or the histograms; absent: 0")
    .optional(),
});
export type RequestWindow = z.infer<typeof requestWindowSchema>;

export const metricWindowSchema = z.object({
  runId: z.string(),
  workerId: z.string(),
  /** Epoch second the window starts at; windows of all workers align on it. */
  second: z.number().int().nonnegative(),
  activeUsers: secondCount,
  requests: z.array(requestWindowSchema),
  /** Iterations (passes through a scenario) finished in this second. */
  iterations: secondCount.optional(),
  /** Iterations an open executor could not start in time because every VU was busy. */
  droppedIterations: secondCount.optional(),
  /** Iterations cut short in this second: still running when their executor's graceful stop ran out. Absent: none. */
  interruptedIterations: secondCount
    .describe("Iterations cut short at the stop (after the graceful stop): not in iterations; absent: 0")
    .optional(),
  checksPassed: secondCount.optional(),
  checksFailed: secondCount.optional(),
  /** The run was paused (run.paused) for some or all of this second: no iteration started meanwhile. Absent: not paused. */
  paused: z
    .boolean()
    .describe("The run was paused for some or all of this second: no iteration started meanwhile; absent: not paused")
    .optional(),
});
export type MetricWindow = z.infer<typeof metricWindowSchema>;

export const metricEvents = {
  "metrics.window": metricWindowSchema,
} as const;
