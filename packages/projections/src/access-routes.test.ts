import { newId } from "@loadline/core";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import type { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { accessReadRoutes } from "./access-routes.ts";
import type { ApiKeyView, AuditEntryView, SecretView, TenantSettingsView } from "./access-views.ts";
import { eventsProjection } from "./events-projection.ts";
import type { ProjectedEvent } from "./projection.ts";
import type { PgReadModel } from "./read-model.ts";
import { readRoutes } from "./routes.ts";
import { ProjectionStatusReader } from "./status.ts";
import { accessHistory, appendEvents, everyStoredText, loadTestSpec, runCreated, sealedValue } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

const log = createLogger("access-routes-test", process.env.TEST_LOG_LEVEL ?? "silent");
const live = testProjections();
const { newTenant, applied } = live;

/** The access read routes as the API mounts them, in dev mode: X-Tenant-Id is the caller's tenant. */
let app: Hono;
beforeAll(() => {
  const { readModel, database } = live.projections;
  const status = new ProjectionStatusReader(database.db, live.env.nc, live.env.ns);
  app = serviceApp({ log, access: devAccess() }, readRoutes({ readModel, status, log }), accessReadRoutes({ readModel, status, log }));
});

async function get<T>(path: string, tenant: string): Promise<{ status: number; body: T }> {
  const res = await app.request(path, { headers: { "X-Tenant-Id": tenant } });
  return { status: res.status, body: (await res.json()) as T };
}
type Audit = { items: AuditEntryView[]; next: number | null };

/** Every page of a tenant's audit, following `next`. */
async function allPages(tenant: string, params: string): Promise<{ pages: Audit[]; items: AuditEntryView[] }> {
  const pages: Audit[] = [];
  for (let after: number | null = null; ; ) {
    const { status, body }: { status: number; body: Audit } = await get<Audit>(
      `/v1/audit?${params}${after === null ? "" : `&after=${after}`}`,
      tenant,
    );
    expect(status).toBe(200);
    pages.push(body);
    if (body.next === null) break;
    after = body.next;
  }
  return { pages, items: pages.flatMap((p) => p.items) };
}

describe("the access read routes, over events through the real projection", () => {
  const a = newTenant();
  const b = newTenant();
  const sealed = [sealedValue(), sealedValue(), sealedValue(), sealedValue(), sealedValue()];
  const markers = sealed.map((s) => s.split(":").at(-1)!);
  let history: Awaited<ReturnType<typeof accessHistory>>;
  let runId: string;
  const policy = { allow: ["*.example.com"], loopback: false, privateNetworks: true };

  beforeAll(async () => {
    history = await accessHistory(live.store, a, sealed.slice(0, 3));
    // Tenant b: a key, a secret and settings of its own, none of which a's routes may show.
    await accessHistory(live.store, b, [sealed[3]!, sealed[3]!, sealed[3]!]);
    // A run carrying sealed secrets and its target policy.
    const loadTestId = newId();
    await appendEvents(live.store, a, { type: "load-test", id: loadTestId }, [
      { type: "load-test.created", data: { spec: loadTestSpec() } },
    ]);
    runId = newId();
    await applied(
      await appendEvents(
        live.store,
        a,
        { type: "run", id: runId },
        [runCreated(loadTestId, { targetPolicy: policy, secrets: { API_TOKEN: sealed[4]! } })],
        "orchestrator",
      ),
    );
  });

  it("GET /v1/api-keys lists the tenant's keys, revoked ones too, newest first, without hashes", async () => {
    const { status, body } = await get<{ items: ApiKeyView[] }>("/v1/api-keys", a);
    expect(status).toBe(200);
    expect(body.items.map((k) => [k.id, k.name, k.role, k.revokedBy])).toEqual([
      [history.revokedKeyId, "old", "admin", `key:${history.keyId}`],
      [history.keyId, "ci", "viewer", null],
    ]);
    expect(body.items[0]).toMatchObject({ tenantId: a, createdBy: "bootstrap", expiresAt: null });
    expect(Date.parse(body.items[0]!.revokedAt!)).toBeGreaterThanOrEqual(Date.parse(body.items[0]!.createdAt));
    expect(JSON.stringify(body)).not.toContain("ab".repeat(32));
    expect(body.items.every((k) => !("hash" in k))).toBe(true);
  });

  it("apiKeyById finds a key by its id alone, for the authenticator; apiKey only in its tenant", async () => {
    const readModel: PgReadModel = live.projections.readModel;
    expect(await readModel.apiKeyById(history.keyId)).toEqual({
      tenantId: a,
      role: "viewer",
      hash: "ab".repeat(32),
      expiresAt: null,
      revoked: false,
    });
    expect(await readModel.apiKeyById(history.revokedKeyId)).toMatchObject({ tenantId: a, role: "admin", revoked: true });
    expect(await readModel.apiKeyById(newId())).toBeNull();
    expect(await readModel.apiKey(a, history.keyId)).toMatchObject({ id: history.keyId, name: "ci" });
    expect(await readModel.apiKey(b, history.keyId)).toBeNull();
  });

  it("GET /v1/secrets lists names and versions: a deleted one is gone, and no value is anywhere", async () => {
    const { status, body } = await get<{ items: SecretView[] }>("/v1/secrets", a);
    expect(status).toBe(200);
    expect(body.items).toEqual([{ name: "API_TOKEN", version: 2, updatedAt: expect.any(String), updatedBy: `key:${history.keyId}` }]);
    expect(await live.projections.readModel.secret(a, "API_TOKEN")).toEqual(body.items[0]);
    expect(await live.projections.readModel.secret(a, "GONE")).toBeNull();
    expect(await live.projections.readModel.secret(b, "NOPE")).toBeNull();
  });

  it("stores no sealed value, nor any trace of a run's secrets, in any table", async () => {
    const stored = await everyStoredText(live.projections.database.db);
    expect(stored.length).toBeGreaterThan(50);
    // What is stored is found: a key's hash (text), an allow-list (jsonb), a run's target policy (jsonb).
    expect(stored).toContain("ab".repeat(32));
    expect(stored).toContain('["*.example.com"]');
    expect(stored.some((v) => v.includes('"privateNetworks": true'))).toBe(true);
    for (const marker of markers) expect(stored.filter((v) => v.includes(marker))).toEqual([]);
    expect(stored.filter((v) => v.includes("v1:k2026a:"))).toEqual([]);
    // The run view shows where its load may go, and nothing of its secrets.
    const run = await get<Record<string, unknown>>(`/v1/runs/${runId}`, a);
    expect(run.body).toMatchObject({ id: runId, targetPolicy: policy });
    expect(JSON.stringify(run.body)).not.toContain("API_TOKEN");
    expect(JSON.stringify(run.body)).not.toContain(markers[4]);
  });

  it("GET /v1/tenant shows the settings as set; a tenant nobody configured has the platform's defaults (nulls)", async () => {
    const { status, body } = await get<TenantSettingsView>("/v1/tenant", a);
    expect(status).toBe(200);
    expect(body).toEqual({
      tenantId: a,
      allow: ["*.example.com"],
      limits: { quotas: { maxVUs: 100 }, privateNetworks: true },
      version: 2,
      updatedAt: expect.any(String),
      updatedBy: "bootstrap",
    });
    const fresh = newTenant();
    expect((await get<TenantSettingsView>("/v1/tenant", fresh)).body).toEqual({
      tenantId: fresh,
      allow: null,
      limits: null,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it("GET /v1/audit shows every event of the tenant, newest first, and none of another's", async () => {
    const { status, body } = await get<Audit>("/v1/audit?limit=500", a);
    expect(status).toBe(200);
    expect(body.next).toBeNull();
    // accessHistory's nine events, the load test and the run.
    expect(body.items.map((e) => e.type)).toEqual([
      "run.created",
      "load-test.created",
      "tenant.limits-set",
      "tenant.targets-set",
      "secret.deleted",
      "secret.set",
      "secret.set",
      "secret.set",
      "api-key.revoked",
      "api-key.created",
      "api-key.created",
    ]);
    const seqs = body.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(body.items[0]).toEqual({
      seq: seqs[0],
      eventId: expect.any(String),
      type: "run.created",
      aggregateType: "run",
      aggregateId: runId,
      actor: "orchestrator",
      time: expect.any(String),
      correlationId: expect.any(String),
    });
    expect(body.items.find((e) => e.type === "secret.deleted")).toMatchObject({ aggregateType: "secret", aggregateId: "GONE" });
    expect(body.items.find((e) => e.type === "tenant.limits-set")).toMatchObject({ aggregateType: "tenant", aggregateId: a });
    // b's own audit holds its nine; none of them is in a's.
    const ofB = await get<Audit>("/v1/audit", b);
    expect(ofB.body.items).toHaveLength(9);
    const bIds = new Set(ofB.body.items.map((e) => e.eventId));
    expect(body.items.filter((e) => bIds.has(e.eventId))).toEqual([]);
  });

  it("pages by the `next` cursor without gaps or repeats, and filters by actor, type and time", async () => {
    const whole = (await get<Audit>("/v1/audit?limit=500", a)).body.items;
    const { pages, items } = await allPages(a, "limit=4");
    expect(pages.map((p) => p.items.length)).toEqual([4, 4, 3]);
    expect(items).toEqual(whole);
    // A page that ends exactly at the last entry says there is no next one.
    const exact = await allPages(a, "limit=11");
    expect(exact.pages.map((p) => [p.items.length, p.next])).toEqual([[11, null]]);

    const byKey = await allPages(a, `actor=${encodeURIComponent(`key:${history.keyId}`)}&limit=2`);
    expect(byKey.items.map((e) => e.type)).toEqual([
      "tenant.targets-set",
      "secret.deleted",
      "secret.set",
      "secret.set",
      "secret.set",
      "api-key.revoked",
    ]);
    const bootstrap = (await get<Audit>("/v1/audit?actor=bootstrap", a)).body.items;
    expect(bootstrap.map((e) => e.type)).toEqual(["tenant.limits-set", "api-key.created", "api-key.created"]);
    const sets = (await get<Audit>("/v1/audit?type=secret.set", a)).body.items;
    expect(sets.map((e) => e.aggregateId)).toEqual(["GONE", "API_TOKEN", "API_TOKEN"]);
    expect((await get<Audit>("/v1/audit?type=worker.lost", a)).body).toEqual({ items: [], next: null });

    // Times: both ends inclusive, as ISO-8601 or epoch seconds.
    const middle = whole[5]!;
    const to = await get<Audit>(`/v1/audit?to=${encodeURIComponent(middle.time)}&limit=500`, a);
    expect(to.body.items.every((e) => e.time <= middle.time)).toBe(true);
    expect(to.body.items.map((e) => e.eventId)).toContain(middle.eventId);
    const from = await get<Audit>(`/v1/audit?from=${Date.parse(middle.time) / 1000}&limit=500`, a);
    expect(from.body.items.every((e) => e.time >= middle.time)).toBe(true);
    expect(from.body.items.map((e) => e.eventId)).toContain(middle.eventId);
    expect(from.body.items.length + to.body.items.length).toBeGreaterThanOrEqual(whole.length + 1);
    expect((await get<Audit>("/v1/audit?from=2999-01-01T00:00:00Z", a)).body).toEqual({ items: [], next: null });
  });

  it("waits for minSeq like the other read routes", async () => {
    const seq = await appendEvents(live.store, a, { type: "secret", id: "LATER" }, [
      { type: "secret.set", data: { sealed: sealedValue() } },
    ]);
    const { body } = await get<{ items: SecretView[] }>(`/v1/secrets?minSeq=${seq}`, a);
    expect(body.items.map((s) => s.name)).toContain("LATER");
  });
});

describe("the audit log on a replay", () => {
  it("writes each event's row once: applying a batch again leaves the same rows", async () => {
    const tenant = newTenant();
    const projection = eventsProjection(log);
    const aggregate = { type: "secret" as const, id: "X" };
    await applied(
      await appendEvents(live.store, tenant, aggregate, [
        { type: "secret.set", data: { sealed: sealedValue() } },
        { type: "secret.deleted", data: {} },
      ]),
    );
    const events: ProjectedEvent[] = (await live.store.read(tenant, aggregate)).events;
    expect(events).toHaveLength(2);
    const rows = async () => (await live.projections.readModel.audit(tenant, { limit: 100 })).items;
    const before = await rows();
    expect(before.map((e) => e.seq)).toEqual(events.map((e) => e.seq).reverse());
    await live.projections.database.db.transaction((tx) => projection.apply(tx, events));
    expect(await rows()).toEqual(before);
  });
});

describe("bad query parameters are 400s naming the parameter, before any query", () => {
  const cases: [string, string][] = [
    ["/v1/audit?limit=0", "limit"],
    ["/v1/audit?limit=501", "limit"],
    ["/v1/audit?limit=ten", "limit"],
    ["/v1/audit?after=0", "after"],
    ["/v1/audit?after=1.5", "after"],
    ["/v1/audit?after=99999999999999999999", "after"],
    ["/v1/audit?from=soon", "from"],
    ["/v1/audit?to=2026-13-45", "to"],
    ["/v1/audit?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to"],
    ["/v1/audit?type=Secret%20Set", "type"],
    ["/v1/audit?actor=%00", "actor"],
    [`/v1/audit?actor=${"a".repeat(201)}`, "actor"],
    ["/v1/audit?minSeq=x", "minSeq"],
    ["/v1/secrets?minSeq=-1", "minSeq"],
    ["/v1/api-keys?minSeq=%00", "minSeq"],
  ];
  for (const [path, field] of cases) {
    it(`${path} -> 400 naming ${field}`, async () => {
      const res = await app.request(path, { headers: { "X-Tenant-Id": "acme-bad" } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field?: string } }).error.field).toBe(field);
    });
  }
});
