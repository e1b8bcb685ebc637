import { newId } from "@loadline/core";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.ts";
import { Projections } from "./service.ts";
import {
  accessHistory,
  appendEvents,
  everyStoredText,
  loadTestSpec,
  publishWindow,
  requestWindow,
  runCreated,
  sealedValue,
} from "./test-fixtures.ts";
import { served } from "./test-projections.ts";

const log = createLogger("projections-test", "silent");
let env: TestNats;
let database: Database;
beforeAll(async () => {
  env = await testNats();
  database = await openDatabase();
});
afterAll(async () => {
  await database?.close();
  await env?.cleanup();
});

describe("without a database URL", () => {
  it("migrates PGlite in memory and projects into it, across a restart", async () => {
    expect(database.kind).toBe("pglite");
    const store = new JetStreamEventStore(env.nc, env.ns);
    const id = newId();
    let projections = await Projections.start({ nc: env.nc, ns: env.ns, database, log });
    const first = await appendEvents(store, "default", { type: "load-test", id }, [
      { type: "load-test.created", data: { spec: loadTestSpec({ tags: ["lite"] }) } },
    ]);
    expect(await projections.readModel.waitForEvents(first, 5000)).toBe(true);
    await projections.stop(); // leaves the database it was given open

    projections = await Projections.start({ nc: env.nc, ns: env.ns, database, log });
    const second = await appendEvents(store, "default", { type: "load-test", id }, [
      { type: "load-test.updated", data: { spec: loadTestSpec({ name: "v2" }) } },
    ]);
    expect(await projections.readModel.waitForEvents(second, 5000)).toBe(true);
    const res = await served(projections.routes).request(`/v1/load-tests/${id}`);
    expect(res.headers.get("etag")).toBe('"2"');
    expect(await res.json()).toMatchObject({ name: "v2", version: 2 });

    // The metrics hot path (one JSON parameter, jsonb_to_recordset) on PGlite too.
    const runId = newId();
    await appendEvents(store, "default", { type: "run", id: runId }, [runCreated(id)]);
    const window = await publishWindow(jetstream(env.nc), env.ns, "default", {
      runId,
      workerId: "w1",
      second: 2000,
      activeUsers: 3,
      requests: [requestWindow("home", [1000, 2000])],
    });
    expect(await projections.projectors.metrics.waitFor(window, 5000)).toBe(true);
    const series = await served(projections.routes).request(`/v1/runs/${runId}/metrics/timeseries`);
    expect(await series.json()).toMatchObject({ runId, points: [{ requests: 2, users: 3 }] });
    await projections.stop();
  });
});

// A tenant of its own: the audit counts below are exact, and the test above writes the default tenant.
describe("the access tables on PGlite", () => {
  it("migrate (0013) and take keys, secrets, settings and the audit log", async () => {
    expect(database.kind).toBe("pglite");
    const projections = await Projections.start({ nc: env.nc, ns: env.ns, database, log });
    try {
      const sealed = [sealedValue(), sealedValue(), sealedValue()];
      const { seq, keyId, revokedKeyId } = await accessHistory(new JetStreamEventStore(env.nc, env.ns), "access", sealed);
      expect(await projections.readModel.waitForEvents(seq, 5000)).toBe(true);
      const rm = projections.readModel;
      expect(await rm.apiKeyById(keyId)).toEqual({
        tenantId: "access",
        role: "viewer",
        hash: "ab".repeat(32),
        expiresAt: null,
        revoked: false,
      });
      expect(await rm.apiKeyById(revokedKeyId)).toMatchObject({ revoked: true });
      expect((await rm.apiKeys("access")).map((k) => k.id)).toEqual([revokedKeyId, keyId]);
      expect(await rm.secrets("access")).toMatchObject([{ name: "API_TOKEN", version: 2 }]);
      expect(await rm.tenantSettings("access")).toMatchObject({ allow: ["*.example.com"], limits: { privateNetworks: true }, version: 2 });
      const page = await rm.audit("access", { limit: 5 });
      expect([page.items.length, page.next]).toEqual([5, page.items[4]!.seq]);
      expect((await rm.audit("access", { limit: 5, after: page.next! })).items).toHaveLength(4);
      const stored = await everyStoredText(database.db);
      for (const s of sealed) expect(stored.filter((v) => v.includes(s.split(":").at(-1)!))).toEqual([]);
    } finally {
      await projections.stop();
    }
  });
});
