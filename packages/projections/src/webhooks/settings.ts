import { z } from "zod";

/** How deliveries are made and retried (docs/operations.md, webhooks). */
export type DeliverySettings = {
  /** Attempts before a delivery is dead (failed): the first and its retries. */
  maxAttempts: number;
  /** The retry after the n-th failed attempt waits a random time up to min(maxDelayMs, baseDelayMs × 2^(n-1)) ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long an attempt may take, connect to last byte of the answer. */
  timeoutMs: number;
  /** How often the delivery loop looks for due deliveries when it found none. */
  pollMs: number;
  /** Attempts in flight at once, per process. */
  concurrency: number;
};

/** 12 attempts, the last at most ~24.6 h after the first (about half that on average, the jitter being uniform). */
export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxAttempts: 12,
  baseDelayMs: 60_000,
  maxDelayMs: 8 * 3_600_000,
  timeoutMs: 10_000,
  pollMs: 1_000,
  concurrency: 8,
};

const positive = z.coerce.number().int().positive();
const envSchema = z.object({
  LL_WEBHOOK_MAX_ATTEMPTS: positive.max(100).default(DEFAULT_DELIVERY_SETTINGS.maxAttempts),
  LL_WEBHOOK_BACKOFF_BASE_MS: positive.default(DEFAULT_DELIVERY_SETTINGS.baseDelayMs),
  LL_WEBHOOK_BACKOFF_MAX_MS: positive.default(DEFAULT_DELIVERY_SETTINGS.maxDelayMs),
  LL_WEBHOOK_TIMEOUT_MS: positive.max(120_000).default(DEFAULT_DELIVERY_SETTINGS.timeoutMs),
  LL_WEBHOOK_POLL_MS: positive.default(DEFAULT_DELIVERY_SETTINGS.pollMs),
  LL_WEBHOOK_CONCURRENCY: positive.max(256).default(DEFAULT_DELIVERY_SETTINGS.concurrency),
});

export function deliverySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DeliverySettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    maxAttempts: e.LL_WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: e.LL_WEBHOOK_BACKOFF_BASE_MS,
    maxDelayMs: e.LL_WEBHOOK_BACKOFF_MAX_MS,
    timeoutMs: e.LL_WEBHOOK_TIMEOUT_MS,
    pollMs: e.LL_WEBHOOK_POLL_MS,
    concurrency: e.LL_WEBHOOK_CONCURRENCY,
  };
}

/**
 * How long to wait before the next attempt after `failed` attempts (1 or more): exponential
 * backoff with full jitter, so that receivers coming back from an outage are not hit by every
 * retry at once. `random` is in [0, 1).
 */
export function retryDelayMs(failed: number, s: DeliverySettings, random: () => number = Math.random): number {
  const cap = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(failed - 1, 30));
  return Math.floor(random() * cap);
}
