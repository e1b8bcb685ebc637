import { describe, expect, it } from "vitest";
import { loopLateness } from "../test-support.ts";
import { planOf, run, server, useServer } from "./test-run.ts";

/** A VU count that changes at `atMs` after the executor's start. */
type Step = { atMs: number; vus: number };

/** The lowest and highest count `steps` set between `fromMs` and `toMs`. */
function vusBetween(steps: readonly Step[], fromMs: number, toMs: number): { min: number; max: number } {
  const at = (ms: number) => steps.filter((s) => s.atMs <= ms).at(-1)?.vus ?? 0;
  const counts = [at(fromMs), ...steps.filter((s) => s.atMs > fromMs && s.atMs <= toMs).map((s) => s.vus)];
  return { min: Math.min(...counts), max: Math.max(...counts) };
}

describe("closed executors", () => {
  it("constant-vus keeps exactly its VUs busy for its duration", async () => {
    await useServer({ delayMs: 20 });
    const lateness = loopLateness();
    const r = await run(planOf({ type: "constant-vus", vus: 5, durationSec: 1 }));
    const late = lateness();
    // An iteration is one request: the longest one, in ms.
    const longest = r.latency.maxValue / 1000;
    // It ends on its timeline's timer once the iterations running end. The run's clock (elapsedMs) starts once the
    // executors began: after their time zero by the work of beginning, which held the loop up, so no more than its lateness.
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1000 - late - 1);
    expect(r.elapsedMs).toBeLessThan(1500 + 2 * late + longest);
    expect(server!.maxInFlight()).toBe(5);
    expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(5);
    expect(r.count).toBe(server!.total());
    expect(r.totals).toEqual({ requests: server!.total(), failures: 0 });
    // 5 VUs for a second, 20 ms and a little an iteration (about 250 in all): each starts its next iteration as the
    // last ends, so it runs at least as many as fit in that second at the longest, each a loop's lateness later.
    expect(server!.total()).toBeGreaterThanOrEqual(5 * Math.floor((1000 - late) / (longest + late)));
    expect(r.iterations).toBe(server!.total());
  });

  it("ramping-vus adds and retires VUs along its stages", async () => {
    await useServer({ delayMs: 10 });
    const lateness = loopLateness();
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
    const late = lateness();
    const longest = r.latency.maxValue / 1000;
    const steps: Step[] = [
      { atMs: 250, vus: 1 },
      { atMs: 500, vus: 2 },
      { atMs: 750, vus: 3 },
      { atMs: 1000, vus: 4 },
      { atMs: 2250, vus: 3 },
      { atMs: 2500, vus: 2 },
      { atMs: 2750, vus: 1 },
      { atMs: 3000, vus: 0 },
    ];
    // A VU is added when its timer fires, late by the loop's lateness at most; a retired one leaves once its
    // iteration ends, a request (the longest one at most) and a loop turn after that. A sample (one every 20 ms)
    // is taken `atMs` after the run's clock started, up to the loop's lateness after the executors' time zero:
    // each holds a count the stages set within that lag.
    const lag = 2 * late + longest;
    expect(r.samples.length).toBeGreaterThan(0);
    for (const { atMs, active } of r.samples) {
      const { min, max } = vusBetween(steps, atMs - lag, atMs + late + 1);
      const what = `${active} VUs at ${atMs.toFixed(1)} ms (lag ${lag.toFixed(1)} ms)`;
      expect(active, what).toBeGreaterThanOrEqual(min);
      expect(active, what).toBeLessThanOrEqual(max);
    }
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3000 - late - 1);
    expect(r.elapsedMs).toBeLessThan(3500 + lag);
    expect(server!.maxInFlight()).toBe(4);
    expect(r.count).toBe(server!.total());
  });
});
