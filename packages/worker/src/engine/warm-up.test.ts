import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { BASE_WARM_UP_REQUESTS, topUpWarmUpRequests, warmUp } from "./warm-up.ts";

describe("topUpWarmUpRequests", () => {
  it("adds a first second's worth of arrivals beyond the base warm-up, 4,000 requests in all at most", () => {
    expect(topUpWarmUpRequests(0)).toBe(0);
    expect(topUpWarmUpRequests(BASE_WARM_UP_REQUESTS)).toBe(0);
    expect(topUpWarmUpRequests(2000)).toBe(2000 - BASE_WARM_UP_REQUESTS);
    expect(topUpWarmUpRequests(1e6)).toBe(4000 - BASE_WARM_UP_REQUESTS);
  });
});

describe("warmUp", () => {
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap").length;

  it("runs its requests through the engine against a server of its own and leaves no socket or server open", async () => {
    const before = sockets();
    const started = performance.now();
    // Every answer parsed, the chunked ones and those with the usual headers alike: no branch left cold by a failure.
    expect(await warmUp(200, undefined, 4)).toEqual({ requests: 200, failures: 0 });
    expect(performance.now() - started).toBeLessThan(30_000);
    // Closed, not only closing: a handle being closed is listed until the next turns of the loop.
    await expect.poll(sockets, { timeout: 2000 }).toBe(before);
  });

  it("sends its requests with the run's signal when given one, and leaves no listener on it", async () => {
    // The run's own signal, so the code it optimises is the code the run's requests take (see warmUp).
    const signal = new AbortController().signal;
    const warming = warmUp(2000, signal, 4);
    await expect.poll(() => getEventListeners(signal, "abort").length, { interval: 1 }).toBe(1);
    await warming;
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("does nothing for no requests", async () => {
    const before = process.getActiveResourcesInfo().length;
    await warmUp(0);
    expect(process.getActiveResourcesInfo().length).toBe(before);
  });
});
