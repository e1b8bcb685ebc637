import { decodeHistogram } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { planOf, run, scenario, server, useServer } from "./test-run.ts";

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
