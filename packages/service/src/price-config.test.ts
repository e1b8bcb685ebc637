import { DEFAULT_PRICE_MODEL } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("the price model's configuration (LL_PRICE_*)", () => {
  it("defaults to DEFAULT_PRICE_MODEL", () => {
    expect(loadConfig({}).price).toEqual(DEFAULT_PRICE_MODEL);
  });
  it("reads every price from the environment", () => {
    const price = loadConfig({
      LL_PRICE_CURRENCY: "EUR",
      LL_PRICE_VCPU_HOUR: "0.05",
      LL_PRICE_EGRESS_GB: "0",
      LL_PRICE_PER_MILLION_REQUESTS: "1.5",
    }).price;
    expect(price).toEqual({ currency: "EUR", vcpuHour: 0.05, egressGb: 0, perMillionRequests: 1.5 });
  });
  it("refuses a negative price or a currency that is not a code, naming the setting", () => {
    expect(() => loadConfig({ LL_PRICE_VCPU_HOUR: "-1" })).toThrow(/LL_PRICE_VCPU_HOUR/);
    expect(() => loadConfig({ LL_PRICE_EGRESS_GB: "cheap" })).toThrow(/LL_PRICE_EGRESS_GB/);
    expect(() => loadConfig({ LL_PRICE_CURRENCY: "dollars" })).toThrow(/LL_PRICE_CURRENCY/);
  });
});
