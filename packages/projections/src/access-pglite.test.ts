import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.ts";
import { Projections } from "./service.ts";
import { accessHistory, everyStoredText, sealedValue } from "./test-fixtures.ts";

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

describe("the access tables on PGlite", () => {
  it("migrate (0013) and take keys, secrets, settings and the audit log", async () => {
    expect(database.kind).toBe("pglite");
    const projections = await Projections.start({ nc: env.nc, ns: env.ns, database, log });
    try {
      const sealed = [sealedValue(), sealedValue(), sealedValue()];
      const { seq, keyId, revokedKeyId } = await accessHistory(new JetStreamEventStore(env.nc, env.ns), "default", sealed);
      expect(await projections.readModel.waitForEvents(seq, 5000)).toBe(true);
      const rm = projections.readModel;
      expect(await rm.apiKeyById(keyId)).toEqual({
        tenantId: "default",
        role: "viewer",
        hash: "ab".repeat(32),
        expiresAt: null,
        revoked: false,
      });
      expect(await rm.apiKeyById(revokedKeyId)).toMatchObject({ revoked: true });
      expect((await rm.apiKeys("default")).map((k) => k.id)).toEqual([revokedKeyId, keyId]);
      expect(await rm.secrets("default")).toMatchObject([{ name: "API_TOKEN", version: 2 }]);
      expect(await rm.tenantSettings("default")).toMatchObject({ allow: ["*.example.com"], limits: { privateNetworks: true }, version: 2 });
      const page = await rm.audit("default", { limit: 5 });
      expect([page.items.length, page.next]).toEqual([5, page.items[4]!.seq]);
      expect((await rm.audit("default", { limit: 5, after: page.next! })).items).toHaveLength(4);
      const stored = await everyStoredText(database.db);
      for (const s of sealed) expect(stored.filter((v) => v.includes(s.split(":").at(-1)!))).toEqual([]);
    } finally {
      await projections.stop();
    }
  });
});
