import assert from "node:assert/strict";
import { type AggregateRef, createCommand, type EventEnvelope, eventsFromCommand } from "../envelope.ts";
import { ConcurrencyError } from "../errors.ts";
import type { EventStore, StoredEvent } from "../event-store.ts";
import { newId } from "../ids.ts";

/** One promise every EventStore keeps, run against a fresh store. */
export type EventStoreCase = { name: string; run(store: EventStore): Promise<void> };

const TENANT = "default";
const spec = {
  name: "contract",
  tags: [],
  targetUrl: "http://127.0.0.1:1",
  requests: [{ method: "GET" as const, path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
};

function loadTestEvents(id: string, ...types: ("load-test.created" | "load-test.updated")[]): EventEnvelope[] {
  const command = createCommand({ type: "load-test.create", tenantId: TENANT, aggregate: { type: "load-test", id }, data: { spec } });
  return eventsFromCommand(
    command,
    types.map((type) => ({ type, data: { spec } })),
  );
}

const loadTest = (id = newId()): AggregateRef => ({ type: "load-test", id });

async function collect(events: AsyncIterable<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  if (count === 0) return out;
  for await (const e of events) if (out.push(e) >= count) break;
  return out;
}

/**
 * The event store's contract, for every implementation (JetStream in @loadline/nats, the
 * in-memory twin here): a test file runs each case as a test against a store of its own.
 * Plain node:assert, so it needs no test framework.
 */
export const eventStoreContract: readonly EventStoreCase[] = [
  {
    name: "appends after the expected position and reads the aggregate back in order, with its version and seq",
    async run(store) {
      const ref = loadTest();
      const first = await store.append(TENANT, ref, loadTestEvents(ref.id, "load-test.created"), { expectedSeq: 0 });
      const second = await store.append(TENANT, ref, loadTestEvents(ref.id, "load-test.updated", "load-test.updated"), {
        expectedSeq: first.seq,
      });
      const read = await store.read(TENANT, ref);
      assert.deepEqual(
        read.events.map((e) => e.event.type),
        ["load-test.created", "load-test.updated", "load-test.updated"],
      );
      assert.equal(read.version, 3);
      assert.equal(read.seq, second.seq);
      assert.deepEqual(
        read.events.map((e) => e.seq),
        [...first.seqs, ...second.seqs],
      );
      assert.ok(second.seqs[0]! > first.seq && second.seqs[1]! > second.seqs[0]!, "positions grow");
    },
  },
  {
    name: "refuses an append whose expected position is stale with a ConcurrencyError",
    async run(store) {
      const ref = loadTest();
      await store.append(TENANT, ref, loadTestEvents(ref.id, "load-test.created"), { expectedSeq: 0 });
      await assert.rejects(store.append(TENANT, ref, loadTestEvents(ref.id, "load-test.updated"), { expectedSeq: 0 }), ConcurrencyError);
      assert.equal((await store.read(TENANT, ref)).version, 1);
    },
  },
  {
    name: "answers a retried append of the same events with their first positions, storing nothing twice",
    async run(store) {
      const ref = loadTest();
      const events = loadTestEvents(ref.id, "load-test.created");
      const first = await store.append(TENANT, ref, events, { expectedSeq: 0 });
      const again = await store.append(TENANT, ref, events, { expectedSeq: 0 });
      assert.equal(again.seq, first.seq);
      assert.equal((await store.read(TENANT, ref)).version, 1);
    },
  },
  {
    name: "reads an aggregate without events as version 0 at seq 0",
    async run(store) {
      assert.deepEqual(await store.read(TENANT, { type: "run", id: newId() }), { events: [], version: 0, seq: 0 });
    },
  },
  {
    name: "keeps aggregates apart: one's position does not guard another's",
    async run(store) {
      const a = loadTest();
      const b = loadTest();
      await store.append(TENANT, a, loadTestEvents(a.id, "load-test.created"), { expectedSeq: 0 });
      await store.append(TENANT, b, loadTestEvents(b.id, "load-test.created"), { expectedSeq: 0 });
      assert.equal((await store.read(TENANT, a)).version, 1);
      assert.equal((await store.read("other-tenant", a)).version, 0);
    },
  },
  {
    name: "reads all events from a position, in order, then ends; filtered by aggregate type",
    async run(store) {
      const a = loadTest();
      const first = await store.append(TENANT, a, loadTestEvents(a.id, "load-test.created"), { expectedSeq: 0 });
      const b = loadTest();
      const second = await store.append(TENANT, b, loadTestEvents(b.id, "load-test.created", "load-test.updated"), { expectedSeq: 0 });
      const after: StoredEvent[] = [];
      for await (const e of store.readAll({ afterSeq: first.seq })) after.push(e);
      assert.deepEqual(
        after.map((e) => e.seq),
        second.seqs,
      );
      assert.deepEqual(
        after.map((e) => e.event.aggregate.id),
        [b.id, b.id],
      );
      const runs: StoredEvent[] = [];
      for await (const e of store.readAll({ aggregateType: "run" })) runs.push(e);
      assert.equal(runs.length, 0);
    },
  },
  {
    name: "subscribes from a position: what is stored, then what is appended later, until closed",
    async run(store) {
      const a = loadTest();
      const first = await store.append(TENANT, a, loadTestEvents(a.id, "load-test.created"), { expectedSeq: 0 });
      const subscription = store.subscribe({ afterSeq: first.seq - 1, aggregateType: "load-test" });
      const seen = collect(subscription, 2);
      const later = await store.append(TENANT, a, loadTestEvents(a.id, "load-test.updated"), { expectedSeq: first.seq });
      const events = await seen;
      await subscription.close();
      assert.deepEqual(
        events.map((e) => e.seq),
        [first.seq, later.seq],
      );
      assert.equal(events[1]?.event.type, "load-test.updated");
    },
  },
];
