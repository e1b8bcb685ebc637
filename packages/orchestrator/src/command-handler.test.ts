import { type CommandEnvelope, createCommand, type EventStore, InMemoryEventStore, newId, parseCommand, sleep } from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { createLogger } from "@loadline/service";
import { beforeEach, describe, expect, it } from "vitest";
import { CommandHandler, unreadableOutcome } from "./command-handler.ts";

const log = createLogger("test", "silent");
const TENANT = "default";
const spec = {
  name: "x",
  tags: [],
  targetUrl: "http://127.0.0.1:9",
  requests: [{ method: "GET" as const, path: "/" }],
  defaultUsers: 4,
  defaultSpawnRate: 2,
  defaultDurationSec: 30,
};
const loadTest = (id: string) => ({ tenantId: TENANT, aggregate: { type: "load-test" as const, id } });
const createTest = (id: string) => createCommand({ type: "load-test.create", ...loadTest(id), data: { spec } });
const updateTest = (id: string, name: string, expectedVersion?: number) =>
  createCommand({
    type: "load-test.update",
    ...loadTest(id),
    data: { spec: { ...spec, name }, ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
  });
const startRun = (loadTestId: string, overrides: object = {}) =>
  createCommand({ type: "run.start", tenantId: TENANT, aggregate: { type: "run", id: newId() }, data: { loadTestId, overrides } });

let store: EventStore;
beforeEach(() => {
  store = new InMemoryEventStore();
});

/** Given these commands were handled, when this one is: its outcome and the aggregate's event types. */
async function when(command: CommandEnvelope, ...given: CommandEnvelope[]) {
  const handler = new CommandHandler(store, log, OPEN_PLATFORM);
  for (const g of given) expect((await handler.handle(g)).ok).toBe(true);
  const outcome = await handler.handle(command);
  const { events } = await store.read(TENANT, command.aggregate);
  return { outcome, types: events.map((e) => e.event.type), events: events.map((e) => e.event) };
}

describe("CommandHandler", () => {
  it("appends what the decider decided and answers the aggregate's version and where its last event is stored", async () => {
    const id = newId();
    const { outcome, types } = await when(updateTest(id, "b"), createTest(id));
    expect(types).toEqual(["load-test.created", "load-test.updated"]);
    expect(outcome).toMatchObject({ ok: true, version: 2, seq: 2, seqs: [2] });
  });

  it("answers a command redelivered after a crash as done, without new events", async () => {
    const command = createTest(newId());
    const first = await new CommandHandler(store, log, OPEN_PLATFORM).handle(command);
    // A new handler has an empty cache, as an orchestrator restarted before it acked.
    const again = await new CommandHandler(store, log, OPEN_PLATFORM).handle(command);
    expect(first).toMatchObject({ ok: true, version: 1, seqs: [1] });
    expect(again).toEqual({ ok: true, commandId: command.id, aggregateId: command.aggregate.id, version: 1, seq: 1, seqs: [] });
    expect((await store.read(TENANT, command.aggregate)).events).toHaveLength(1);
  });

  it("decides again on fresh state when another writer appended first", async () => {
    const id = newId();
    const a = new CommandHandler(store, log, OPEN_PLATFORM);
    const b = new CommandHandler(store, log, OPEN_PLATFORM);
    await a.handle(createTest(id));
    await b.handle(createTest(id)); // b now caches the test at version 1
    await a.handle(updateTest(id, "by a"));
    const outcome = await b.handle(updateTest(id, "by b")); // b's cache is stale: ConcurrencyError, reload, decide again
    expect(outcome).toMatchObject({ ok: true, version: 3 });
    const { events } = await store.read(TENANT, { type: "load-test", id });
    expect(events.map((e) => e.event.type)).toEqual(["load-test.created", "load-test.updated", "load-test.updated"]);
  });

  it("refuses a stale If-Match with precondition_failed naming the header", async () => {
    const id = newId();
    const { outcome, types } = await when(updateTest(id, "late", 1), createTest(id), updateTest(id, "first"));
    expect(outcome).toMatchObject({ ok: false, error: { code: "precondition_failed", field: "If-Match" } });
    expect(types).toHaveLength(2);
  });

  it("refuses a command that names another aggregate type", async () => {
    const bad = createCommand({ type: "run.stop", ...loadTest(newId()), data: { reason: "requested" } });
    const { outcome, types } = await when(bad);
    expect(outcome).toMatchObject({ ok: false, error: { code: "invalid" } });
    expect(types).toEqual([]);
  });

  describe("run.start", () => {
    it("compiles the test's defaults and the run's overrides into run.created", async () => {
      const testId = newId();
      const { outcome, events } = await when(startRun(testId, { targetUsers: 7 }), createTest(testId));
      expect(outcome).toMatchObject({ ok: true, version: 1 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "run.created",
        data: { loadTestId: testId, targetUsers: 7, spawnRate: 2, durationSec: 30, target: { targetUrl: spec.targetUrl } },
      });
    });

    it("fills a test's env placeholders from the run's env, records the env, and checks the filled targets", async () => {
      const testId = newId();
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an env placeholder, not a template literal
      const templated = { ...spec, targetUrl: "${BASE_URL}", requests: [{ method: "GET" as const, path: "/{{env.PREFIX}}" }] };
      const create = createCommand({ type: "load-test.create", ...loadTest(testId), data: { spec: templated } });
      const withEnv = (env?: Record<string, string>) =>
        createCommand({
          type: "run.start",
          tenantId: TENANT,
          aggregate: { type: "run", id: newId() },
          data: { loadTestId: testId, overrides: {}, ...(env ? { env } : {}) },
        });
      const env = { BASE_URL: "http://127.0.0.1:9", PREFIX: "v1" };
      const { events } = await when(withEnv(env), create);
      expect(events[0]).toMatchObject({
        type: "run.created",
        data: { env, target: { targetUrl: "http://127.0.0.1:9", requests: [{ path: "/v1" }] } },
      });
      const handler = new CommandHandler(store, log, OPEN_PLATFORM);
      expect(await handler.handle(withEnv({ PREFIX: "v1" }))).toMatchObject({ ok: false, error: { code: "invalid", field: "targetUrl" } });
      expect(await handler.handle(withEnv({ ...env, BASE_URL: "http://169.254.169.254" }))).toMatchObject({
        ok: false,
        error: { code: "forbidden", field: "targetUrl" },
      });
      // An env value is text: it cannot make the run send a secret its test does not name.
      expect(await handler.handle(withEnv({ ...env, PREFIX: "{{secrets.ADMIN}}" }))).toMatchObject({
        ok: false,
        error: { code: "invalid", field: "env" },
      });
    });

    it("answers not_found for a load test that does not exist or was deleted", async () => {
      const testId = newId();
      expect((await when(startRun(newId()))).outcome).toMatchObject({ ok: false, error: { code: "not_found" } });
      const deleted = createCommand({ type: "load-test.delete", ...loadTest(testId), data: {} });
      const { outcome, types } = await when(startRun(testId), createTest(testId), deleted);
      expect(outcome).toMatchObject({ ok: false, error: { code: "not_found", message: "load test not found" } });
      expect(types).toEqual([]);
    });

    it("answers a redelivered run.start as done, even once the test is gone", async () => {
      const testId = newId();
      const handler = new CommandHandler(store, log, OPEN_PLATFORM);
      await handler.handle(createTest(testId));
      const start = startRun(testId);
      const first = await handler.handle(start);
      await handler.handle(createCommand({ type: "load-test.delete", ...loadTest(testId), data: {} }));
      // A new handler, as an orchestrator restarted before it acked the command.
      const again = await new CommandHandler(store, log, OPEN_PLATFORM).handle(start);
      expect(first).toMatchObject({ ok: true, version: 1 });
      expect(again).toMatchObject({ ok: true, version: 1, seqs: [] });
      expect((await store.read(TENANT, start.aggregate)).version).toBe(1);
    });

    it("never caches a test as it was before a delete decided meanwhile", async () => {
      const testId = newId();
      await new CommandHandler(store, log, OPEN_PLATFORM).handle(createTest(testId)); // stored; not in the next handler's cache
      // The first read of the test (run.start's) sees it active, then is held until after the delete.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reads = 0;
      const inner = store;
      const gated: EventStore = {
        append: (...args) => inner.append(...args),
        readAll: (opts) => inner.readAll(opts),
        subscribe: (opts) => inner.subscribe(opts),
        async read(tenantId, ref) {
          const events = await inner.read(tenantId, ref);
          if (ref.type === "load-test" && reads++ === 0) await held;
          return events;
        },
      };
      const handler = new CommandHandler(gated, log, OPEN_PLATFORM);
      const first = handler.handle(startRun(testId));
      await sleep(5);
      const deleted = handler.handle(createCommand({ type: "load-test.delete", ...loadTest(testId), data: {} }));
      await sleep(5);
      release();
      expect((await deleted).ok).toBe(true);
      expect((await first).ok).toBe(true); // it read the test before the delete
      expect(await handler.handle(startRun(testId))).toMatchObject({ ok: false, error: { code: "not_found" } });
    });

    it("refuses an override the test's workload cannot take, naming it", async () => {
      const testId = newId();
      const open = { type: "constant-arrival-rate" as const, rate: 10, timeUnitSec: 1, durationSec: 5, preAllocatedVUs: 2 };
      const create = createCommand({ type: "load-test.create", ...loadTest(testId), data: { spec: { ...spec, workload: open } } });
      const { outcome } = await when(startRun(testId, { targetUsers: 3 }), create);
      expect(outcome).toMatchObject({ ok: false, error: { code: "invalid", field: "targetUsers" } });
    });
  });
});

describe("unreadableOutcome", () => {
  /** What parseCommand throws for `raw`. */
  const refusalOf = (raw: unknown) => {
    try {
      parseCommand(raw);
    } catch (e) {
      return e;
    }
    throw new Error("parsed");
  };

  it("answers a command that cannot be read as invalid, naming the field, so its sender is not left waiting", () => {
    const raw = JSON.parse(JSON.stringify(createCommand({ type: "load-test.delete", ...loadTest(newId()), data: { expectedVersion: 1 } })));
    raw.data.expectedVersion = 1e20;
    expect(unreadableOutcome(raw, refusalOf(raw))).toEqual({
      ok: false,
      commandId: raw.id,
      aggregateId: raw.aggregate.id,
      error: {
        code: "invalid",
        message: expect.stringMatching(/^unreadable command: bad data of load-test.delete/),
        field: "expectedVersion",
      },
    });
  });

  it("cannot answer one whose id is no id (the outcome's subject is made of it)", () => {
    for (const raw of [null, "text", { id: 7 }, { id: "a.b" }, { id: "*" }, { id: "" }])
      expect(unreadableOutcome(raw, refusalOf(raw)), JSON.stringify(raw)).toBeNull();
  });
});
