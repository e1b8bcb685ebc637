import { type DeliverySettings, retryDelayMs } from "./settings.ts";

/** What became of a delivery after an attempt: the label of loadline_webhook_deliveries_total too. */
export type Outcome = "delivered" | "retry" | "dead";

export type NextStep = { outcome: Outcome; state: "pending" | "delivered" | "failed"; nextAttemptAt: Date | null };

/**
 * After an attempt (the `round`-th since the delivery was made or last redelivered): a 2xx is
 * delivered; a 410 Gone says the receiver is gone for good, so it is dead at once (the
 * subscription stays as it is: only its admin changes it); anything else is retried after the
 * backoff until `maxAttempts`, then dead (failed, in the log, until a redelivery).
 */
export function afterAttempt(
  statusCode: number | null,
  round: number,
  s: DeliverySettings,
  nowMs: number,
  random: () => number = Math.random,
): NextStep {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300)
    return { outcome: "delivered", state: "delivered", nextAttemptAt: null };
  if (statusCode === 410 || round >= s.maxAttempts) return { outcome: "dead", state: "failed", nextAttemptAt: null };
  return { outcome: "retry", state: "pending", nextAttemptAt: new Date(nowMs + retryDelayMs(round, s, random)) };
}
