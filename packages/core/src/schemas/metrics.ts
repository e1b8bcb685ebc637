import { z } from "zod";

/** One request name's figures in one worker's one-second window. Latency is in microseconds. */
export const requestWindowSchema = z.object({
  name: z.string(),
  method: z.string(),
  count: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  /** HDR histogram of latency (µs), compressed and base64-encoded: merges exactly. */
  histogram: z.string(),
});
export type RequestWindow = z.infer<typeof requestWindowSchema>;

export const metricWindowSchema = z.object({
  runId: z.string(),
  workerId: z.string(),
  /** Epoch second the window starts at; windows of all workers align on it. */
  second: z.number().int().nonnegative(),
  activeUsers: z.number().int().nonnegative(),
  requests: z.array(requestWindowSchema),
});
export type MetricWindow = z.infer<typeof metricWindowSchema>;

export const metricEvents = {
  "metrics.window": metricWindowSchema,
} as const;
