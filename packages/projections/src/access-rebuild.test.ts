import { type EventStore, newId } from "@loadline/core";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCheckpoint } from "./checkpoints.ts";
import { rebuildProjection } from "./rebuild.ts";
import { Projections } from "./service.ts";
import { accessHistory, appendEvents, everyStoredText, loadTestSpec, runCreated, sealedValue, tableChecksums } from "./test-fixtures.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("access-rebuild-test", process.env.TEST_LOG_LEVEL ?? "silent");
let env: TestNats;
let pg: TestDatabase;
let store: EventStore;
let live: Projections | undefined;

beforeEach(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  store = new JetStreamEventStore(env.nc, env.ns);
});
afterEach(async () => {
  await live?.stop();
  await env?.cleanup();
  await pg?.drop();
});

describe("rebuilding the events projection", () => {
  it("gives the access tables and the audit log exactly the rows the live projection wrote, and no sealed value", async () => {
    live = await Projections.start({ nc: env.nc, ns: env.ns, database: { url: pg.url }, log });
    const sealed = [sealedValue(), sealedValue(), sealedValue(), sealedValue()];
    const a = await accessHistory(store, "rebuild-a", sealed.slice(0, 3));
    await accessHistory(store, "rebuild-b");
    const loadTestId = newId();
    await appendEvents(store, "rebuild-a", { type: "load-test", id: loadTestId }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    const last = await appendEvents(store, "rebuild-a", { type: "run", id: newId() }, [
      runCreated(loadTestId, { targetPolicy: { allow: [], loopback: true, privateNetworks: false }, secrets: { S: sealed[3]! } }),
    ]);
    // The platform's own tenant: projected, but in nobody's audit.
    const fleet = await appendEvents(store, "_fleet", { type: "worker", id: "w1" }, [
      { type: "worker.lost", data: { lastSeenAt: "2030-01-01T00:00:00.000Z", lostAt: "2030-01-01T00:00:03.000Z", runs: [] } },
    ]);
    expect(await live.projectors.events.waitFor(Math.max(last, fleet), 5000)).toBe(true);

    const before = await tableChecksums(live.database.db);
    // Two tenants: two keys, one secret (the other deleted) and one settings row each.
    expect([before.api_keys!.rows, before.secrets!.rows, before.tenant_settings!.rows]).toEqual([4, 2, 2]);
    expect(before.audit_log!.rows).toBe(9 + 9 + 2);

    // Damage the live rows: the rebuild replaces every one of these tables, so the damage goes.
    await live.database.db.execute(sql`update audit_log set actor = 'tampered'`);
    await live.database.db.execute(sql`delete from secrets`);
    await live.database.db.execute(sql`update api_keys set revoked_at = null, revoked_by = null`);
    await live.database.db.execute(sql`update tenant_settings set allow = null`);
    expect(await tableChecksums(live.database.db)).not.toEqual(before);

    const result = await rebuildProjection({ url: pg.url, nc: env.nc, ns: env.ns, log, name: "events" });
    expect(result.position).toBe(await readCheckpoint(live.database.db, "events"));
    expect(await tableChecksums(live.database.db)).toEqual(before);
    expect(await live.readModel.apiKeyById(a.keyId)).toMatchObject({ tenantId: "rebuild-a", revoked: false });

    const stored = await everyStoredText(live.database.db);
    for (const s of sealed) expect(stored.filter((v) => v.includes(s.split(":").at(-1)!))).toEqual([]);

    // The live projector goes on into the swapped-in tables.
    const more = await appendEvents(store, "rebuild-a", { type: "secret", id: "AFTER" }, [
      { type: "secret.set", data: { sealed: sealedValue() } },
    ]);
    expect(await live.projectors.events.waitFor(more, 5000)).toBe(true);
    expect((await live.readModel.secrets("rebuild-a")).map((s) => s.name)).toEqual(["AFTER", "API_TOKEN"]);
    expect((await live.readModel.audit("rebuild-a", { limit: 1 })).items[0]).toMatchObject({ type: "secret.set", aggregateId: "AFTER" });
  });
});
