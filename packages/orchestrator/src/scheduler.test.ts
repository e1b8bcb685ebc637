import {
  type CommandEnvelope,
  type CommandInit,
  createCommand,
  type EventEnvelope,
  type EventStore,
  InMemoryEventStore,
  newId,
  type PlatformDefaults,
  type ScheduleDefinition,
  scheduledRunId,
} from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { admissionRefusal } from "./command-admission.ts";
import { CommandHandler } from "./command-handler.ts";
import { readSchedules, Scheduler } from "./scheduler.ts";

const log = createLogger("test", "silent");
const TENANT = "default";
const timings = { missedAfterMs: 5_000, retryMs: 1_000 };

/**
 * The scheduler over the real command handler and deciders and an event store in memory, on a
 * fake clock: due instants are checked to the second. (scheduler.nats.test.ts: a takeover on NATS.)
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(new Date("2026-01-01T00:00:00.500Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

const settle = () => new Promise((resolve) => setImmediate(resolve));
const elapse = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
};

const spec = {
  name: "nightly",
  tags: [],
  targetUrl: "http://127.0.0.1:9",
  requests: [{ method: "GET" as const, path: "/" }],
  defaultUsers: 4,
  defaultSpawnRate: 2,
  defaultDurationSec: 30,
};
const every5s: Omit<ScheduleDefinition, "loadTestId"> = {
  cron: "*/5 * * * * *",
  timezone: "UTC",
  overrides: { durationSec: 10 },
  enabled: true,
  missedFire: "run-once",
  overlap: "allow",
};

/** A handler and its scheduler, as an active orchestrator has them; several may share one store (a takeover's overlap). */
function orchestrator(store: EventStore, platform: PlatformDefaults = OPEN_PLATFORM) {
  let scheduler: Scheduler | undefined;
  const handler = new CommandHandler(store, log, platform, (events) => scheduler?.onEvents(events));
  scheduler = new Scheduler(handler, log, timings);
  return { handler, scheduler };
}

function world(platform?: PlatformDefaults) {
  const store = new InMemoryEventStore();
  const first = orchestrator(store, platform);
  const send = async <T extends CommandEnvelope["type"]>(type: T, aggregate: CommandInit<T>["aggregate"], data: CommandInit<T>["data"]) => {
    const outcome = await first.handler.handle(
      createCommand({ type, tenantId: TENANT, aggregate, data } as CommandInit<T>) as CommandEnvelope,
    );
    await settle();
    return outcome;
  };
  const all = async (): Promise<EventEnvelope[]> => {
    const out: EventEnvelope[] = [];
    for await (const s of store.readAll()) out.push(s.event);
    return out;
  };
  return {
    store,
    ...first,
    send,
    async test(over: object = {}): Promise<string> {
      const id = newId();
      expect((await send("load-test.create", { type: "load-test", id }, { spec: { ...spec, ...over } })).ok).toBe(true);
      return id;
    },
    async schedule(loadTestId: string, over: Partial<ScheduleDefinition> = {}) {
      const id = newId();
      const outcome = await send("schedule.create", { type: "schedule", id }, { loadTestId, ...every5s, ...over });
      return { id, outcome };
    },
    /** The schedule's events of a type. */
    async of<T extends EventEnvelope["type"]>(scheduleId: string, type: T) {
      return (await all()).filter((e): e is Extract<EventEnvelope, { type: T }> => e.aggregate.id === scheduleId && e.type === type);
    },
    /** Every run.created, by run id. */
    async runs() {
      return (await all()).filter((e): e is Extract<EventEnvelope, { type: "run.created" }> => e.type === "run.created");
    },
  };
}

describe("Scheduler: firing on the schedule's clock", () => {
  it("fires each due instant once, starting its run of the derived id, as schedule:<id>, with the schedule's overrides", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test(), { placement: { workers: 1 } });
    await elapse(15_000); // 00:00:05, :10, :15
    const fired = await w.of(id, "schedule.fired");
    expect(fired.map((e) => e.data.dueAt)).toEqual(["2026-01-01T00:00:05.000Z", "2026-01-01T00:00:10.000Z", "2026-01-01T00:00:15.000Z"]);
    const runs = await w.runs();
    expect(runs.map((r) => r.aggregate.id)).toEqual(fired.map((e) => scheduledRunId(id, e.data.dueAt)));
    expect(runs.every((r) => r.actor === `schedule:${id}` && r.data.durationSec === 10 && r.data.placement?.workers === 1)).toBe(true);
    // Started at its instant, not later.
    expect(Date.parse(runs[0]!.time) - Date.parse("2026-01-01T00:00:05.000Z")).toBeLessThan(100);
  });

  it("fires nothing while disabled, and from the moment it is enabled again; deleted, never", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test(), { enabled: false });
    await elapse(12_000);
    expect(await w.of(id, "schedule.fired")).toEqual([]);
    await w.send("schedule.update", { type: "schedule", id }, { changes: { enabled: true } }); // at 00:00:12.5
    await elapse(5_000);
    expect((await w.of(id, "schedule.fired")).map((e) => e.data.dueAt)).toEqual(["2026-01-01T00:00:15.000Z"]);
    await w.send("schedule.delete", { type: "schedule", id }, {});
    await elapse(10_000);
    expect(await w.of(id, "schedule.fired")).toHaveLength(1);
  });

  it("skips an instant while its last run is live (overlap skip), naming the run", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test(), { overlap: "skip" });
    await elapse(10_000); // runs stay Pending here: no supervisor plans them
    expect((await w.of(id, "schedule.fired")).map((e) => e.data.dueAt)).toEqual(["2026-01-01T00:00:05.000Z"]);
    expect((await w.of(id, "schedule.skipped")).map((e) => e.data)).toEqual([
      { dueAt: "2026-01-01T00:00:10.000Z", reason: "overlap", missed: 1, liveRunId: scheduledRunId(id, "2026-01-01T00:00:05.000Z") },
    ]);
  });

  it("queues one instant behind a live run and fires it when that run ends (overlap queue)", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test(), { overlap: "queue" });
    await elapse(15_000);
    const first = scheduledRunId(id, "2026-01-01T00:00:05.000Z");
    expect((await w.of(id, "schedule.queued")).map((e) => e.data)).toEqual([{ dueAt: "2026-01-01T00:00:10.000Z", liveRunId: first }]);
    expect((await w.of(id, "schedule.skipped")).map((e) => e.data.dueAt)).toEqual(["2026-01-01T00:00:15.000Z"]);
    await w.send("run.fail", { type: "run", id: first }, { reason: "ended for the test" }); // at 00:00:15.5
    const fired = await w.of(id, "schedule.fired");
    expect(fired.map((e) => [e.data.dueAt, e.data.queued])).toEqual([
      ["2026-01-01T00:00:05.000Z", false],
      ["2026-01-01T00:00:10.000Z", true],
    ]);
    expect((await w.runs()).map((r) => r.aggregate.id)).toEqual([first, scheduledRunId(id, "2026-01-01T00:00:10.000Z")]);
  });

  it("records a fired run that cannot start (its test deleted) and goes on firing, without starting it again", async () => {
    const w = world();
    const test = await w.test();
    const { id } = await w.schedule(test);
    await w.send("load-test.delete", { type: "load-test", id: test }, {});
    await elapse(10_000);
    const refused = await w.of(id, "schedule.run-refused");
    expect(refused.map((e) => [e.data.dueAt, e.data.reason])).toEqual([
      ["2026-01-01T00:00:05.000Z", "not_found: load test not found"],
      ["2026-01-01T00:00:10.000Z", "not_found: load test not found"],
    ]);
    expect(await w.runs()).toEqual([]);
  });
});

describe("Scheduler: written only as a run could start", () => {
  it("refuses a schedule of a test that does not exist, overrides its workload cannot take, or past the quotas", async () => {
    const small: PlatformDefaults = { ...OPEN_PLATFORM, quotas: { ...OPEN_PLATFORM.quotas, maxVUs: 10 } };
    const w = world(small);
    expect((await w.schedule("no-such-test")).outcome).toMatchObject({ ok: false, error: { code: "not_found" } });
    const open = await w.test({ workload: { type: "constant-arrival-rate", rate: 5, durationSec: 30, preAllocatedVUs: 2, maxVUs: 4 } });
    expect((await w.schedule(open, { overrides: { targetUsers: 3 } })).outcome).toMatchObject({
      ok: false,
      error: { code: "invalid", field: "overrides.targetUsers" },
    });
    expect((await w.schedule(await w.test(), { overrides: { targetUsers: 11 } })).outcome).toMatchObject({
      ok: false,
      error: { code: "forbidden", field: "overrides.targetUsers" },
    });
    const { id, outcome } = await w.schedule(await w.test());
    expect(outcome.ok).toBe(true);
    expect(await w.send("schedule.update", { type: "schedule", id }, { changes: { overrides: { targetUsers: 11 } } })).toMatchObject({
      ok: false,
      error: { code: "forbidden", field: "overrides.targetUsers" },
    });
  });
});

describe("Scheduler: taking over", () => {
  it("starts a run its predecessor fired but did not start, and fires what fell due meanwhile, once each", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test());
    // The predecessor decided the 00:00:05 fire and died before its run.start: no scheduler of its own here.
    w.scheduler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(
      (await w.send("schedule.fire", { type: "schedule", id }, { dueAt: "2026-01-01T00:00:05.000Z", missed: 0, queued: false })).ok,
    ).toBe(true);
    await elapse(2_000); // 00:00:07.5: the standby takes over (its own handler, the schedules read from the store)
    const next = orchestrator(w.store);
    next.scheduler.recover(await readSchedules(w.store, next.handler, () => undefined));
    await settle();
    await next.scheduler.settled();
    expect((await w.runs()).map((r) => r.aggregate.id)).toEqual([scheduledRunId(id, "2026-01-01T00:00:05.000Z")]);
    await elapse(5_000);
    expect((await w.of(id, "schedule.fired")).map((e) => e.data.dueAt)).toEqual(["2026-01-01T00:00:05.000Z", "2026-01-01T00:00:10.000Z"]);
    expect(await w.runs()).toHaveLength(2);
    next.scheduler.stop();
  });

  it("fires each instant once when two orchestrators act on one schedule (the lease's overlap): the appends decide", async () => {
    const w = world();
    const { id } = await w.schedule(await w.test());
    const other = orchestrator(w.store);
    other.scheduler.recover(await readSchedules(w.store, other.handler, () => undefined));
    await elapse(30_000);
    const fired = await w.of(id, "schedule.fired");
    const dues = fired.map((e) => e.data.dueAt);
    expect(dues).toEqual(Array.from({ length: 6 }, (_, i) => new Date(Date.parse("2026-01-01T00:00:05.000Z") + i * 5_000).toISOString()));
    const runs = (await w.runs()).map((r) => r.aggregate.id);
    expect(runs.sort()).toEqual(dues.map((d) => scheduledRunId(id, d)).sort());
    other.scheduler.stop();
  });

  it("after an outage, fires once for the instants missed (run-once), or skips them (skip) and fires the latest, found on time", async () => {
    const w = world();
    const test = await w.test();
    const once = await w.schedule(test);
    const skip = await w.schedule(test, { missedFire: "skip" });
    w.scheduler.stop();
    await vi.advanceTimersByTimeAsync(30_000); // 00:00:30.5: nobody fired 00:00:05 to :30
    const next = orchestrator(w.store);
    next.scheduler.recover(await readSchedules(w.store, next.handler, () => undefined));
    await settle();
    await next.scheduler.settled();
    expect((await w.of(once.id, "schedule.fired")).map((e) => [e.data.dueAt, e.data.missed])).toEqual([["2026-01-01T00:00:30.000Z", 5]]);
    expect((await w.of(once.id, "schedule.skipped")).map((e) => e.data)).toEqual([]);
    // 00:00:30 is 0.5 s late, within missedAfterMs: only those before it were missed.
    expect((await w.of(skip.id, "schedule.skipped")).map((e) => [e.data.dueAt, e.data.reason, e.data.missed])).toEqual([
      ["2026-01-01T00:00:25.000Z", "missed", 5],
    ]);
    expect((await w.of(skip.id, "schedule.fired")).map((e) => [e.data.dueAt, e.data.missed])).toEqual([["2026-01-01T00:00:30.000Z", 0]]);
    expect(await w.runs()).toHaveLength(2);
    next.scheduler.stop();
  });
});

describe("schedule commands on the bus", () => {
  it("takes a schedule's writes from the API's subject, never its fires, skips or queues (the orchestrator's own)", () => {
    const aggregate = { type: "schedule" as const, id: "s1" };
    const create = createCommand({ type: "schedule.create", tenantId: "a", aggregate, data: { loadTestId: "t", ...every5s } });
    expect(admissionRefusal("ll.cmd.a.schedule.s1", create)).toBeNull();
    const fire = createCommand({
      type: "schedule.fire",
      tenantId: "a",
      aggregate,
      data: { dueAt: "2026-01-01T00:00:05.000Z", missed: 0, queued: false },
    });
    expect(admissionRefusal("ll.cmd.a.schedule.s1", fire)).toBe("schedule.fire is not taken from the bus");
    const skip = createCommand({
      type: "schedule.skip",
      tenantId: "a",
      aggregate,
      data: { dueAt: "2026-01-01T00:00:05.000Z", reason: "missed", missed: 1 },
    });
    expect(admissionRefusal("ll.cmd.a.schedule.s1", skip)).toMatch(/not taken from the bus/);
  });
});
