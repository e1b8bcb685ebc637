export { DEFAULT_PRICE_MODEL, type PriceModel, priceModelSchema } from "./price-model.ts";
export { type CostUsage, type RunCost, runCost } from "./run-cost.ts";
export { type LostHold, type VcpuSeconds, vcpuSecondsOf, type WorkerHold } from "./vcpu-seconds.ts";
