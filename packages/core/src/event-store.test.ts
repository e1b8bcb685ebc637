import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommand, eventsFromCommand } from "./envelope.ts";
import { ConcurrencyError } from "./errors.ts";
import { EventStore } from "./event-store.ts";
import { newId } from "./ids.ts";
import { testNats, type TestNats } from "./testing.ts";

let env: TestNats;
let store: EventStore;
beforeAll(async () => {
  env = await testNats();
  store = new EventStore(jetstream(env.nc), env.ns);
});
afterAll(() => env.cleanup());

const spec = {
  name: "t",
  tags: [],
  targetUrl: "http://127.0.0.1:1",
  requests: [{ method: "GET" as const, path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
};

function loadTestEvent(id: string, type: "load-test.created" | "load-test.updated" = "load-test.created") {
  const command = createCommand({ type: "load-test.create", tenantId: "default", aggregate: { type: "load-test", id }, data: { spec } });
  return eventsFromCommand(command, [{ type, data: { spec } }]);
}

describe("EventStore on JetStream", () => {
  it("appends with an expected version and reads the aggregate back in order", async () => {
    const id = newId();
    const first = await store.append("default", { type: "load-test", id }, loadTestEvent(id), { expectedVersion: 0 });
    const update = loadTestEvent(id, "load-test.updated");
    const second = await store.append("default", { type: "load-test", id }, update, { expectedVersion: first.version });
    const { events, version } = await store.read("default", { type: "load-test", id });
    expect(events.map((e) => e.event.type)).toEqual(["load-test.created", "load-test.updated"]);
    expect(version).toBe(second.version);
  });

  it("turns a stale expected version into a ConcurrencyError", async () => {
    const id = newId();
    await store.append("default", { type: "load-test", id }, loadTestEvent(id), { expectedVersion: 0 });
    await expect(store.append("default", { type: "load-test", id }, loadTestEvent(id), { expectedVersion: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it("makes a retried append idempotent through the message id", async () => {
    const id = newId();
    const events = loadTestEvent(id);
    const first = await store.append("default", { type: "load-test", id }, events, { expectedVersion: 0 });
    // Same event ids, same expectation: JetStream answers the first sequence as a duplicate.
    const again = await store.append("default", { type: "load-test", id }, events, { expectedVersion: 0 });
    expect(again.version).toBe(first.version);
    expect((await store.read("default", { type: "load-test", id })).events).toHaveLength(1);
  });

  it("reads an aggregate that has no events as version 0", async () => {
    expect(await store.read("default", { type: "run", id: newId() })).toEqual({ events: [], version: 0 });
  });
});
