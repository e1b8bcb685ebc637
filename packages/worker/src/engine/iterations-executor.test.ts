import { decodeHistogram, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { describe, expect, it } from "vitest";
import type { LoadControl } from "./load-control.ts";
import { planOf, run, scenario, server, useServer } from "./test-run.ts";

const control = (over: Partial<LoadControl>): LoadControl => ({ paused: false, vuFactor: 1, rates: [], ...over });

describe("fixed-work executors", () => {
  it("per-vu-iterations runs each VU's iterations exactly, then ends", async () => {
    await useServer({ delayMs: 2 });
    const r = await run(planOf({ type: "per-vu-iterations", vus: 3, iterations: 7, maxDurationSec: 30 }, [scenario("s", ["/a", "/b"])]));
    expect(server!.received.get("GET /a")).toBe(21);
    expect(server!.received.get("GET /b")).toBe(21);
    expect(r.iterations).toBe(21);
    expect(r.elapsedMs).toBeLessThan(5000);
  });

  it("shared-iterations shares its iterations among the VUs, split by weight", async () => {
    await useServer({ delayMs: 2 });
    const r = await run(
      planOf({ type: "shared-iterations", vus: 4, iterations: 40, maxDurationSec: 30 }, [
        scenario("browse", ["/browse"], { weight: 3 }),
        scenario("buy", ["/buy"], { weight: 1 }),
      ]),
    );
    expect(server!.received.get("GET /browse")).toBe(30);
    expect(server!.received.get("GET /buy")).toBe(10);
    expect(r.iterations).toBe(40);
    expect(server!.maxInFlight()).toBe(4);
  });

  it("stops starting iterations at maxDurationSec", async () => {
    await useServer({ delayMs: 100 });
    const r = await run(planOf({ type: "shared-iterations", vus: 2, iterations: 1000, maxDurationSec: 1 }));
    expect(r.elapsedMs).toBeLessThan(1500);
    expect(server!.total()).toBeGreaterThanOrEqual(16);
    expect(server!.total()).toBeLessThanOrEqual(22);
  });
});

describe("fixed-work executors under live control", () => {
  it("shared-iterations: a scale shares the same work among more VUs, a pause holds them, the work is done exactly", async () => {
    await useServer({ delayMs: 20 });
    const r = await run(planOf({ type: "shared-iterations", vus: 2, iterations: 80, maxDurationSec: 30 }), {
      script: async ({ engine }) => {
        await eventually(() => server!.total() >= 4, 2000, 5);
        engine.control(control({ vuFactor: 2 }));
        await eventually(() => server!.inFlight() === 4, 2000, 2);
        engine.control(control({ vuFactor: 2, paused: true }));
        await eventually(() => engine.activeUsers === 0, 2000, 5);
        const sent = server!.total();
        await sleep(300);
        expect(server!.total()).toBe(sent);
        expect(sent).toBeLessThan(80);
        engine.control(control({ vuFactor: 2 }));
      },
    });
    expect(server!.total()).toBe(80);
    expect(r.iterations).toBe(80);
    expect(server!.maxInFlight()).toBe(4);
  });

  it("per-vu-iterations is not scaled: its work is per VU", async () => {
    await useServer({ delayMs: 2 });
    const r = await run(planOf({ type: "per-vu-iterations", vus: 2, iterations: 10, maxDurationSec: 30 }), {
      script: async ({ engine }) => engine.control(control({ vuFactor: 3 })),
    });
    expect(server!.total()).toBe(20);
    expect(r.iterations).toBe(20);
    expect(server!.maxInFlight()).toBe(2);
  });
});

describe("scenarios", () => {
  it("gives VUs to the scenarios by weight, and runs a scenario's own executor beside the shared one", async () => {
    await useServer({ delayMs: 50 });
    await run(
      planOf({ type: "constant-vus", vus: 8, durationSec: 1 }, [
        scenario("browse", ["/browse"], { weight: 3 }),
        scenario("buy", ["/buy"], { weight: 1 }),
        scenario("once", ["/once"], { executor: { type: "per-vu-iterations", vus: 1, iterations: 3, maxDurationSec: 10 } }),
      ]),
      { forMs: 1000 },
    );
    const browse = server!.received.get("GET /browse")!;
    const buy = server!.received.get("GET /buy")!;
    // 6 VUs browse, 2 buy, each about 20 requests a second.
    expect(browse / (browse + buy)).toBeGreaterThan(0.7);
    expect(browse / (browse + buy)).toBeLessThan(0.8);
    expect(server!.received.get("GET /once")).toBe(3);
    expect(server!.maxInFlight()).toBe(9);
  });

  it("counts every iteration's requests in a window, with latency histograms per request", async () => {
    await useServer({ delayMs: 10 });
    const r = await run(planOf({ type: "per-vu-iterations", vus: 2, iterations: 5, maxDurationSec: 10 }, [scenario("s", ["/a", "/b"])]));
    const a = r.windows.flatMap((w) => w.requests).filter((x) => x.name === "/a");
    expect(a.reduce((n, x) => n + x.count, 0)).toBe(10);
    expect(a.reduce((n, x) => n + decodeHistogram(x.histogram).totalCount, 0)).toBe(10);
    expect(a.every((x) => x.statusCodes?.["200"] === x.count)).toBe(true);
    expect(r.latency.minNonZeroValue).toBeGreaterThanOrEqual(9000);
  });
});
