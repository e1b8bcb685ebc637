import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_QUOTAS, type EventStore, newId, type PlatformDefaults, type WebhookDefinition } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger, SecretKeyring } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Projections } from "../service.ts";
import { appendEvents, loadTestSpec, runCreated } from "../test-fixtures.ts";
import { served } from "../test-projections.ts";
import { type TestDatabase, testDatabase } from "../testing.ts";
import type { DeliverySettings } from "./settings.ts";
import { verifySignature } from "./signing.ts";
import type { DeliveryView } from "./view.ts";

/**
 * Webhooks end to end in the projections service, against the real NATS and Postgres and a real
 * receiver on 127.0.0.1: events appended to the store become signed POSTs, retried with backoff,
 * dead-lettered, redelivered, and none lost across a restart of the dispatcher.
 */

const log = createLogger("webhooks-test", process.env.TEST_LOG_LEVEL ?? "silent");
const keyring = new SecretKeyring([{ id: "k1", key: randomBytes(32) }]);
const PLATFORM: PlatformDefaults = { targets: { allow: ["127.0.0.1"], loopback: true, privateNetworks: false }, quotas: DEFAULT_QUOTAS };
/** Short: a retry within 20-160 ms, 4 attempts, an attempt cut at 1 s. */
const SETTINGS: DeliverySettings = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 160, timeoutMs: 1_000, pollMs: 25, concurrency: 4 };

type Received = { path: string; id: string; timestamp: number; signature: string; body: string; status: number };
/** How the receiver answers a path's n-th request (0-based): a status, or "stall" (never answers in time). */
type Script = (n: number) => number | "stall";

let env: TestNats;
let pg: TestDatabase;
let store: EventStore;
let projections: Projections;
let receiver: Server;
let base: string;
const received: Received[] = [];
const scripts = new Map<string, Script>();
const seen = new Map<string, number>();

const startProjections = () =>
  Projections.start({
    nc: env.nc,
    ns: env.ns,
    database: { url: pg.url },
    log,
    webhooks: { open: (s) => keyring.open(s), platform: PLATFORM, settings: SETTINGS },
  });

beforeAll(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
  store = new JetStreamEventStore(env.nc, env.ns);
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const n = seen.get(path) ?? 0;
      seen.set(path, n + 1);
      const answer = (scripts.get(path) ?? (() => 200))(n);
      received.push({
        path,
        id: String(req.headers["loadline-webhook-id"]),
        timestamp: Number(req.headers["loadline-webhook-timestamp"]),
        signature: String(req.headers["loadline-webhook-signature"]),
        body: Buffer.concat(chunks).toString("utf8"),
        status: answer === "stall" ? 0 : answer,
      });
      if (answer === "stall") setTimeout(() => res.end(), 3_000).unref();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  projections = await startProjections();
});

afterAll(async () => {
  await projections?.stop();
  receiver?.closeAllConnections();
  receiver?.close();
  await env?.cleanup();
  await pg?.drop();
});

const app = () => served(projections.routes);
const call = async <T>(path: string, tenant: string, method = "GET") => {
  const res = await app().request(path, { method, headers: { "X-Tenant-Id": tenant } });
  return { status: res.status, body: (await res.json()) as T };
};

let tenants = 0;
/** A tenant with a load test and a webhook to `path` of the receiver, its secret sealed as the API seals it. */
async function subscribed(path: string, over: Partial<WebhookDefinition> = {}) {
  const tenant = `wh${++tenants}`;
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const loadTestId = newId();
  const webhookId = newId();
  await appendEvents(store, tenant, { type: "load-test", id: loadTestId }, [
    { type: "load-test.created", data: { spec: loadTestSpec({ tags: ["nightly"] }) } },
  ]);
  const definition = {
    url: `${base}${path}`,
    events: ["run.started", "run.completed"],
    filters: {},
    format: "loadline" as const,
    enabled: true,
    ...over,
  };
  const seq = await appendEvents(store, tenant, { type: "webhook", id: webhookId }, [
    { type: "webhook.created", data: { ...definition, sealedSecret: keyring.seal(secret) } },
  ]);
  expect(await projections.readModel.waitForEvents(seq, 5_000)).toBe(true);
  return { tenant, secret, loadTestId, webhookId };
}

async function startedRun(tenant: string, loadTestId: string): Promise<string> {
  const runId = newId();
  await appendEvents(store, tenant, { type: "run", id: runId }, [
    runCreated(loadTestId),
    { type: "run.started", data: { startedAt: new Date().toISOString() } },
  ]);
  return runId;
}

const deliveriesOf = async (tenant: string, webhookId: string) =>
  (await call<{ items: DeliveryView[] }>(`/v1/webhooks/${webhookId}/deliveries`, tenant)).body.items;

/** Until `check` stops throwing (its expectations hold). */
const until = (check: () => unknown) =>
  eventually(async () => {
    await check();
    return true;
  }, 10_000);

const at = (path: string) => received.filter((r) => r.path === path);

describe("webhook deliveries", () => {
  it("retries a failing, then stalling receiver with backoff until it answers, under one key, each attempt signed and logged", async () => {
    scripts.set("/flaky", (n) => (n === 0 ? 500 : n === 1 ? "stall" : 204));
    const { tenant, secret, loadTestId, webhookId } = await subscribed("/flaky");
    const runId = await startedRun(tenant, loadTestId);

    const [delivery] = await eventually(async () => {
      const items = await deliveriesOf(tenant, webhookId);
      expect(items[0]?.state).toBe("delivered");
      return items;
    }, 10_000);
    expect(delivery).toMatchObject({ eventType: "run.started", attempts: 3, lastStatusCode: 204, nextAttemptAt: null });
    expect(delivery!.attemptLog.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, null],
      [2, null, "timed out"],
      [3, 204, null],
    ]);
    // Each attempt after the previous one ended (and the stall cut at the timeout).
    const times = delivery!.attemptLog.map((a) => Date.parse(a.at));
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(SETTINGS.timeoutMs - 5);

    const got = at("/flaky");
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.id))).toEqual(new Set([delivery!.id]));
    expect(got.filter((r) => r.status >= 200 && r.status < 300)).toHaveLength(1);
    for (const r of got) expect(verifySignature(secret, r.signature, r.timestamp, r.body, Date.now())).toBe(true);
    const body = JSON.parse(got[0]!.body);
    expect(body).toMatchObject({ type: "run.started", tenantId: tenant, links: { run: `/v1/runs/${runId}` } });
    expect(got[0]!.body).not.toContain("sealed");
  });

  it("dead-letters a delivery after its last attempt; a redelivery brings it back and it is delivered", async () => {
    let healthy = false;
    scripts.set("/down", () => (healthy ? 200 : 503));
    const { tenant, loadTestId, webhookId } = await subscribed("/down", { events: ["run.started"] });
    await startedRun(tenant, loadTestId);
    const [dead] = await eventually(async () => {
      const items = await deliveriesOf(tenant, webhookId);
      expect(items[0]?.state).toBe("failed");
      return items;
    }, 10_000);
    expect(dead).toMatchObject({ attempts: SETTINGS.maxAttempts, lastStatusCode: 503, nextAttemptAt: null });
    expect(at("/down")).toHaveLength(SETTINGS.maxAttempts);

    healthy = true;
    const redelivered = await call<DeliveryView>(`/v1/webhooks/${webhookId}/deliveries/${dead!.id}/redeliver`, tenant, "POST");
    expect([redelivered.status, redelivered.body.state]).toEqual([202, "pending"]);
    await until(async () => {
      const [d] = await deliveriesOf(tenant, webhookId);
      expect(d).toMatchObject({ id: dead!.id, state: "delivered", attempts: SETTINGS.maxAttempts + 1, lastStatusCode: 200 });
    });
    expect(new Set(at("/down").map((r) => r.id))).toEqual(new Set([dead!.id]));
    expect((await call(`/v1/webhooks/${webhookId}/deliveries/${newId()}/redeliver`, tenant, "POST")).status).toBe(404);
  });

  it("gives up at once on 410 Gone", async () => {
    scripts.set("/gone", () => 410);
    const { tenant, loadTestId, webhookId } = await subscribed("/gone", { events: ["run.started"] });
    await startedRun(tenant, loadTestId);
    await until(async () => {
      const [d] = await deliveriesOf(tenant, webhookId);
      expect(d).toMatchObject({ state: "failed", attempts: 1, lastStatusCode: 410 });
    });
  });

  it("delivers what was stored while no dispatcher ran, once it is back (the durable consumer)", async () => {
    const { tenant, loadTestId, webhookId } = await subscribed("/later", { events: ["run.completed"] });
    const runId = await startedRun(tenant, loadTestId);
    await projections.stop();
    await appendEvents(store, tenant, { type: "run", id: runId }, [
      { type: "run.completed", data: { finishedAt: new Date().toISOString() } },
    ]);
    expect(at("/later")).toHaveLength(0);
    projections = await startProjections();
    await until(async () => {
      const [d] = await deliveriesOf(tenant, webhookId);
      expect(d).toMatchObject({ eventType: "run.completed", state: "delivered" });
    });
    expect(at("/later")).toHaveLength(1);
  });

  it("skips a malformed message on a subscribed subject and goes on with the next", async () => {
    const { tenant, loadTestId, webhookId } = await subscribed("/after-junk", { events: ["run.started"] });
    const js = jetstream(env.nc);
    await js.publish(`${env.ns.prefix}.evt.${tenant}.run.${newId()}`, "{not json");
    await js.publish(`${env.ns.prefix}.evt.${tenant}.run.${newId()}`, JSON.stringify({ type: "run.started", data: { startedAt: 5 } }));
    await startedRun(tenant, loadTestId);
    await until(async () => {
      const [d] = await deliveriesOf(tenant, webhookId);
      expect(d?.state).toBe("delivered");
    });
  });

  it("sends only what a subscription's filters and types want; a ping on demand; lists without the secret", async () => {
    const other = await subscribed("/filtered", { events: ["run.started"], filters: { loadTestId: newId() } });
    const tagged = await subscribed("/tagged", { events: ["run.started"], filters: { tags: ["nightly", "weekly"] } });
    await startedRun(other.tenant, other.loadTestId);
    await startedRun(tagged.tenant, tagged.loadTestId);
    await until(() => expect(at("/tagged")).toHaveLength(1));

    const ping = await call<{ id: string }>(`/v1/webhooks/${other.webhookId}/ping`, other.tenant, "POST");
    expect(ping.status).toBe(202);
    await until(() => expect(at("/filtered").map((r) => JSON.parse(r.body).type)).toEqual(["webhook.ping"]));

    const list = await call<{ items: Record<string, unknown>[] }>("/v1/webhooks", tagged.tenant);
    expect(list.body.items.map((w) => w.id)).toEqual([tagged.webhookId]);
    expect(JSON.stringify(list.body)).not.toMatch(/sealed|whsec_|v1:k1/);
    expect((await call(`/v1/webhooks/${tagged.webhookId}`, other.tenant)).status).toBe(404);
  });
});
