import type { PriceModel } from "./price-model.ts";

/** What a run used, measured: the figures a price applies to. */
export type CostUsage = {
  /** Worker threads (vCPUs) × the seconds each worker held the run's lanes. */
  vcpuSeconds: number;
  /** Bytes the workers sent and received for the run's requests (bytesOut + bytesIn). */
  egressBytes: number;
  requests: number;
  iterations: number;
  /** Some figure is a guess: a worker recorded before assignments carried its vCPUs counts as 1. */
  estimated: boolean;
};

export type RunCost = {
  currency: string;
  total: number;
  breakdown: { compute: number; egress: number; requests: number };
  /** Null without requests (or iterations): there is nothing to divide by. */
  perThousandRequests: number | null;
  perIteration: number | null;
  usage: CostUsage;
  model: PriceModel;
};

const BYTES_PER_GB = 1e9;
/** Money to a millionth of the currency's unit: exact enough for a fraction of a cent per iteration, free of float noise. */
const money = (n: number): number => Math.round(n * 1e6) / 1e6;

/** The cost of `usage` under `model`: a pure function, every figure rounded to a millionth. */
export function runCost(usage: CostUsage, model: PriceModel): RunCost {
  const compute = (usage.vcpuSeconds / 3600) * model.vcpuHour;
  const egress = (usage.egressBytes / BYTES_PER_GB) * model.egressGb;
  const requests = (usage.requests / 1e6) * model.perMillionRequests;
  const total = compute + egress + requests;
  return {
    currency: model.currency,
    total: money(total),
    breakdown: { compute: money(compute), egress: money(egress), requests: money(requests) },
    perThousandRequests: usage.requests > 0 ? money((total / usage.requests) * 1000) : null,
    perIteration: usage.iterations > 0 ? money(total / usage.iterations) : null,
    usage,
    model,
  };
}
