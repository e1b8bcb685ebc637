import { describe, expect, it } from "vitest";
import { apiKeyDecider, secretDecider, tenantDecider } from "../deciders/access.ts";
import { type CommandFor, fold } from "../deciders/decider.ts";
import { createCommand, eventsFromCommand } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { runPlan } from "../scenario/normalize.ts";
import { DEFAULT_QUOTAS, runAdmission, runDemand, runQuotaViolation } from "./quotas.ts";
import { allows, roleAllows } from "./roles.ts";
import { tenantPolicy } from "./tenant-policy.ts";

const hash = "a".repeat(64);
const keyCommand = (type: "api-key.create" | "api-key.revoke", data: unknown) =>
  createCommand({ type, tenantId: "a", aggregate: { type: "api-key", id: "k1" }, data } as never) as CommandFor<
    "api-key.create" | "api-key.revoke"
  >;

describe("roles", () => {
  it("orders viewer < operator < editor < admin; the platform admin may do anything", () => {
    expect(roleAllows("editor", "operator")).toBe(true);
    expect(roleAllows("operator", "editor")).toBe(false);
    const viewer = { tenantId: "a", role: "viewer" as const, actor: "key:1", platformAdmin: false };
    expect(allows(viewer, "public")).toBe(true);
    expect(allows(viewer, "viewer")).toBe(true);
    expect(allows(viewer, "operator")).toBe(false);
    expect(allows({ ...viewer, role: "admin" }, "platform")).toBe(false);
    expect(allows({ ...viewer, platformAdmin: true }, "platform")).toBe(true);
  });
});

describe("api key decider", () => {
  it("creates once, revokes once", () => {
    const create = keyCommand("api-key.create", { name: "ci", role: "operator", hash, expiresAt: null });
    const created = eventsFromCommand(create, apiKeyDecider.decide(apiKeyDecider.initialState, create));
    const state = fold(apiKeyDecider, created);
    expect(state).toMatchObject({ status: "active", role: "operator", hash });
    expect(() => apiKeyDecider.decide(state, create)).toThrow(DomainError);
    const revoke = keyCommand("api-key.revoke", {});
    const revoked = fold(apiKeyDecider, [...created, ...eventsFromCommand(revoke, apiKeyDecider.decide(state, revoke))]);
    expect(revoked.status).toBe("revoked");
    expect(() => apiKeyDecider.decide(revoked, revoke)).toThrow(/not found/);
    expect(() => apiKeyDecider.decide(apiKeyDecider.initialState, revoke)).toThrow(/not found/);
  });
});

describe("secret decider", () => {
  it("keeps the last sealed value; deleting what is not set is not found", () => {
    const set = createCommand({
      type: "secret.set",
      tenantId: "a",
      aggregate: { type: "secret", id: "TOKEN" },
      data: { sealed: "v1:k:a:b:c" },
    });
    const state = fold(secretDecider, eventsFromCommand(set, secretDecider.decide(secretDecider.initialState, set)));
    expect(state).toEqual({ status: "set", version: 1, sealed: "v1:k:a:b:c" });
    const del = createCommand({ type: "secret.delete", tenantId: "a", aggregate: { type: "secret", id: "TOKEN" }, data: {} });
    expect(() => secretDecider.decide(secretDecider.initialState, del)).toThrow(/not found/);
  });
});

describe("tenant policy", () => {
  const defaults = { targets: { allow: ["localhost"], loopback: true, privateNetworks: false }, quotas: DEFAULT_QUOTAS };

  it("is the platform's defaults until the tenant sets its own", () => {
    expect(tenantPolicy(defaults, tenantDecider.initialState)).toEqual(defaults);
    const set = createCommand({
      type: "tenant.set-targets",
      tenantId: "a",
      aggregate: { type: "tenant", id: "a" },
      data: { allow: ["api.example.com"] },
    });
    const limits = createCommand({
      type: "tenant.set-limits",
      tenantId: "a",
      aggregate: { type: "tenant", id: "a" },
      data: { quotas: { maxVUs: 10 }, loopback: false },
    });
    const state = fold(tenantDecider, [
      ...eventsFromCommand(set, tenantDecider.decide(tenantDecider.initialState, set)),
      ...eventsFromCommand(limits, tenantDecider.decide(tenantDecider.initialState, limits)),
    ]);
    const policy = tenantPolicy(defaults, state);
    expect(policy.targets).toEqual({ allow: ["api.example.com"], loopback: false, privateNetworks: false });
    expect(policy.quotas).toEqual({ ...DEFAULT_QUOTAS, maxVUs: 10 });
  });
});

describe("run quotas", () => {
  const target = { targetUrl: "http://127.0.0.1:1", requests: [{ method: "GET" as const, path: "/" }] };
  const params = { targetUsers: 1_000_000, spawnRate: 10, durationSec: 7 * 24 * 3600 };

  it("names the first limit a run passes", () => {
    const demand = runDemand(runPlan(target, params), params.durationSec);
    expect(demand).toMatchObject({ vus: 1_000_000, durationSec: 7 * 24 * 3600 });
    expect(runQuotaViolation(demand, DEFAULT_QUOTAS)).toMatchObject({ limit: "maxVUs", field: "targetUsers" });
    expect(runQuotaViolation({ ...demand, vus: 10 }, DEFAULT_QUOTAS)).toMatchObject({ limit: "maxDurationSec", field: "durationSec" });
    expect(runQuotaViolation({ vus: 10, arrivalRate: 0, durationSec: 60 }, DEFAULT_QUOTAS)).toBeNull();
  });

  it("starts a run while its tenant has room and nobody waits; else queues it, until the queue is full", () => {
    const quotas = { ...DEFAULT_QUOTAS, maxConcurrentRuns: 2, maxQueuedRuns: 3 };
    expect(runAdmission({ live: 1, queued: 0 }, quotas)).toEqual({ start: true });
    expect(runAdmission({ live: 2, queued: 0 }, quotas)).toMatchObject({
      start: false,
      queue: expect.stringContaining("maxConcurrentRuns"),
    });
    // Room now, but others wait first: first in, first out.
    expect(runAdmission({ live: 1, queued: 1 }, quotas)).toMatchObject({
      start: false,
      queue: expect.stringContaining("queued before it"),
    });
    expect(runAdmission({ live: 2, queued: 3 }, quotas)).toMatchObject({
      start: false,
      refused: { limit: "maxQueuedRuns", field: "runs" },
    });
  });

  it("counts an open workload's peak arrival rate", () => {
    const open = {
      ...target,
      workload: {
        type: "constant-arrival-rate" as const,
        rate: 200_000,
        timeUnitSec: 1,
        durationSec: 60,
        preAllocatedVUs: 10,
        maxVUs: 100,
      },
    };
    const demand = runDemand(runPlan(open as never, { targetUsers: 1, spawnRate: 1, durationSec: 60 }), 60);
    expect(runQuotaViolation(demand, DEFAULT_QUOTAS)).toMatchObject({ limit: "maxArrivalRate", field: "workload" });
  });
});
