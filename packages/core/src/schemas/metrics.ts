import { z } from "zod";

/**
 * Why a request failed; each failed request has exactly one kind, the first that applies.
 * `blocked`: the tenant's target policy refused the host or every address it resolved to.
 * `tls`: the TLS handshake failed (an untrusted or mismatched certificate, most often).
 * `grpc`: a gRPC call ended with a status other than OK that no status check of its step lists
 * (its code is in `statusCodes`; DEADLINE_EXCEEDED counts as `timeout`).
 */
export const FAILURE_KINDS = ["connect", "timeout", "reset", "blocked", "tls", "4xx", "5xx", "grpc", "check"] as const;
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
  /** Failed requests by kind (connect, timeout, reset, blocked, tls, 4xx, 5xx, grpc, check). */
  failuresByKind: counts.optional(),
  /** Responses by status code: HTTP's, or a gRPC step's status code (0 OK to 16). */
  statusCodes: counts.optional(),
  /**
   * The protocol its responses came over (`http/1.1`, `h2`; `grpc` for grpc steps; several joined
   * by `, `). Absent: not said (no response, or a worker from before it).
   */
  protocol: z
    .string()
    .max(64)
    .describe('protocol of its responses: http/1.1, h2, or grpc (several: joined by ", "); absent: not said')
    .optional(),
  /** WebSocket messages, SSE events or gRPC response messages received under this name (ws, sse and grpc steps); absent: 0. */
  messagesIn: z
    .number()
    .int()
    .nonnegative()
    .describe("WebSocket messages, SSE events or gRPC response messages received (ws, sse and grpc steps); absent: 0")
    .optional(),
  /** WebSocket messages or gRPC request messages sent under this name (ws and grpc steps); absent: 0. */
  messagesOut: z
    .number()
    .int()
    .nonnegative()
    .describe("WebSocket messages or gRPC request messages sent (ws and grpc steps); absent: 0")
    .optional(),
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

/**
 * One group's figures in one worker's one-second window (steps with `group: NAME`): each pass
 * through the group's consecutive steps, timed from the first's start to the last's end, ending
 * in this second; failed when a request in it failed. Apart from `requests`: its requests are
 * counted there already.
 */
export const groupWindowSchema = z.object({
  name: z.string(),
  count: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  histogram: z.string().describe("HDR histogram of the group's duration in µs, encoded as a request window's"),
});
export type GroupWindow = z.infer<typeof groupWindowSchema>;

/** The method of a group's row among the request names' (the read model's endpoints): no request has it. */
export const GROUP_METHOD = "GROUP";

const millis = z.number().nonnegative().max(3_600_000);

/**
 * The load generator's own health over one worker's second (issue 24): how late its event loops
 * and its open executors' timers ran, its garbage collection, how busy its busiest engine thread
 * was, and whether that passed a bound past which the second's load or latencies are the
 * generator's rather than the target's (core/src/generator-health.ts).
 */
export const generatorHealthSchema = z
  .object({
    loopDelayP95Ms: millis.describe("the engine threads' event-loop delay, 95th percentile (worst thread), ms"),
    loopDelayMaxMs: millis.describe("the engine threads' event-loop delay, maximum, ms"),
    timerSlipP50Ms: millis
      .describe("how late an open executor started its iterations against their schedule, median, ms; absent: no arrivals")
      .optional(),
    timerSlipP95Ms: millis.describe("the same, 95th percentile, ms; absent: no arrivals").optional(),
    timerSlipMaxMs: millis.describe("the same, maximum, ms; absent: no arrivals").optional(),
    gcPauseMs: millis.describe("garbage-collection pauses in the second, ms (the thread that paused longest)"),
    busy: z.number().min(0).max(1).describe("the busiest engine thread's share of the second spent running (event-loop utilization)"),
    saturated: z
      .boolean()
      .describe("the generator itself limited the load or inflated the latencies this second (bounds in docs/architecture.md)"),
  })
  .describe("the generator's own health this second; absent: a worker that does not measure it");
export type GeneratorHealth = z.infer<typeof generatorHealthSchema>;

export const metricWindowSchema = z.object({
  runId: z.string(),
  workerId: z.string(),
  /** Epoch second the window starts at; windows of all workers align on it. */
  second: z.number().int().nonnegative(),
  activeUsers: secondCount,
  requests: z.array(requestWindowSchema),
  /** Groups of steps passed through in this second (steps with `group`); absent: none. */
  groups: z.array(groupWindowSchema).describe("groups of steps (a step's `group`) passed through in this second; absent: none").optional(),
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
  generator: generatorHealthSchema.optional(),
});
export type MetricWindow = z.infer<typeof metricWindowSchema>;

export const metricEvents = {
  "metrics.window": metricWindowSchema,
} as const;
