import { describe, expect, it } from "vitest";
import { afterAttempt } from "./outcome.ts";
import { DEFAULT_DELIVERY_SETTINGS, deliverySettingsFromEnv, retryDelayMs } from "./settings.ts";

describe("webhook retry schedule", () => {
  it("doubles its ceiling per failed attempt up to the maximum, with full jitter below it", () => {
    const s = DEFAULT_DELIVERY_SETTINGS;
    const ceiling = (n: number) => retryDelayMs(n, s, () => 0.999_999_9);
    expect(ceiling(1)).toBe(59_999);
    expect(ceiling(2)).toBe(119_999);
    expect(ceiling(20)).toBeGreaterThan(s.maxDelayMs - 10);
    expect(ceiling(20)).toBeLessThan(s.maxDelayMs);
    expect(retryDelayMs(3, s, () => 0)).toBe(0);
    // The whole schedule spans about a day at most.
    let total = 0;
    for (let n = 1; n < s.maxAttempts; n++) total += ceiling(n);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(26);
  });

  it("reads the environment, with the defaults, and refuses nonsense", () => {
    expect(deliverySettingsFromEnv({})).toEqual(DEFAULT_DELIVERY_SETTINGS);
    expect(deliverySettingsFromEnv({ LL_WEBHOOK_MAX_ATTEMPTS: "3" }).maxAttempts).toBe(3);
    expect(() => deliverySettingsFromEnv({ LL_WEBHOOK_TIMEOUT_MS: "-1" })).toThrow(/LL_WEBHOOK_TIMEOUT_MS/);
  });
});

describe("after an attempt", () => {
  const s = { ...DEFAULT_DELIVERY_SETTINGS, maxAttempts: 3 };
  it("is delivered on a 2xx, dead on 410 or the last attempt, else retried after the backoff", () => {
    expect(afterAttempt(204, 1, s, 0).outcome).toBe("delivered");
    expect(afterAttempt(302, 1, s, 0).outcome).toBe("retry");
    expect(afterAttempt(410, 1, s, 0)).toEqual({ outcome: "dead", state: "failed", nextAttemptAt: null });
    expect(afterAttempt(null, 3, s, 0).outcome).toBe("dead");
    expect(afterAttempt(500, 2, s, 1_000, () => 0.5)).toEqual({
      outcome: "retry",
      state: "pending",
      nextAttemptAt: new Date(1_000 + 60_000),
    });
  });
});
