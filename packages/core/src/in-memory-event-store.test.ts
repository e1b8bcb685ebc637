import { describe, it } from "vitest";
import { InMemoryEventStore } from "./in-memory-event-store.ts";
import { eventStoreContract } from "./testing/event-store-contract.ts";

describe("InMemoryEventStore keeps the event store's contract", () => {
  for (const c of eventStoreContract) it(c.name, () => c.run(new InMemoryEventStore()));
});
