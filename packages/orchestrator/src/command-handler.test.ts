import { jetstream } from "@nats-io/jetstream";
import { EventStore, createCommand, createLogger, newId } from "@loadline/core";
import { testNats, type TestNats } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandHandler } from "./command-handler.ts";

const log = createLogger("test", "silent");
let env: TestNats;
let store: EventStore;
beforeAll(async () => {
  env = await testNats();
  store = new EventStore(jetstream(env.nc), env.ns);
});
afterAll(() => env.cleanup());

const spec = { name: "x", tags: [], targetUrl: "http://127.0.0.1:9", requests: [{ method: "GET" as const, path: "/" }], defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const create = (id: string) => createCommand({ type: "load-test.create", tenantId: "default", aggregate: { type: "load-test", id }, data: { spec } });

describe("CommandHandler", () => {
  it("answers a command redelivered after a crash as done, without new events", async () => {
    const command = create(newId());
    const first = await new CommandHandler(store, log).handle(command);
    // A new handler has an empty cache, as an orchestrator restarted before it acked.
    const again = await new CommandHandler(store, log).handle(command);
    expect(first).toMatchObject({ ok: true, seqs: [expect.any(Number)] });
    expect(again).toEqual({ ok: true, commandId: command.id, aggregateId: command.aggregate.id, version: first.ok ? first.version : -1, seqs: [] });
    expect((await store.read("default", command.aggregate)).events).toHaveLength(1);
  });

  it("decides again on fresh state when another writer appended first", async () => {
    const id = newId();
    const a = new CommandHandler(store, log);
    const b = new CommandHandler(store, log);
    await a.handle(create(id));
    await b.state({ tenantId: "default", aggregate: { type: "load-test", id } }); // b caches version 1
    const update = (name: string) =>
      createCommand({ type: "load-test.update", tenantId: "default", aggregate: { type: "load-test", id }, data: { spec: { ...spec, name } } });
    await a.handle(update("by a"));
    const outcome = await b.handle(update("by b")); // b's cache is stale: ConcurrencyError, reload, decide again
    expect(outcome.ok).toBe(true);
    const { events } = await store.read("default", { type: "load-test", id });
    expect(events.map((e) => e.event.type)).toEqual(["load-test.created", "load-test.updated", "load-test.updated"]);
  });

  it("refuses a command that names another aggregate type", async () => {
    const bad = createCommand({ type: "run.stop", tenantId: "default", aggregate: { type: "load-test", id: newId() }, data: { reason: "requested" } });
    expect(await new CommandHandler(store, log).handle(bad)).toMatchObject({ ok: false, error: { code: "invalid" } });
  });
});
