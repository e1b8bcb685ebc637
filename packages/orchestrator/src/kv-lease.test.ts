import { sleep } from "@loadline/core";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvLease, openLeaseBucket } from "./kv-lease.ts";

const log = createLogger("test", "silent");
const timings = { ttlMs: 600, renewMs: 150, pollMs: 50 };
let env: TestNats;
beforeAll(async () => {
  env = await testNats();
});
afterAll(() => env.cleanup());

describe("KvLease", () => {
  it("has one holder; a standby takes it once it is released, and the first may take it back later", async () => {
    const kv = await openLeaseBucket(env.nc, env.ns);
    const a = new KvLease(kv, "role", "a", log, timings);
    const b = new KvLease(kv, "role", "b", log, timings);
    expect(await a.acquire()).toBe(true);
    let bHolds = false;
    const bWaits = b.acquire().then((held) => (bHolds = held));
    await sleep(3 * timings.ttlMs); // a renews: b must keep waiting
    expect(bHolds).toBe(false);
    await a.release();
    await bWaits;
    expect(bHolds).toBe(true);
    // A released lease is not closed: a can stand by for it again.
    const aAgain = a.acquire();
    await b.close();
    expect(await aAgain).toBe(true);
    await a.close();
    expect(await a.acquire()).toBe(false); // closed for good
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
