import { describe, expect, it } from "vitest";
import { sleep, sleepAtLeast } from "./time.ts";

describe("sleep", () => {
  it("waits about its time", async () => {
    const start = performance.now();
    await sleep(60, new AbortController().signal);
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(55);
    expect(took).toBeLessThan(300);
  });

  it("ends early when aborted, and at once when already aborted", async () => {
    const ac = new AbortController();
    const start = performance.now();
    setTimeout(() => ac.abort(), 20);
    await sleep(10_000, ac.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
    await sleep(10_000, ac.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe("sleepAtLeast", () => {
  it("never ends before its time by performance.now, over many short waits", async () => {
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await sleepAtLeast(3);
      expect(performance.now() - start).toBeGreaterThanOrEqual(3);
    }
  });

  it("ends early when aborted, and at once when already aborted", async () => {
    const ac = new AbortController();
    const start = performance.now();
    setTimeout(() => ac.abort(), 20);
    await sleepAtLeast(10_000, ac.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
    await sleepAtLeast(10_000, ac.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
