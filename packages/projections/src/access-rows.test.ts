import { type AggregateRef, createCommand, type EventEnvelope, eventsFromCommand, type NewEvent } from "@loadline/core";
import { describe, expect, it } from "vitest";
import {
  auditRowOf,
  evolveApiKey,
  foldSecrets,
  foldTenantSettings,
  isApiKeyEvent,
  isSecretEvent,
  isTenantEvent,
  type SecretEvent,
  type TenantEvent,
} from "./access-rows.ts";
import { evolveRun, isRunEvent } from "./event-rows.ts";
import type { ApiKeyRow, RunRow } from "./schema.ts";
import { runCreated, sealedValue } from "./test-fixtures.ts";

const enveloped = (aggregate: AggregateRef, events: NewEvent[], actor = "key:k1", tenantId = "acme"): EventEnvelope[] =>
  eventsFromCommand(createCommand({ type: "run.stop", tenantId, aggregate, data: { reason: "requested" }, actor }), events);

const HASH = "0f".repeat(32);

describe("evolveApiKey", () => {
  it("creates the row from api-key.created and marks it revoked once", () => {
    const [created, revoked, again] = enveloped({ type: "api-key", id: "k9" }, [
      { type: "api-key.created", data: { name: "ci", role: "operator", hash: HASH, expiresAt: "2030-01-01T00:00:00.000Z" } },
      { type: "api-key.revoked", data: {} },
      { type: "api-key.revoked", data: {} },
    ]).filter(isApiKeyEvent);
    const row = evolveApiKey(null, created!)!;
    expect(row).toEqual({
      tenantId: "acme",
      id: "k9",
      name: "ci",
      role: "operator",
      hash: HASH,
      expiresAt: new Date("2030-01-01T00:00:00.000Z"),
      createdAt: new Date(created!.time),
      createdBy: "key:k1",
      revokedAt: null,
      revokedBy: null,
    });
    const gone = evolveApiKey(row, revoked!)!;
    expect([gone.revokedAt, gone.revokedBy]).toEqual([new Date(revoked!.time), "key:k1"]);
    // The first revocation is the one kept.
    expect(evolveApiKey(gone, { ...again!, actor: "bootstrap", time: "2031-01-01T00:00:00.000Z" })).toEqual(gone);
  });

  it("has no row for a revocation of a key never seen created", () => {
    const [revoked] = enveloped({ type: "api-key", id: "k0" }, [{ type: "api-key.revoked", data: {} }]).filter(isApiKeyEvent);
    expect(evolveApiKey(null as ApiKeyRow | null, revoked!)).toBeNull();
  });
});

describe("foldSecrets", () => {
  const secretEvents = (name: string, events: NewEvent[], actor?: string) =>
    enveloped({ type: "secret", id: name }, events, actor).filter(isSecretEvent);
  const set = (): NewEvent => ({ type: "secret.set", data: { sealed: sealedValue("SEALEDMARK") } });

  it("counts a secret's events, never holds its value, and removes a deleted one", () => {
    const events: SecretEvent[] = [
      ...secretEvents("API_TOKEN", [set(), set()]),
      ...secretEvents("GONE", [set()]),
      ...secretEvents("EXISTING", [{ type: "secret.deleted", data: {} }]),
    ];
    const existing = [{ tenantId: "acme", name: "EXISTING", version: 3, updatedAt: new Date(0), updatedBy: "bootstrap" }];
    const changes = foldSecrets(existing, events);
    expect(changes.upserts.map((r) => [r.name, r.version, r.updatedBy])).toEqual([
      ["API_TOKEN", 2, "key:k1"],
      ["GONE", 1, "key:k1"],
    ]);
    expect(changes.deletes).toEqual([{ tenantId: "acme", name: "EXISTING" }]);
    expect(changes.orphans).toEqual([]);
    expect(JSON.stringify(changes)).not.toContain("SEALEDMARK");
  });

  it("starts a secret set again after its deletion over, and reports a deletion of one it never saw", () => {
    const again = foldSecrets([], secretEvents("S", [set(), { type: "secret.deleted", data: {} }, set()]));
    expect(again.upserts.map((r) => r.version)).toEqual([1]);
    expect(again.deletes).toEqual([]);
    const orphan = foldSecrets([], secretEvents("NEVER", [{ type: "secret.deleted", data: {} }]));
    expect([orphan.upserts, orphan.deletes, orphan.orphans.map((e) => e.type)]).toEqual([[], [], ["secret.deleted"]]);
  });

  it("keeps tenants apart: the same name in two tenants is two secrets", () => {
    const events = [
      ...enveloped({ type: "secret", id: "X" }, [set()], "a", "t1"),
      ...enveloped({ type: "secret", id: "X" }, [set(), set()], "b", "t2"),
    ].filter(isSecretEvent);
    expect(foldSecrets([], events).upserts.map((r) => [r.tenantId, r.version])).toEqual([
      ["t1", 1],
      ["t2", 2],
    ]);
  });
});

describe("foldTenantSettings", () => {
  it("sets each part whole and keeps the other, counting the tenant's events", () => {
    const events: TenantEvent[] = enveloped({ type: "tenant", id: "acme" }, [
      { type: "tenant.targets-set", data: { allow: ["a.example.com"] } },
      { type: "tenant.limits-set", data: { quotas: { maxVUs: 10 }, loopback: true } },
      { type: "tenant.targets-set", data: { allow: ["*.example.com", "10.0.0.0/8"] } },
    ]).filter(isTenantEvent);
    const [row] = foldTenantSettings([], events);
    expect(row).toEqual({
      tenantId: "acme",
      allow: ["*.example.com", "10.0.0.0/8"],
      limits: { quotas: { maxVUs: 10 }, loopback: true },
      version: 3,
      updatedAt: new Date(events[2]!.time),
      updatedBy: "key:k1",
    });
    // Limits set again replace the set: the quota set before is a default again.
    const [next] = foldTenantSettings(
      [row!],
      enveloped({ type: "tenant", id: "acme" }, [{ type: "tenant.limits-set", data: { privateNetworks: true } }], "bootstrap").filter(
        isTenantEvent,
      ),
    );
    expect(next).toMatchObject({
      allow: ["*.example.com", "10.0.0.0/8"],
      limits: { privateNetworks: true },
      version: 4,
      updatedBy: "bootstrap",
    });
  });

  it("keys settings by the tenant, and answers only the tenants of the batch", () => {
    const events = [
      ...enveloped({ type: "tenant", id: "t1" }, [{ type: "tenant.targets-set", data: { allow: [] } }], "a", "t1"),
      ...enveloped({ type: "tenant", id: "t2" }, [{ type: "tenant.limits-set", data: {} }], "b", "t2"),
    ].filter(isTenantEvent);
    const untouched = { tenantId: "t3", allow: null, limits: {}, version: 1, updatedAt: new Date(0), updatedBy: "x" };
    expect(foldTenantSettings([untouched], events).map((r) => [r.tenantId, r.allow, r.limits, r.version])).toEqual([
      ["t1", [], null, 1],
      ["t2", null, {}, 1],
    ]);
  });
});

describe("auditRowOf", () => {
  it("records who did what to which aggregate, when: never the data", () => {
    const [e] = enveloped({ type: "secret", id: "API_TOKEN" }, [{ type: "secret.set", data: { sealed: sealedValue("SEALEDMARK") } }]);
    const row = auditRowOf(42, e!)!;
    expect(row).toEqual({
      tenantId: "acme",
      seq: 42,
      eventId: e!.id,
      type: "secret.set",
      aggregateType: "secret",
      aggregateId: "API_TOKEN",
      actor: "key:k1",
      time: new Date(e!.time),
      correlationId: e!.correlationId,
    });
    expect(JSON.stringify(row)).not.toContain("SEALEDMARK");
  });

  it("has none for the platform's own tenants", () => {
    const [e] = enveloped(
      { type: "worker", id: "w1" },
      [{ type: "worker.lost", data: { lastSeenAt: "x", lostAt: "y", runs: [] } }],
      "orchestrator",
      "_fleet",
    );
    expect(auditRowOf(1, e!)).toBeNull();
  });
});

describe("evolveRun and a run's secrets", () => {
  it("keeps the target policy and no part of the sealed secrets", () => {
    const policy = { allow: ["*.example.com"], loopback: false, privateNetworks: true };
    const [e] = enveloped({ type: "run", id: "r1" }, [
      runCreated("lt1", { targetPolicy: policy, secrets: { API_TOKEN: sealedValue("SEALEDMARK") } }),
    ]).filter(isRunEvent);
    const row = evolveRun(null as RunRow | null, e!)!;
    expect(row.targetPolicy).toEqual(policy);
    expect(JSON.stringify(row)).not.toContain("SEALEDMARK");
    expect(JSON.stringify(row)).not.toContain("API_TOKEN");
  });
});
