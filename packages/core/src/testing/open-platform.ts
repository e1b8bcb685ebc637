import type { PlatformDefaults } from "../access/tenant-policy.ts";

/**
 * For tests that are not about access: every target allowed (they load 127.0.0.1) and quotas
 * no test reaches. The security suite uses the secure defaults.
 */
export const OPEN_PLATFORM: PlatformDefaults = {
  targets: { allow: ["*"], loopback: true, privateNetworks: true },
  quotas: {
    maxVUs: 10_000_000,
    maxArrivalRate: 100_000_000,
    maxDurationSec: 30 * 24 * 3600,
    maxConcurrentRuns: 10_000,
    maxQueuedRuns: 100_000,
    maxQueueWaitSec: 7 * 24 * 3600,
    maxLoadTests: 1_000_000,
  },
};
