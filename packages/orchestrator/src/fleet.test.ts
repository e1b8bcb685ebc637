import { sleep, type WorkerRegistration } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { openWorkerBucket, type WorkerBucket, WorkerHeartbeat } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetMonitor, type LostWorker } from "./fleet.ts";

const log = createLogger("test", "silent");
const LOST_AFTER_MS = 600;
let env: TestNats;
let kv: WorkerBucket;

beforeAll(async () => {
  env = await testNats({ streams: false });
  kv = await openWorkerBucket(env.nc, env.ns, 1);
});
afterAll(() => env.cleanup());

/** A monitor with a short lapse, and what it told. */
async function monitor() {
  const told = { lost: [] as LostWorker[], joined: [] as string[] };
  const fleet = new FleetMonitor(
    kv,
    env.nc,
    env.ns,
    { lost: (l) => told.lost.push(l), joined: (w) => told.joined.push(w.workerId) },
    log,
    LOST_AFTER_MS,
  );
  await fleet.start();
  return { fleet, told };
}

/**
 * A worker's heartbeat, as the worker sends it. `kvWrites: false`: every bucket write after the
 * first is held, as a leader election holds them (they never land; stopping lets them go unwritten).
 */
function beat(workerId: string, opts: { kvWrites?: boolean; startedAt?: string } = {}) {
  const startedAt = opts.startedAt ?? new Date().toISOString();
  let puts = 0;
  const held: (() => void)[] = [];
  const bucket: WorkerBucket = new Proxy(kv, {
    get: (target, key) =>
      key === "put" && opts.kvWrites === false
        ? (...args: Parameters<WorkerBucket["put"]>) =>
            puts++ === 0 ? target.put(...args) : new Promise<number>((resolve) => held.push(() => resolve(0)))
        : Reflect.get(target, key, target),
  });
  const registration = (): WorkerRegistration => ({
    workerId,
    version: "test",
    capacity: { threads: 1, maxVUs: 10, maxArrivalRate: 10 },
    labels: {},
    startedAt,
    heartbeatAt: new Date().toISOString(),
    status: "active",
    assignments: [],
  });
  const heartbeat = new WorkerHeartbeat({ nc: env.nc, ns: env.ns, kv: bucket, workerId, registration, intervalMs: 100 });
  return {
    start: () => heartbeat.start(),
    stop: (o?: { leave?: boolean }) => {
      const stopped = heartbeat.stop(o);
      for (const release of held.splice(0)) release();
      return stopped;
    },
    heldWrites: () => held.length,
  };
}

describe("FleetMonitor", () => {
  it("judges liveness on core NATS: held bucket writes do not lose a worker; silence does, its entry still fresh in the bucket", async () => {
    const { fleet, told } = await monitor();
    const h = beat("core-only", { kvWrites: false });
    await h.start();
    try {
      await eventually(() => fleet.live().some((w) => w.workerId === "core-only"), 2_000, 20);
      await sleep(LOST_AFTER_MS * 3); // only its core heartbeats are heard all this while
      expect(h.heldWrites()).toBe(1); // one write held; the beats after it did not stack more
      expect(told.lost).toEqual([]);
      expect(fleet.live().map((w) => w.workerId)).toEqual(["core-only"]);

      await h.stop(); // silent; its registration stays in the bucket
      const silentAt = Date.now();
      await eventually(() => told.lost.length > 0, 3_000, 20);
      expect(Date.now() - silentAt).toBeGreaterThanOrEqual(LOST_AFTER_MS - 100);
      expect(told.lost).toEqual([expect.objectContaining({ workerId: "core-only", why: "lapsed" })]);
      expect((await kv.get("core-only"))?.operation).toBe("PUT");
    } finally {
      fleet.stop();
      await h.stop({ leave: true }).catch(() => undefined);
    }
  });

  it("started after a worker went silent: loses it as last seen at its bucket entry's last write, not at the start", async () => {
    const h = beat("went-silent");
    await h.start();
    await sleep(250);
    await h.stop(); // silent, its registration left in the bucket
    const written = (await kv.get("went-silent"))!.created.getTime();
    await sleep(LOST_AFTER_MS + 200); // stale by the time this process takes over
    const { fleet, told } = await monitor();
    const expectedAt = Date.now();
    try {
      // The run's own record knows of it from earlier (its assignment): the entry is later evidence.
      fleet.expect([{ workerId: "went-silent", heardAt: new Date(written - 5_000).toISOString() }]);
      await eventually(() => told.lost.length > 0, 3_000, 20);
      expect(Date.now() - expectedAt).toBeGreaterThanOrEqual(LOST_AFTER_MS - 50); // still given the full lapse to show up
      expect(told.lost).toEqual([{ workerId: "went-silent", why: "lapsed", lastSeenAt: new Date(written).toISOString() }]);
      expect(told.joined).not.toContain("went-silent"); // a stale entry is no sign of life
    } finally {
      fleet.stop();
      await h.stop({ leave: true }).catch(() => undefined);
    }
  });

  it("with no bucket entry left, loses an expected worker as of the run's last word of it, never later than now", async () => {
    const { fleet, told } = await monitor();
    const heardAt = new Date(Date.now() - 70_000).toISOString(); // longer ago than the bucket keeps an entry
    try {
      const before = Date.now();
      fleet.expect([
        { workerId: "entry-expired", heardAt },
        { workerId: "clock-ahead", heardAt: new Date(Date.now() + 3_600_000).toISOString() },
      ]);
      const after = Date.now();
      await eventually(() => told.lost.length === 2, 3_000, 20);
      const byId = Object.fromEntries(told.lost.map((l) => [l.workerId, l.lastSeenAt]));
      expect(byId["entry-expired"]).toBe(heardAt);
      expect(Date.parse(byId["clock-ahead"]!)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(byId["clock-ahead"]!)).toBeLessThanOrEqual(after);
    } finally {
      fleet.stop();
    }
  });

  it("tells of a worker joining once, and again when it comes back as a new process (lost as the old one first)", async () => {
    const { fleet, told } = await monitor();
    const first = beat("joins", { startedAt: "2026-01-01T00:00:00.000Z" });
    await first.start();
    let second: ReturnType<typeof beat> | undefined;
    try {
      await eventually(() => told.joined.length > 0, 2_000, 20);
      await sleep(500); // several heartbeats, on core NATS and in the bucket
      expect(told.joined).toEqual(["joins"]);

      await first.stop();
      second = beat("joins", { startedAt: "2026-01-01T00:00:01.000Z" });
      await second.start();
      await eventually(() => told.joined.length > 1, 2_000, 20);
      expect(told.joined).toEqual(["joins", "joins"]);
      expect(told.lost).toEqual([expect.objectContaining({ workerId: "joins", why: "restarted" })]);
    } finally {
      fleet.stop();
      await first.stop({ leave: true }).catch(() => undefined);
      await second?.stop({ leave: true }).catch(() => undefined);
    }
  });
});
