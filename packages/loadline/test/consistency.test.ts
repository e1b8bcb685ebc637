import { createCommand, eventsFromCommand, newId, sleep } from "@loadline/core";
import { connectNats, JetStreamEventStore, type NatsConnection } from "@loadline/nats";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
let nc: NatsConnection;
beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "consistency-test");
});
afterAll(async () => {
  await nc.drain();
  await f.close();
});

const spec = () => ({
  name: "seq",
  tags: [],
  targetUrl: "http://127.0.0.1:9",
  requests: [{ method: "GET" as const, path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
});

/** Appends straight to the event store, as another writer would: nothing waits for the projection. */
async function appendDirectly(): Promise<{ id: string; seq: number }> {
  const id = newId();
  const command = createCommand({
    type: "load-test.create",
    tenantId: "default",
    aggregate: { type: "load-test", id },
    data: { spec: spec() },
  });
  const events = eventsFromCommand(command, [{ type: "load-test.created", data: { spec: spec() } }]);
  const { seq } = await new JetStreamEventStore(nc, f.stack.ns).append("default", command.aggregate, events, { expectedSeq: 0 });
  return { id, seq };
}

/**
 * Holds the events projection still: a transaction keeps its checkpoint row locked, so no batch
 * of it can commit (each batch locks that row) until the returned function lets go.
 */
async function holdEventsProjection(): Promise<() => Promise<void>> {
  const sql = postgres(f.databaseUrl, { max: 1, onnotice: () => undefined });
  const held = await sql.reserve();
  await held`begin`;
  await held`select position from projection_checkpoints where name = 'events' for update`;
  return async () => {
    await held`rollback`;
    held.release();
    await sql.end();
  };
}

describe("consistency", () => {
  it("makes a query wait for minSeq while the projection is held, and answers once it applied the write", async () => {
    const release = await holdEventsProjection();
    let released = false;
    try {
      const { id, seq } = await appendDirectly();
      // Without minSeq the read model does not have it yet: the projection cannot commit.
      expect((await f.api.fetch(`/v1/load-tests/${id}`)).status).toBe(404);
      const waiting = f.api.fetch(`/v1/load-tests/${id}?minSeq=${seq}`);
      await sleep(300);
      await release();
      released = true;
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { id: string }).id).toBe(id);
    } finally {
      if (!released) await release();
    }
  });

  it("answers a write 202 with its sequence when the projection does not apply it in time, and the write stands", async () => {
    const release = await holdEventsProjection();
    let released = false;
    try {
      const res = await f.api.fetch(`/v1/load-tests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(spec()),
      });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { id: string; commandId: string; status: string; seq: number };
      expect(body).toMatchObject({ status: "accepted", seq: Number(res.headers.get("x-event-seq")) });
      await release();
      released = true;
      const later = await f.api.fetch(`/v1/load-tests/${body.id}?minSeq=${body.seq}`);
      expect(later.status).toBe(200);
    } finally {
      if (!released) await release();
    }
  });

  it("answers every write with the stream sequence of its last event", async () => {
    const res = await f.api.fetch(`/v1/load-tests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(spec()),
    });
    expect(res.status).toBe(201);
    expect(Number(res.headers.get("x-event-seq"))).toBeGreaterThan(0);
  });

  it("makes a query given minSeq (query or header) see the write of that sequence", async () => {
    const first = await appendDirectly();
    const byQuery = await f.api.fetch(`/v1/load-tests/${first.id}?minSeq=${first.seq}`);
    expect(byQuery.status).toBe(200);
    const second = await appendDirectly();
    const byHeader = await f.api.fetch(`/v1/load-tests/${second.id}`, { headers: { "x-min-seq": String(second.seq) } });
    expect(byHeader.status).toBe(200);
    expect(((await byHeader.json()) as { id: string }).id).toBe(second.id);
  });

  it("refuses a minSeq that is not a sequence, naming it, and answers 503 when the projection cannot reach it in time", async () => {
    const bad = await f.api.fetch(`/v1/runs?minSeq=soon`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("minSeq");
    const far = await f.api.fetch(`/v1/runs?minSeq=999999999`);
    expect(far.status).toBe(503);
    expect(far.headers.get("retry-after")).toBe("1");
  });

  it("shows each projection's checkpoint, lag and dead letters", async () => {
    const { seq } = await appendDirectly();
    await f.api.fetch(`/v1/runs?minSeq=${seq}`);
    const { items } = (await (await f.api.fetch(`/v1/projections`)).json()) as {
      items: { name: string; stream: string; checkpoint: number; streamLastSeq: number; lag: number; deadLetters: number }[];
    };
    expect(items.map((p) => p.name).sort()).toEqual(["events", "metrics"]);
    const events = items.find((p) => p.name === "events")!;
    expect(events.stream).toBe(f.stack.ns.streams.events);
    expect(events.checkpoint).toBeGreaterThanOrEqual(seq);
    expect(events.lag).toBe(events.streamLastSeq - events.checkpoint);
    expect(events.deadLetters).toBe(0);
  });
});
