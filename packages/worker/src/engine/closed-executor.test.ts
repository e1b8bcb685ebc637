import { describe, expect, it } from "vitest";
import { planOf, run, server, useServer } from "./test-run.ts";

describe("closed executors", () => {
  it("constant-vus keeps exactly its VUs busy for its duration", async () => {
    await useServer({ delayMs: 20 });
    const r = await run(planOf({ type: "constant-vus", vus: 5, durationSec: 1 }));
    expect(r.elapsedMs).toBeGreaterThanOrEqual(990);
    expect(r.elapsedMs).toBeLessThan(1500);
    expect(server!.maxInFlight()).toBe(5);
    expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(5);
    expect(r.count).toBe(server!.total());
    expect(r.totals).toEqual({ requests: server!.total(), failures: 0 });
    // 5 VUs, about 20 ms a request: about 250 in a second.
    expect(server!.total()).toBeGreaterThan(100);
    expect(r.iterations).toBe(server!.total());
  });

  it("ramping-vus adds and retires VUs along its stages", async () => {
    await useServer({ delayMs: 10 });
    const r = await run(
      planOf({
        type: "ramping-vus",
        startVUs: 0,
        stages: [
          { durationSec: 1, target: 4 }, // +1 every 250 ms
          { durationSec: 1, target: 4 },
          { durationSec: 1, target: 0 }, // -1 every 250 ms
        ],
      }),
    );
    const activeAt = (ms: number) => r.samples.find((s) => s.atMs >= ms)?.active;
    expect(activeAt(100)).toBe(0);
    expect(activeAt(600)).toBe(2);
    expect(activeAt(1500)).toBe(4);
    expect(activeAt(2400)).toBe(3);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2990);
    expect(r.elapsedMs).toBeLessThan(3500);
    expect(server!.maxInFlight()).toBe(4);
    expect(r.count).toBe(server!.total());
  });
});
