import { type AddressInfo, createServer } from "node:net";
import { sleep } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { loopLateness } from "../test-support.ts";
import type { LoadControl } from "./load-control.ts";
import { planOf, run, scenario, server, useServer } from "./test-run.ts";

const control = (over: Partial<LoadControl>): LoadControl => ({ paused: false, vuFactor: 1, rates: [], ...over });

/*
 * Timings below are widened by the event loop's measured lateness (loopLateness): a request
 * reaches the server within two loop turns of its intended start (the executor's wake-up, the
 * server's read), and is answered within three more or less (the server's read, its timer, the
 * client's read), each late by no more than that. On a machine busy with other work they stay true.
 */

describe("open executors", () => {
  it("constant-arrival-rate starts its iterations at the rate, whatever the latency", async () => {
    await useServer({ delayMs: 30 });
    const lateness = loopLateness();
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 200, timeUnitSec: 1, durationSec: 3, preAllocatedVUs: 5, maxVUs: 50 }),
    );
    const late = 2 * lateness();
    expect(server!.total()).toBe(r.count);
    expect(r.count + r.dropped).toBe(600);
    // 30 ms each at 200/s: about 6 at once, more VUs than pre-allocated; none dropped while one of the 50 is free.
    expect(server!.maxInFlight()).toBeGreaterThan(5);
    if (r.dropped > 0) expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(50);
    // Over the run: 599 intervals of 5 ms between the first and the last intended start, 2995 ms. Each arrival
    // comes after its intended start by a few ms (10 at most), and by the loop's lateness: no more off than that.
    const span = server!.arrivals.at(-1)! - server!.arrivals[0]!;
    expect(span).toBeGreaterThan(2995 - 10 - late);
    expect(span).toBeLessThan(2995 + 10 + late);
  });

  it("ramping-arrival-rate follows its rate ramps", async () => {
    await useServer({ delayMs: 5 });
    const lateness = loopLateness();
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
    const late = 2 * lateness();
    expect(server!.total()).toBe(r.count);
    expect(r.count + r.dropped).toBe(300);
    const t0 = server!.arrivals[0]!;
    const inFirstHalf = server!.arrivals.filter((t) => t - t0 < 500).length;
    // N(t) = 200 / 2 · t²: arrival i is due at √(i / 100) s, and N(0.5 s) = 25, a quarter of the first stage's
    // arrivals in its first half. Those due within 10 ms of the half, or within the loop's lateness, may fall either side.
    const dueBefore = (ms: number) => Math.ceil((Math.max(0, ms) / 100) ** 2);
    expect(inFirstHalf).toBeGreaterThanOrEqual(dueBefore(500 - 10 - late) - r.dropped);
    expect(inFirstHalf).toBeLessThanOrEqual(dueBefore(500 + 10 + late));
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
    // That stall is not the machine's lateness: it is measured before and after it.
    let lateness = loopLateness();
    let lateBefore = 0;
    const stall = (n: number) => {
      if (n !== 100) return;
      lateBefore = lateness();
      const until = performance.now() + 300;
      while (performance.now() < until);
      lateness = loopLateness();
    };
    await useServer({ delayMs: 1, onRequest: stall });
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 200, timeUnitSec: 1, durationSec: 2, preAllocatedVUs: 10, maxVUs: 100 }),
    );
    const late = Math.max(lateBefore, lateness());
    // The 60 or so due in the stall start after it, at once: none dropped while one of the 100 VUs is free.
    expect(r.count + r.dropped).toBe(400);
    if (r.dropped > 0) expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(100);
    expect(r.latency.maxValue).toBeGreaterThan(250_000);
    expect(r.latency.getValueAtPercentile(95)).toBeGreaterThan(100_000);
    // A request's own time: the server's read, its 1 ms timer and the client's read, each late by the loop's lateness at most.
    expect(r.service.getValueAtPercentile(95)).toBeLessThan((50 + 3 * late) * 1000);
  });

  it("catches up on a stall of its own with the VUs the answers free, rather than dropping for VUs only busy in its books", async () => {
    // A target that answers within a turn of the loop, as nginx does: each request head gets its answer at once.
    const answer = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    const target = createServer((socket) => {
      socket.on("data", (chunk: Buffer) => {
        for (let at = chunk.indexOf("\r\n\r\n"); at !== -1; at = chunk.indexOf("\r\n\r\n", at + 4)) socket.write(answer);
      });
      socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    // Half a second in, the process stalls 40 ms (as in a collection): the 80 iterations due meanwhile are twice the pool.
    let lateness = loopLateness();
    let lateBefore = 0;
    try {
      const r = await run(
        {
          targetUrl: url,
          workload: { type: "constant-arrival-rate", rate: 2000, timeUnitSec: 1, durationSec: 1, preAllocatedVUs: 10, maxVUs: 40 },
          scenarios: [scenario("s", [`${url}/a`])],
        },
        {
          script: async () => {
            await sleep(500);
            lateBefore = lateness();
            const until = performance.now() + 40;
            while (performance.now() < until);
            lateness = loopLateness();
          },
        },
      );
      const late = Math.max(lateBefore, lateness());
      expect(r.count + r.dropped).toBe(2000);
      // The stall shows where it belongs: in the latency of those due in it, counted from their intended starts.
      expect(r.latency.maxValue).toBeGreaterThan(30_000);
      // Started ten a turn, they find the VUs the answers before them freed. At once, 40 took the pool and 40 were dropped
      // (as they still are when the machine holds the loop up past the catch-up bound on its own).
      if (late < 10) expect(r.dropped).toBe(0);
    } finally {
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });

  it("pause: the arrivals due meanwhile are skipped, neither started nor dropped nor latency; it ends on time", async () => {
    await useServer({ delayMs: 5 });
    const lateness = loopLateness();
    let pausedAt = 0;
    let resumedAt = 0;
    /** The server's clock (performance.now()) as the executors count it. */
    let toRun = (t: number) => t;
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 100, timeUnitSec: 1, durationSec: 3, preAllocatedVUs: 5, maxVUs: 50 }),
      {
        script: async ({ engine, originMs, elapsed }) => {
          toRun = (t) => t - (originMs - performance.timeOrigin);
          await sleep(800);
          pausedAt = elapsed();
          engine.control(control({ paused: true }));
          await sleep(1200);
          resumedAt = elapsed();
          engine.control(control({ paused: false }));
        },
      },
    );
    const late = 2 * lateness();
    // Iteration i is due at 10·i ms: those due before the pause ran, and those due from the resume on (300 in all).
    const dueBefore = (ms: number) => Math.ceil(ms / 10);
    const expected = dueBefore(pausedAt) + 300 - dueBefore(resumedAt);
    expect(r.count).toBe(server!.total());
    // At each end of the pause, those due within the loop's lateness (and the resume's own turn) may fall either side.
    // The ~120 skipped are not in the drops: what started and what was dropped add up to what was due outside the pause.
    expect(r.count + r.dropped).toBeGreaterThanOrEqual(expected - dueBefore(late) - 2);
    expect(r.count + r.dropped).toBeLessThanOrEqual(expected + 1);
    if (r.dropped > 0) expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBe(50);
    // Nothing reached the target while paused, once the last iteration started before it had arrived.
    const arrived = server!.arrivals.map(toRun);
    expect(arrived.filter((t) => t > pausedAt + 10 + late && t < resumedAt)).toEqual([]);
    // The skipped arrivals are not latency: no iteration started a pause late.
    expect(r.latency.maxValue).toBeLessThan((100 + 4 * late) * 1000);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3000 - late - 1);
    expect(r.elapsedMs).toBeLessThan(3000 + 500 + late);
    expect(r.windows.some((w) => w.paused)).toBe(true);
  });

  it("scale: the rate is multiplied from the change's instant on, exactly and smoothly, up and down", async () => {
    await useServer({ delayMs: 5 });
    const lateness = loopLateness();
    let toRun = (t: number) => t;
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 100, timeUnitSec: 1, durationSec: 3, preAllocatedVUs: 5, maxVUs: 50 }),
      {
        script: async ({ engine, originMs }) => {
          toRun = (t) => t - (originMs - performance.timeOrigin);
          // Told ahead of their instants: ×2 from 1 s, then ×0.5 from 2 s (the whole history each time).
          await sleep(400);
          engine.control(control({ rates: [{ at: originMs + 1000, factor: 2 }] }));
          await sleep(1000);
          engine.control(
            control({
              rates: [
                { at: originMs + 1000, factor: 2 },
                { at: originMs + 2000, factor: 0.5 },
              ],
            }),
          );
        },
      },
    );
    const late = 2 * lateness();
    // 100/s for 1 s, 200/s for 1 s, 50/s for 1 s: exactly 350, the integral of the scaled rate.
    expect(r.count + r.dropped).toBe(350);
    expect(server!.total()).toBe(r.count);
    // None dropped while one of the VUs was free (50, then 100 at ×2).
    if (r.dropped > 0) expect(Math.max(...r.windows.map((w) => w.activeUsers))).toBeGreaterThanOrEqual(50);
    // Smooth: each stretch gets its rate, arrivals within 10 ms and the loop's lateness of when they were due.
    const arrived = server!.arrivals.map(toRun);
    const within = (from: number, to: number) => arrived.filter((t) => t >= from && t < to).length;
    const slack = 10 + late;
    const due = (from: number, to: number, perSec: number) => (Math.max(0, to - from) * perSec) / 1000;
    expect(within(100 + slack, 900)).toBeGreaterThanOrEqual(Math.floor(due(100 + slack, 900 - slack, 100)) - r.dropped);
    expect(within(100 + slack, 900)).toBeLessThanOrEqual(Math.ceil(due(100, 900, 100)) + 1);
    expect(within(1100 + slack, 1900)).toBeGreaterThanOrEqual(Math.floor(due(1100 + slack, 1900 - slack, 200)) - r.dropped);
    expect(within(1100 + slack, 1900)).toBeLessThanOrEqual(Math.ceil(due(1100, 1900, 200)) + 1);
    expect(within(2100 + slack, 2900)).toBeGreaterThanOrEqual(Math.floor(due(2100 + slack, 2900 - slack, 50)) - r.dropped);
    expect(within(2100 + slack, 2900)).toBeLessThanOrEqual(Math.ceil(due(2100, 2900, 50)) + 1);
  });

  it("scaled to 0 it starts nothing, and does not end before its planned end: scaled back, it goes on", async () => {
    await useServer({ delayMs: 5 });
    const r = await run(
      planOf({ type: "constant-arrival-rate", rate: 50, timeUnitSec: 1, durationSec: 2, preAllocatedVUs: 2, maxVUs: 10 }),
      {
        script: async ({ engine, originMs }) => {
          engine.control(
            control({
              rates: [
                { at: originMs + 500, factor: 0 },
                { at: originMs + 1000, factor: 1 },
              ],
            }),
          );
        },
      },
    );
    // 25 in the first half second, none for the next, 50 in the last second.
    expect(r.count + r.dropped).toBe(75);
    expect(server!.total()).toBe(r.count);
  });
});
