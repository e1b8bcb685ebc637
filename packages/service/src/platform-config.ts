import { DEFAULT_QUOTAS, type PlatformDefaults } from "@loadline/core";
import { z } from "zod";

const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * What a tenant nobody configured may do, from the environment: the targets its load may reach
 * (LL_TARGETS_ALLOW: hosts, `*.wildcards`, CIDRs; loopback and private networks off unless
 * LL_TARGETS_LOOPBACK / LL_TARGETS_PRIVATE) and its quotas (LL_QUOTA_*). Unset: no target at
 * all, and DEFAULT_QUOTAS; the embedded stack allows loopback.
 */
const platformEnvSchema = z.object({
  LL_TARGETS_ALLOW: z.string().default(""),
  LL_TARGETS_LOOPBACK: flag.default(false),
  LL_TARGETS_PRIVATE: flag.default(false),
  LL_QUOTA_MAX_VUS: z.coerce.number().int().positive().default(DEFAULT_QUOTAS.maxVUs),
  LL_QUOTA_MAX_ARRIVAL_RATE: z.coerce.number().positive().default(DEFAULT_QUOTAS.maxArrivalRate),
  LL_QUOTA_MAX_DURATION_SEC: z.coerce.number().int().positive().default(DEFAULT_QUOTAS.maxDurationSec),
  LL_QUOTA_MAX_CONCURRENT_RUNS: z.coerce.number().int().positive().default(DEFAULT_QUOTAS.maxConcurrentRuns),
  LL_QUOTA_MAX_QUEUED_RUNS: z.coerce.number().int().nonnegative().default(DEFAULT_QUOTAS.maxQueuedRuns),
  LL_QUOTA_MAX_QUEUE_WAIT_SEC: z.coerce.number().int().positive().default(DEFAULT_QUOTAS.maxQueueWaitSec),
  LL_QUOTA_MAX_LOAD_TESTS: z.coerce.number().int().positive().default(DEFAULT_QUOTAS.maxLoadTests),
});

export function loadPlatformDefaults(env: NodeJS.ProcessEnv = process.env): PlatformDefaults {
  const parsed = platformEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    targets: { allow: list(e.LL_TARGETS_ALLOW), loopback: e.LL_TARGETS_LOOPBACK, privateNetworks: e.LL_TARGETS_PRIVATE },
    quotas: {
      maxVUs: e.LL_QUOTA_MAX_VUS,
      maxArrivalRate: e.LL_QUOTA_MAX_ARRIVAL_RATE,
      maxDurationSec: e.LL_QUOTA_MAX_DURATION_SEC,
      maxConcurrentRuns: e.LL_QUOTA_MAX_CONCURRENT_RUNS,
      maxQueuedRuns: e.LL_QUOTA_MAX_QUEUED_RUNS,
      maxQueueWaitSec: e.LL_QUOTA_MAX_QUEUE_WAIT_SEC,
      maxLoadTests: e.LL_QUOTA_MAX_LOAD_TESTS,
    },
  };
}
