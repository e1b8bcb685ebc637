import { z } from "zod";

/**
 * What load costs, per unit of what a run used: a worker's vCPU for an hour, a GB (10^9 bytes)
 * its workers sent or received, a million requests. Platform-wide (LL_PRICE_*, docs/cost.md).
 */
export const priceModelSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD"),
  vcpuHour: z.number().nonnegative(),
  egressGb: z.number().nonnegative(),
  perMillionRequests: z.number().nonnegative(),
});
export type PriceModel = z.infer<typeof priceModelSchema>;

/** Roughly a small cloud VM's vCPU-hour and its internet egress, no request fee: the defaults of LL_PRICE_*. */
export const DEFAULT_PRICE_MODEL: PriceModel = { currency: "USD", vcpuHour: 0.04, egressGb: 0.09, perMillionRequests: 0 };
