import { createCommand, type EventEnvelope, type EventStore, newId, scheduledRunId, sleep } from "@loadline/core";
import { eventually, OPEN_PLATFORM } from "@loadline/core/testing";
import { CommandBus, JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Orchestrator } from "./orchestrator.ts";

const log = createLogger("test", (process.env.TEST_LOG as "info") ?? "silent");
const lease = { ttlMs: 1_500, renewMs: 300, pollMs: 100 };
const EVERY_MS = 2_000;

let env: TestNats;
let bus: CommandBus;
let store: EventStore;

beforeAll(async () => {
  env = await testNats();
  bus = new CommandBus(env.nc, env.ns);
  store = new JetStreamEventStore(env.nc, env.ns);
});
afterAll(() => env.cleanup());

const start = (id: string) =>
  Orchestrator.start({
    nc: env.nc,
    ns: env.ns,
    log,
    lease,
    platform: OPEN_PLATFORM,
    id,
    scheduler: { missedAfterMs: 10_000, retryMs: 1_000 },
  });

async function all(type: "schedule" | "run"): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  for await (const s of store.readAll({ aggregateType: type })) out.push(s.event);
  return out;
}

describe("Scheduler on NATS: a standby that takes over", () => {
  it("fires every due instant across the takeover exactly once, each its one run", async () => {
    const active = await start("first");
    await active.whenActive();
    const standby = await start("second");
    const loadTestId = newId();
    const spec = {
      name: "scheduled",
      tags: [],
      targetUrl: "http://127.0.0.1:9",
      requests: [{ method: "GET" as const, path: "/" }],
      defaultUsers: 1,
      defaultSpawnRate: 1,
      defaultDurationSec: 1,
    };
    expect(
      (
        await bus.send(
          createCommand({
            type: "load-test.create",
            tenantId: "default",
            aggregate: { type: "load-test", id: loadTestId },
            data: { spec },
          }),
        )
      ).ok,
    ).toBe(true);
    const scheduleId = newId();
    const created = await bus.send(
      createCommand({
        type: "schedule.create",
        tenantId: "default",
        aggregate: { type: "schedule", id: scheduleId },
        data: {
          loadTestId,
          cron: "*/2 * * * * *",
          timezone: "UTC",
          overrides: {},
          enabled: true,
          missedFire: "run-once",
          overlap: "allow",
        },
      }),
    );
    expect(created.ok).toBe(true);
    const fired = async () =>
      (await all("schedule")).flatMap((e) => (e.aggregate.id === scheduleId && e.type === "schedule.fired" ? [e.data.dueAt] : []));
    await eventually(async () => (await fired()).length >= 2, 10_000);
    // Just after a due instant, so the next one falls within the handover.
    await sleep(EVERY_MS - (Date.now() % EVERY_MS) + 100);
    const handover = Date.now();
    await active.stop();
    await standby.whenActive();
    await sleep(3 * EVERY_MS);
    await standby.stop();

    const dues = await fired();
    expect(new Set(dues).size).toBe(dues.length); // never twice
    const first = Date.parse(dues[0]!);
    const last = Date.parse(dues.at(-1)!);
    // Every instant from the first to the last, none missed across the takeover.
    expect(dues).toEqual(Array.from({ length: (last - first) / EVERY_MS + 1 }, (_, i) => new Date(first + i * EVERY_MS).toISOString()));
    expect(dues.length).toBeGreaterThanOrEqual(5);
    const runs = (await all("run")).filter((e) => e.type === "run.created" && e.data.loadTestId === loadTestId);
    expect(runs.map((r) => r.aggregate.id).sort()).toEqual(dues.map((d) => scheduledRunId(scheduleId, d)).sort());
    // Fired by both: some instants before the handover, some after it.
    expect(dues.filter((d) => Date.parse(d) < handover).length).toBeGreaterThanOrEqual(2);
    expect(dues.filter((d) => Date.parse(d) > handover).length).toBeGreaterThanOrEqual(2);
  }, 40_000);
});
