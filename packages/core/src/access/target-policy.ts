import { z } from "zod";

/**
 * Where a tenant's load may go. `allow` holds host names (`api.example.com`), wildcards
 * (`*.example.com`), IP addresses and CIDR blocks (`10.1.0.0/16`, `fd00::/8`); loopback and
 * private ranges are refused unless the platform turns them on for the tenant; link-local
 * (169.254.0.0/16, fe80::/10, cloud metadata) never. Checked when a test is written, when a run
 * starts, and by the worker against the address it connects to.
 */
export const targetPolicySchema = z
  .object({
    allow: z.array(z.string().min(1).max(253)).max(1000),
    loopback: z.boolean(),
    privateNetworks: z.boolean(),
  })
  .strict();
export type TargetPolicy = z.infer<typeof targetPolicySchema>;

/** A tenant nobody configured may hit nothing: the platform's defaults (configuration) say otherwise. */
export const DENY_ALL_TARGETS: TargetPolicy = { allow: [], loopback: false, privateNetworks: false };
