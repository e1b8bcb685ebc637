import { z } from "zod";

/**
 * A threshold as a test declares it, close to k6's so users can carry theirs over:
 *
 *   thresholds:
 *     latency: ["p(95) < 300", "p(99.9) < 1000"]
 *     "latency{name:login}": [{ threshold: "max < 2000", abortOnFail: true, delayAbortEvalSec: 10 }]
 *     error_rate: [{ threshold: "rate < 0.01", over: "30s" }]
 *     checks: ["rate > 0.99"]
 *
 * The key is a metric, optionally scoped in braces; each rule is an expression on one of the
 * metric's aggregations. The grammar, the metrics and their aggregations are thresholds/parse.ts's.
 */
export const thresholdRuleSchema = z.union([
  z.string().min(1).max(200),
  z
    .object({
      threshold: z.string().min(1).max(200),
      /** Stop the run (within 2 s) when this threshold fails. */
      abortOnFail: z.boolean().optional(),
      /** Not before this many seconds into the run: a warm-up that may cross without aborting. */
      delayAbortEvalSec: z.number().int().nonnegative().max(86_400).optional(),
      /** Evaluated over a sliding window of this length (`30s`, `2m`) rather than the whole run: once crossed, failed. */
      over: z.string().min(2).max(10).optional(),
    })
    .strict(),
]);
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;

/** Metric (with its scope) to its rules: what a test and a run carry. Checked by `thresholdIssues` (parse.ts). */
export const thresholdsShapeSchema = z.record(z.string().min(1).max(200), z.array(thresholdRuleSchema).min(1).max(20));
export type Thresholds = z.infer<typeof thresholdsShapeSchema>;

/** One threshold's outcome: what was observed against what it asked. */
export const thresholdResultSchema = z.object({
  /** The key as declared, e.g. `latency{name:login}`. */
  metric: z.string(),
  /** The rule's expression as declared, e.g. `p(95) < 300`. */
  expression: z.string(),
  /** The value the expression compared (ms for latency and service time); null when nothing was measured. */
  observed: z.number().nullable(),
  passed: z.boolean(),
  abortOnFail: z.boolean(),
  /** The sliding window, when the rule has one. */
  over: z.string().optional(),
});
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;

export const VERDICTS = ["passed", "failed", "none"] as const;
export type Verdict = (typeof VERDICTS)[number];
