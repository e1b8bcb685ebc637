import type { WorkerRegistration } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "./namespace.ts";
import { type TestNats, testNats } from "./testing.ts";
import { listWorkers, openWorkerBucket, type WorkerBucket, WorkerHeartbeat } from "./worker-bucket.ts";

let env: TestNats;
let kv: WorkerBucket;

beforeAll(async () => {
  env = await testNats({ streams: false });
  kv = await openWorkerBucket(env.nc, env.ns, 1);
});
afterAll(() => env.cleanup());

const registration = (workerId: string): WorkerRegistration => ({
  workerId,
  version: "test",
  capacity: { threads: 1, maxVUs: 10, maxArrivalRate: 10 },
  labels: {},
  startedAt: "2026-01-01T00:00:00.000Z",
  heartbeatAt: new Date().toISOString(),
  status: "active",
  assignments: [],
});
const heartbeat = (workerId: string, intervalMs?: number) =>
  new WorkerHeartbeat({
    nc: env.nc,
    ns: env.ns,
    kv,
    workerId,
    registration: () => registration(workerId),
    ...(intervalMs ? { intervalMs } : {}),
  });

describe("listWorkers", () => {
  it("lists each worker once while the workers keep writing their entries", async () => {
    // Beating flat out: an entry written while the listing runs is where kv.keys() gives a key twice.
    const fleet = ["lw-a", "lw-b", "lw-c"].map((id) => heartbeat(id, 1));
    await Promise.all(fleet.map((h) => h.start()));
    try {
      for (let i = 0; i < 5; i++) expect((await listWorkers(kv)).map((w) => w.workerId).sort()).toEqual(["lw-a", "lw-b", "lw-c"]);
    } finally {
      await Promise.all(fleet.map((h) => h.stop({ leave: true })));
    }
    expect((await listWorkers(kv)).filter((w) => w.workerId.startsWith("lw-"))).toEqual([]);
  });
});

describe("WorkerHeartbeat", () => {
  it("registers in the bucket, then beats on core NATS and into the bucket; stopped, it is silent; leaving, its entry goes", async () => {
    const heard: WorkerRegistration[] = [];
    const sub = env.nc.subscribe(subjects.heartbeat(env.ns, "hb-1"), {
      callback: (_, m) => {
        heard.push(m.json());
      },
    });
    const h = heartbeat("hb-1", 50);
    await h.start();
    expect((await kv.get("hb-1"))?.json()).toMatchObject({ workerId: "hb-1" });
    const registered = (await kv.get("hb-1"))!.revision;
    await eventually(() => heard.length >= 2, 2_000, 10);
    expect(heard[0]).toMatchObject({ workerId: "hb-1", status: "active" });
    await eventually(async () => (await kv.get("hb-1"))!.revision > registered, 2_000, 10);

    await h.stop();
    const silentFrom = heard.length;
    h.beat(); // a beat after the stop (a late drain, say) must not bring it back
    await env.nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(heard.length).toBe(silentFrom);
    expect((await kv.get("hb-1"))?.operation).toBe("PUT"); // fallen silent, not gone: the orchestrator judges the lapse

    await h.stop({ leave: true });
    expect((await kv.get("hb-1"))?.operation).not.toBe("PUT");
    sub.unsubscribe();
  });
});
