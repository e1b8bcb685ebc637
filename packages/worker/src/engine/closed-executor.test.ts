import { laneShare, sleep } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { describe, expect, it } from "vitest";
import { loopLateness } from "../test-support.ts";
import type { LoadControl } from "./load-control.ts";
import { planOf, run, scenario, server, useServer } from "./test-run.ts";

const control = (over: Partial<LoadControl>): LoadControl => ({ paused: false, vuFactor: 1, rates: [], ...over });

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

  it("pause: no VU starts another iteration (the one in flight finishes and counts); resume: they go on", async () => {
    await useServer({ delayMs: 20 });
    const lateness = loopLateness();
    let sentBeforeResume = 0;
    const r = await run(planOf({ type: "constant-vus", vus: 4, durationSec: 3 }), {
      script: async ({ engine }) => {
        // Paused 300 ms into the run's second wall-clock second: its first window (a part second) is never the paused one.
        await sleep(1000 - (Date.now() % 1000) + 300);
        engine.control(control({ paused: true }));
        // Every VU ends the iteration it was in, then waits: none active, nothing more sent.
        await eventually(() => engine.activeUsers === 0, 2000, 5);
        const sent = server!.total();
        // While it waits, no VU is active, and nothing is sent.
        for (let i = 0; i < 35; i++) {
          await sleep(20);
          expect(engine.activeUsers).toBe(0);
        }
        expect(server!.total()).toBe(sent);
        expect(server!.inFlight()).toBe(0);
        sentBeforeResume = sent;
        engine.control(control({ paused: false }));
        await eventually(() => engine.activeUsers === 4, 2000, 5);
        expect(server!.total()).toBeGreaterThan(sent);
      },
    });
    const late = lateness();
    expect(sentBeforeResume).toBeGreaterThan(0);
    // Every request is counted, none interrupted by the pause; the run still ends at its planned end.
    expect(r.count).toBe(server!.total());
    expect(r.iterations).toBe(server!.total());
    expect(r.windows.some((w) => (w.interruptedIterations ?? 0) > 0)).toBe(false);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3000 - late - 1);
    expect(r.elapsedMs).toBeLessThan(3500 + 2 * late + r.latency.maxValue / 1000);
    // The windows say it was paused; none of the seconds it was not.
    expect(r.windows.some((w) => w.paused)).toBe(true);
    expect(r.windows[0]!.paused).toBeUndefined();
    expect(r.windows.at(-1)!.paused).toBeUndefined();
  });

  it("a stop while paused ends it at once: the waiting VUs leave, nothing is interrupted", async () => {
    await useServer({ delayMs: 20 });
    const r = await run(planOf({ type: "constant-vus", vus: 3, durationSec: 30 }), {
      forMs: 600,
      script: async ({ engine }) => {
        await sleep(200);
        engine.control(control({ paused: true }));
      },
    });
    // run() stops after 600 ms with a 2 s grace: nobody was left to wait for.
    expect(r.stopMs).toBeLessThan(1000);
    expect(r.count).toBe(server!.total());
    expect(r.windows.some((w) => (w.interruptedIterations ?? 0) > 0)).toBe(false);
    expect(r.windows.at(-1)!.paused).toBe(true);
  });

  it("scale: the lane runs its share of the scaled count, new VUs with ids of their own, and back down", async () => {
    await useServer({ delayMs: 20 });
    const lane = { index: 1, count: 3 };
    /** The VU ids the server saw, from the `from`-th first seen on. */
    const ids = (from: number) => new Set([...server!.received.keys()].slice(from).map((k) => Number(k.split("=")[1])));
    let seenBefore = 0;
    const r = await run(planOf({ type: "constant-vus", vus: 10, durationSec: 3 }, [scenario("s", ["/v?vu={{__vu}}"])]), {
      share: { laneCount: 3, lanes: [1] },
      script: async ({ engine }) => {
        // Lane 1 of 3 holds VUs 1, 4 and 7 of the 10 (ids 2, 5, 8).
        await eventually(() => engine.activeUsers === laneShare(10, lane), 2000, 5);
        await sleep(200);
        expect(ids(0)).toEqual(new Set([2, 5, 8]));
        seenBefore = server!.received.size;
        engine.control(control({ vuFactor: 2 }));
        // 20 VUs: the lane's 1, 4, ..., 19.
        await eventually(() => engine.activeUsers === laneShare(20, lane), 2000, 5);
        await sleep(300);
        expect(server!.maxInFlight()).toBe(7);
        engine.control(control({ vuFactor: 0.5 }));
        // 5 VUs: the lane's 1 and 4; the others finish their iteration and leave.
        await eventually(() => engine.activeUsers === laneShare(5, lane), 2000, 5);
      },
    });
    // The VUs added have ids of their own; every id the lane's: 1 more than a VU number ≡ 1 mod 3.
    expect(ids(seenBefore)).toEqual(new Set([11, 14, 17, 20]));
    expect(ids(0)).toEqual(new Set([2, 5, 8, 11, 14, 17, 20]));
    expect(r.count).toBe(server!.total());
    expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(7);
    expect(r.windows.at(-1)!.activeUsers).toBeLessThanOrEqual(2);
  });

  it("scale of a ramp: the count follows the scaled line from then on", async () => {
    await useServer({ delayMs: 10 });
    const r = await run(planOf({ type: "ramping-vus", startVUs: 2, stages: [{ durationSec: 2, target: 2 }] }), {
      script: async ({ engine }) => {
        await eventually(() => engine.activeUsers === 2, 2000, 5);
        engine.control(control({ vuFactor: 2.5 }));
        await eventually(() => engine.activeUsers === 5, 2000, 5);
      },
    });
    expect(server!.maxInFlight()).toBe(5);
    expect(r.count).toBe(server!.total());
  });
});
