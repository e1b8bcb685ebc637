import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type RunView, WEBHOOK_EVENT_TYPES, type WebhookView } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { verifySignature } from "@loadline/projections";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/** Issue 22's webhooks through the whole stack: the API's routes, the orchestrator's checks, a real run, a receiver on 127.0.0.1. */
let f: StackFixture;
let receiver: Server;
let hookUrl: string;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  f = await startTestStack();
}, 60_000);

afterAll(async () => {
  await f?.close();
  receiver?.closeAllConnections();
  receiver?.close();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await f.api.fetch(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

describe("webhooks through the API", () => {
  it("refuses hostile and invalid bodies with a 4xx naming the field", async () => {
    const ok = { url: hookUrl, events: ["run.completed"] };
    const cases: [unknown, string][] = [
      [{ ...ok, url: "not a url" }, "url"],
      [{ ...ok, url: "ftp://127.0.0.1/x" }, "url"],
      [{ ...ok, url: `http://127.0.0.1/${"a".repeat(3_000)}` }, "url"],
      [{ ...ok, events: ["run.created"] }, "events"],
      [{ ...ok, events: ["*"] }, "events"],
      [{ ...ok, events: [] }, "events"],
      [{ ...ok, events: "run.completed" }, "events"],
      [{ ...ok, format: "xml" }, "format"],
      [{ ...ok, enabled: "yes" }, "enabled"],
      [{ ...ok, filters: { loadTestId: "../etc" } }, "filters"],
      [{ ...ok, secret: "mine" }, "secret"],
      [{ ...ok, description: "x".repeat(501) }, "description"],
    ];
    for (const [body, field] of cases) {
      const res = await call<ErrorBody>("POST", "/v1/webhooks", body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.field ?? "", JSON.stringify(body).slice(0, 80)).toMatch(new RegExp(`^${field}`));
    }
    expect((await call<ErrorBody>("POST", "/v1/webhooks", "{not json")).status).toBe(400);
    const huge = await call<ErrorBody>("POST", "/v1/webhooks", { ...ok, description: "x".repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it("refuses a URL outside the tenant's allow-list (403 naming url), and link-local addresses whatever the list says", async () => {
    const metadata = await call<ErrorBody>("POST", "/v1/webhooks", { url: "http://169.254.169.254/latest", events: ["run.failed"] });
    expect([metadata.status, metadata.body.error.field]).toEqual([403, "url"]);
    const tenant = { "x-tenant-id": "narrow" };
    expect((await call("PUT", "/v1/tenant/targets", { allow: ["127.0.0.1"] }, tenant)).status).toBe(200);
    const outside = await call<ErrorBody>("POST", "/v1/webhooks", { url: "https://hooks.example.com/x", events: ["run.failed"] }, tenant);
    expect([outside.status, outside.body.error.field]).toEqual([403, "url"]);
    expect(outside.body.error.message).toMatch(/allow-list/);
    expect((await call("POST", "/v1/webhooks", { url: hookUrl, events: ["run.failed"] }, tenant)).status).toBe(201);
  });

  it("shows the secret once, at creation and rotation, never in a read, the events or the database", async () => {
    const created = await call<WebhookView & { secret: string }>("POST", "/v1/webhooks", {
      url: hookUrl,
      events: [...WEBHOOK_EVENT_TYPES],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const id = created.body.id;
    const read = await call<WebhookView>("GET", `/v1/webhooks/${id}`);
    expect(read.body).toMatchObject({ id, url: hookUrl, format: "loadline", enabled: true, filters: {} });
    expect(JSON.stringify(read.body)).not.toContain(created.body.secret);
    expect(JSON.stringify(read.body)).not.toMatch(/secret"|sealed/);

    const rotated = await call<{ secret: string; version: number }>("PATCH", `/v1/webhooks/${id}`, { rotateSecret: true, enabled: false });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const stale = await call<ErrorBody>("PATCH", `/v1/webhooks/${id}`, { enabled: true }, { "if-match": '"1"' });
    expect(stale.status).toBe(412);

    const sql = postgres(f.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const [row] =
        await sql`select (select string_agg(t::text, '') from webhooks t) as w, (select string_agg(t::text, '') from audit_log t) as a`;
      for (const secret of [created.body.secret, rotated.body.secret]) expect(JSON.stringify(row)).not.toContain(secret);
    } finally {
      await sql.end();
    }
    const events = await f.api.fetch(`/v1/audit?limit=500`);
    expect(await events.text()).not.toContain(created.body.secret);

    expect((await call("DELETE", `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call("GET", `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it("fires run.started and run.completed of a real run to the receiver, signed", async () => {
    const hook = await call<{ id: string; secret: string }>("POST", "/v1/webhooks", {
      url: hookUrl,
      events: ["run.started", "run.completed"],
      description: "e2e",
    });
    expect(hook.status).toBe(201);
    const test = await call<{ id: string }>("POST", "/v1/load-tests", {
      name: "hooked",
      targetUrl: f.stack.demoTarget!.url,
      requests: [{ method: "GET", path: "/fixed?ms=1" }],
      defaultUsers: 1,
      defaultSpawnRate: 5,
      defaultDurationSec: 1,
    });
    expect(test.status).toBe(201);
    const run = await call<RunView>("POST", `/v1/load-tests/${test.body.id}/runs`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const runId = run.body.id;

    const ofRun = () => received.map((r) => ({ ...r, json: JSON.parse(r.body) })).filter((r) => r.json.links?.run === `/v1/runs/${runId}`);
    const got = await eventually(() => {
      const mine = ofRun();
      return mine.length >= 2 ? mine : undefined;
    }, 30_000);
    expect(got.map((r) => r.json.type).sort()).toEqual(["run.completed", "run.started"]);
    for (const r of got) {
      const ts = Number(r.headers["loadline-webhook-timestamp"]);
      expect(verifySignature(hook.body.secret, String(r.headers["loadline-webhook-signature"]), ts, r.body, Date.now())).toBe(true);
      expect(r.json).toMatchObject({ tenantId: "default", links: { run: `/v1/runs/${runId}` } });
    }
    // The receiver has both before the sender records its answer: the log says so a moment later.
    const log = await eventually(async () => {
      const page = await call<{ items: { eventType: string; state: string; attempts: number }[] }>(
        "GET",
        `/v1/webhooks/${hook.body.id}/deliveries`,
      );
      const items = page.body.items;
      return items.length === 2 && items.every((d) => d.state !== "pending") ? items : undefined;
    }, 10_000);
    expect(log.map((d) => [d.eventType, d.state, d.attempts])).toEqual([
      ["run.completed", "delivered", 1],
      ["run.started", "delivered", 1],
    ]);
  }, 60_000);
});
