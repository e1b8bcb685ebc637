import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_MODEL, type PriceModel } from "./price-model.ts";
import { runCost } from "./run-cost.ts";
import { vcpuSecondsOf } from "./vcpu-seconds.ts";

const model: PriceModel = { currency: "EUR", vcpuHour: 0.036, egressGb: 0.1, perMillionRequests: 2 };
const usage = { vcpuSeconds: 7200, egressBytes: 5e9, requests: 250_000, iterations: 1000, estimated: false };

describe("runCost", () => {
  it("prices each part of known usage, and divides the total by requests and iterations", () => {
    const cost = runCost(usage, model);
    // 2 vCPU-hours × 0.036, 5 GB × 0.1, 0.25 M requests × 2
    expect(cost.breakdown).toEqual({ compute: 0.072, egress: 0.5, requests: 0.5 });
    expect(cost.total).toBe(1.072);
    expect(cost.perThousandRequests).toBe(0.004288);
    expect(cost.perIteration).toBe(0.001072);
    expect(cost.currency).toBe("EUR");
    expect(cost.usage).toEqual(usage);
    expect(cost.model).toEqual(model);
  });

  it("costs nothing at zero prices", () => {
    const cost = runCost(usage, { currency: "USD", vcpuHour: 0, egressGb: 0, perMillionRequests: 0 });
    expect(cost.total).toBe(0);
    expect(cost.breakdown).toEqual({ compute: 0, egress: 0, requests: 0 });
    expect(cost.perIteration).toBe(0);
  });

  it("has no per-iteration or per-request figure without iterations or requests", () => {
    const cost = runCost({ vcpuSeconds: 3600, egressBytes: 0, requests: 0, iterations: 0, estimated: false }, DEFAULT_PRICE_MODEL);
    expect(cost.total).toBe(0.04);
    expect(cost.perIteration).toBeNull();
    expect(cost.perThousandRequests).toBeNull();
  });

  it("rounds to a millionth, free of float noise", () => {
    const cost = runCost({ vcpuSeconds: 1, egressBytes: 1, requests: 1, iterations: 3, estimated: false }, DEFAULT_PRICE_MODEL);
    expect(cost.breakdown.compute).toBe(0.000011);
    expect(cost.breakdown.egress).toBe(0);
    expect(cost.perIteration).toBe(0.000004);
  });
});

describe("vcpuSecondsOf", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

  it("counts each worker's threads from its assignment to the load's end", () => {
    const held = vcpuSecondsOf(
      [
        { workerId: "a", assignedAt: t(0), state: "stopped", vcpus: 4 },
        { workerId: "b", assignedAt: t(10), state: "stopped", vcpus: 2 },
      ],
      [],
      t(30),
    );
    expect(held.vcpuSeconds).toBe(4 * 30 + 2 * 20);
    expect(held.estimated).toBe(false);
  });

  it("stops counting a lost worker when it was last seen", () => {
    const held = vcpuSecondsOf(
      [
        { workerId: "a", assignedAt: t(0), state: "lost", vcpus: 2 },
        { workerId: "b", assignedAt: t(12), state: "stopped", vcpus: 2 },
      ],
      [{ workerId: "a", lastSeenAt: t(10) }],
      t(30),
    );
    expect(held.workers).toEqual([
      { workerId: "a", vcpus: 2, seconds: 10 },
      { workerId: "b", vcpus: 2, seconds: 18 },
    ]);
    expect(held.vcpuSeconds).toBe(56);
  });

  it("counts a worker without recorded vCPUs as 1, and says the figure is estimated", () => {
    const held = vcpuSecondsOf([{ workerId: "a", assignedAt: t(0), state: "stopped" }], [], t(5));
    expect(held).toEqual({ vcpuSeconds: 5, estimated: true, workers: [{ workerId: "a", vcpus: 1, seconds: 5 }] });
  });

  it("never counts negative time: a worker assigned after the load ended held nothing", () => {
    expect(vcpuSecondsOf([{ workerId: "a", assignedAt: t(9), state: "assigned", vcpus: 8 }], [], t(5)).vcpuSeconds).toBe(0);
  });
});
