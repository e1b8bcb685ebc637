import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import type { KV } from "@nats-io/kv";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { KvLease, openLeaseBucket } from "./kv-lease.ts";

const log = createLogger("test", "silent");
const timings = { ttlMs: 600, renewMs: 150, pollMs: 50 };
let env: TestNats;
beforeAll(async () => {
  env = await testNats();
});
afterAll(() => env.cleanup());
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A fake clock for the leases (their sleeps and Date.now), with the KV still real: `kv` counts its
 * calls in flight, and `elapse` moves the clock 10 ms at a time, each step only once every call
 * its timers started has answered. However slow NATS or this process are, a renewal is never
 * late as a standby sees it: what the test observes is the protocol, not the machine's speed.
 */
function fakeClock(real: KV): { kv: KV; elapse(ms: number): Promise<void> } {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  let inFlight = 0;
  const done = () => {
    inFlight--;
  };
  const kv = new Proxy(real, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out: unknown = value.apply(target, args);
        if (out instanceof Promise) {
          inFlight++;
          out.then(done, done);
        }
        return out;
      };
    },
  });
  const settled = async () => {
    // setImmediate is not faked: it lets the NATS answers in.
    while (inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    kv,
    async elapse(ms) {
      await settled();
      for (let t = 0; t < ms; t += 10) {
        await vi.advanceTimersByTimeAsync(10);
        await settled();
      }
    },
  };
}

describe("KvLease", () => {
  it("has one holder; a standby takes it once it is released, and the first may take it back later", async () => {
    const { kv, elapse } = fakeClock(await openLeaseBucket(env.nc, env.ns));
    const a = new KvLease(kv, "role", "a", log, timings);
    const b = new KvLease(kv, "role", "b", log, timings);
    expect(await a.acquire()).toBe(true);
    const created = (await kv.get("role"))!.revision;
    let bHolds = false;
    const bWaits = b.acquire().then((held) => (bHolds = held));
    await elapse(3 * timings.ttlMs); // a renews: b must keep waiting
    expect(bHolds).toBe(false);
    // a renewed every renewMs: 1800 / 150 times.
    expect((await kv.get("role"))!.revision).toBe(created + (3 * timings.ttlMs) / timings.renewMs);
    await a.release();
    await elapse(timings.pollMs); // b takes it at its next look
    expect(bHolds).toBe(true);
    await bWaits;
    // A released lease is not closed: a can stand by for it again.
    const aAgain = a.acquire();
    await b.close();
    await elapse(timings.pollMs);
    expect(await aAgain).toBe(true);
    await a.close();
    expect(await a.acquire()).toBe(false); // closed for good
  });

  it("keeps the lease when a renewal is refused only because one of its own landed late", async () => {
    const { kv, elapse } = fakeClock(await openLeaseBucket(env.nc, env.ns));
    const a = new KvLease(kv, "late", "a", log, timings);
    expect(await a.acquire()).toBe(true);
    let lost = false;
    void a.ended.then(() => (lost = true));
    // A renewal that timed out at the caller but was stored: the key moved on, still naming a.
    await kv.put("late", JSON.stringify({ holder: "a", at: new Date().toISOString() }));
    await elapse(4 * timings.renewMs);
    expect(lost).toBe(false);
    await kv.put("late", JSON.stringify({ holder: "intruder" }));
    await elapse(2 * timings.renewMs);
    expect(lost).toBe(true); // another holder's value: lost at its next renewal
    await a.close();
  });

  it("tells its holder it was lost when a renewal is refused; a standby takes it once nobody renews", async () => {
    const kv = await openLeaseBucket(env.nc, env.ns);
    const a = new KvLease(kv, "other", "a", log, timings);
    expect(await a.acquire()).toBe(true);
    // Another process, with a bucket of its own, sees the revision stand still once a's renewals stop.
    const b = new KvLease(await openLeaseBucket(env.nc, env.ns), "other", "b", log, timings);
    await kv.put("other", JSON.stringify({ holder: "intruder" })); // a's next renewal (by revision) is refused
    await a.ended; // lost
    expect(await b.acquire()).toBe(true);
    await b.close();
    await a.close();
  });
});
