import { describe, expect, it } from "vitest";
import { planOf, run, server, useServer } from "./test-run.ts";

describe("open executors", () => {
  it("constant-arrival-rate starts its iterations at the rate, whatever the latency", async () => {
    await useServer({ delayMs: 30 });
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 200, timeUnitSec: 1, durationSec: 3, preAllocatedVUs: 5, maxVUs: 50 }),
    );
    expect(server!.total()).toBe(600);
    expect(r.count).toBe(600);
    expect(r.dropped).toBe(0);
    // Over the run: 599 intervals of 5 ms between the first and the last arrival.
    const span = server!.arrivals.at(-1)! - server!.arrivals[0]!;
    expect(599 / (span / 1000)).toBeGreaterThan(196);
    expect(599 / (span / 1000)).toBeLessThan(204);
    // 30 ms each at 200/s: about 6 at once, more VUs than pre-allocated.
    expect(server!.maxInFlight()).toBeGreaterThan(5);
  });

  it("ramping-arrival-rate follows its rate ramps", async () => {
    await useServer({ delayMs: 5 });
    const r = await run(
      planOf({
        type: "ramping-arrival-rate",
        startRate: 0,
        timeUnitSec: 1,
        stages: [
          { durationSec: 1, target: 200 }, // 100 arrivals
          { durationSec: 1, target: 200 }, // 200
        ],
        preAllocatedVUs: 5,
        maxVUs: 20,
      }),
    );
    expect(server!.total()).toBe(300);
    expect(r.count).toBe(300);
    const t0 = server!.arrivals[0]!;
    const inFirstHalf = server!.arrivals.filter((t) => t - t0 < 500).length;
    // N(0.5 s) = 200 / 2 · 0.5² = 25: a quarter of the first stage's arrivals come in its first half.
    expect(inFirstHalf).toBeGreaterThanOrEqual(22);
    expect(inFirstHalf).toBeLessThanOrEqual(28);
  });

  it("drops the iterations no VU is free for, and counts them", async () => {
    await useServer({ delayMs: 200 });
    const r = await run(planOf({ type: "constant-arrival-rate", rate: 50, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 1, maxVUs: 2 }));
    // 2 VUs at 200 ms an iteration: about 10 of the 50 start.
    expect(server!.maxInFlight()).toBe(2);
    expect(r.count + r.dropped).toBe(50);
    expect(r.dropped).toBeGreaterThanOrEqual(35);
    expect(r.iterations).toBe(r.count);
  });

  it("measures latency from the intended start: a stall shows in latency, not in service time", async () => {
    // At the 100th request the whole process stalls for 300 ms (as in a GC pause): iterations due meanwhile start late.
    const stall = (n: number) => {
      if (n !== 100) return;
      const until = performance.now() + 300;
      while (performance.now() < until);
    };
    await useServer({ delayMs: 1, onRequest: stall });
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 200, timeUnitSec: 1, durationSec: 2, preAllocatedVUs: 10, maxVUs: 100 }),
    );
    expect(r.count).toBe(400);
    expect(r.latency.maxValue).toBeGreaterThan(250_000);
    expect(r.latency.getValueAtPercentile(95)).toBeGreaterThan(100_000);
    expect(r.service.getValueAtPercentile(95)).toBeLessThan(50_000);
  });
});
