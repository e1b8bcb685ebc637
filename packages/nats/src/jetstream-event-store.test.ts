import { eventStoreContract } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import { JetStreamEventStore } from "./jetstream-event-store.ts";
import { type TestNats, testNats } from "./testing.ts";

let env: TestNats;
beforeAll(async () => {
  env = await testNats();
});
afterAll(() => env.cleanup());

describe("JetStreamEventStore keeps the event store's contract on a real server", () => {
  for (const c of eventStoreContract) it(c.name, () => c.run(new JetStreamEventStore(env.nc, env.ns)));
});
