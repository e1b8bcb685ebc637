import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCommand, DEFAULT_QUOTAS, newId, ROLES, type Role, roleAllows } from "@loadline/core";
import { CommandBus, connectNats, type NatsConnection } from "@loadline/nats";
import { createLogger, routeAccess } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadlineClient } from "../src/client.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * The security suite: the stack as deployed (auth on, the secure platform defaults but for
 * loopback, which the load of these tests needs), two tenants' keys of every role, and what
 * each may and may not reach.
 */
let f: StackFixture;
let nc: NatsConnection;
let logs = "";
let target: Server;
let targetUrl: string;
const received: string[] = [];
const tenantKeys: Record<string, Record<Role, LoadlineClient>> = {};
const keyIds: Record<string, string> = {};

const SECRET_VALUE = `s3cr3t-${newId()}`;
const JWT_SECRET = "a-shared-secret-of-at-least-32-characters!";

const jwtFor = (claims: Record<string, unknown>, opts: { aud?: string; exp?: number | string; key?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("alice")
    .setIssuer("https://idp.test")
    .setAudience(opts.aud ?? "loadline")
    .setExpirationTime(opts.exp ?? "5m")
    .sign(new TextEncoder().encode(opts.key ?? JWT_SECRET));

beforeAll(async () => {
  target = createServer((req, res) => {
    received.push(req.headers.authorization ?? "");
    res.end("ok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const log = createLogger("security", "debug", { write: (line: string) => void (logs += line) });
  f = await startTestStack({
    log,
    platform: {
      targets: { allow: ["127.0.0.1"], loopback: true, privateNetworks: false },
      quotas: { ...DEFAULT_QUOTAS, maxVUs: 50, maxConcurrentRuns: 1 },
    },
    auth: {
      mode: "on",
      metricsAccess: "open",
      rateLimit: { perSec: 50, burst: 150 },
      jwt: {
        secret: JWT_SECRET,
        issuer: "https://idp.test",
        audience: "loadline",
        tenantClaim: "tenant",
        roleClaim: "role",
        platformRole: "platform-admin",
        leewaySec: 30,
      },
    },
  });
  nc = await connectNats(f.stack.natsUrl, "security-test");
  for (const tenant of ["a", "b"]) {
    tenantKeys[tenant] = {} as Record<Role, LoadlineClient>;
    for (const role of ROLES) {
      const res = await f.api.fetch("/v1/api-keys", {
        method: "POST",
        headers: { "content-type": "application/json", "x-tenant-id": tenant },
        body: JSON.stringify({ name: `${tenant}-${role}`, role }),
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; key: string; role: Role };
      expect(body.role).toBe(role);
      tenantKeys[tenant][role] = new LoadlineClient(f.stack.apiUrl, body.key);
      keyIds[`${tenant}-${role}`] = body.id;
    }
  }
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await f?.close();
  target?.close();
});

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const put = (body: unknown): RequestInit => ({ ...json(body), method: "PUT" });
const spec = (over: Record<string, unknown> = {}) => ({
  name: "sec",
  targetUrl,
  requests: [{ method: "GET", path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 10,
  defaultDurationSec: 1,
  ...over,
});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; field?: string; message: string } }).error;

describe("every route declares who may call it", () => {
  it("serves exactly the routes of the access table", () => {
    const served = new Set(f.stack.routes.map((r) => `${r.method} ${r.path}`));
    expect([...served].sort()).toEqual(Object.keys(routeAccess("open")).sort());
  });

  it("answers 401 without a credential, 403 below the route's role, and lets the role through", async () => {
    const table = routeAccess("open");
    for (const [route, need] of Object.entries(table)) {
      if (need === "public") continue;
      const [method, pattern] = route.split(" ") as [string, string];
      const path = pattern.replace(":id", newId()).replace(":name", "NOPE").replace(":tenant", "a");
      const init: RequestInit = method === "GET" ? {} : { method, headers: { "content-type": "application/json" }, body: "{}" };
      expect((await fetch(`${f.stack.apiUrl}${path}`, init)).status, `${route} without a credential`).toBe(401);
      for (const role of ROLES) {
        const status = (await tenantKeys.a![role].fetch(path, init)).status;
        const allowed = need !== "platform" && roleAllows(role, need);
        if (allowed) expect([401, 403], `${route} as ${role}`).not.toContain(status);
        else expect(status, `${route} as ${role}`).toBe(403);
      }
      const asPlatform = (await f.api.fetch(path, { ...init, headers: { ...(init.headers ?? {}), "x-tenant-id": "a" } })).status;
      expect([401, 403], `${route} as the platform admin`).not.toContain(asPlatform);
    }
  }, 60_000);

  it("refuses a wrong, malformed or revoked key with 401", async () => {
    const wrong = new LoadlineClient(f.stack.apiUrl, `llk_${newId()}_${"0".repeat(64)}`);
    expect((await wrong.fetch("/v1/load-tests")).status).toBe(401);
    expect((await fetch(`${f.stack.apiUrl}/v1/load-tests`, { headers: { authorization: "Bearer nonsense" } })).status).toBe(401);
    const made = (await (await tenantKeys.a!.admin.fetch("/v1/api-keys", json({ name: "short-lived", role: "viewer" }))).json()) as {
      id: string;
      key: string;
    };
    const shortLived = new LoadlineClient(f.stack.apiUrl, made.key);
    expect((await shortLived.fetch("/v1/load-tests")).status).toBe(200);
    expect((await tenantKeys.a!.admin.fetch(`/v1/api-keys/${made.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await shortLived.fetch("/v1/load-tests")).status).toBe(401);
    const listed = (await (await tenantKeys.a!.admin.fetch("/v1/api-keys")).json()) as { items: Record<string, unknown>[] };
    expect(JSON.stringify(listed)).not.toContain(made.key.slice(-64));
    expect(listed.items.find((k) => k.id === made.id)).toMatchObject({ name: "short-lived" });
  });
});

describe("JWTs from an identity provider", () => {
  it("act in the tenant and role their claims give; expired, wrong-audience and wrongly signed ones are 401", async () => {
    const asJwt = async (token: string) => fetch(`${f.stack.apiUrl}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    const ok = await asJwt(await jwtFor({ tenant: "a", role: "viewer" }));
    expect(await ok.json()).toEqual({ tenantId: "a", actor: "jwt:alice", role: "viewer", platformAdmin: false });
    const past = Math.floor(Date.now() / 1000) - 120;
    for (const bad of [
      await jwtFor({ tenant: "a", role: "viewer" }, { exp: past }),
      await jwtFor({ tenant: "a", role: "viewer" }, { aud: "someone-else" }),
      await jwtFor({ tenant: "a", role: "viewer" }, { key: "not-the-shared-secret-but-as-long-as-it" }),
    ]) {
      const res = await asJwt(bad);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).field).toBe("Authorization");
    }
    const writer = await fetch(`${f.stack.apiUrl}/v1/load-tests`, {
      ...json(spec()),
      headers: { "content-type": "application/json", authorization: `Bearer ${await jwtFor({ tenant: "a", role: "viewer" })}` },
    });
    expect(writer.status).toBe(403);
  });
});

describe("tenants are isolated by the credential", () => {
  it("b cannot read, change, run or list a's test, whatever headers it forges; createdBy is the key", async () => {
    const res = await tenantKeys.a!.editor.fetch("/v1/load-tests", json(spec(), { "x-actor": "mallory" }));
    expect(res.status).toBe(201);
    const test = (await res.json()) as { id: string; createdBy: string };
    expect(test.createdBy).toBe(`key:${keyIds["a-editor"]}`);
    const forged = { "x-tenant-id": "a", "x-actor": "a-admin" };
    const b = tenantKeys.b!.admin;
    expect((await b.fetch(`/v1/load-tests/${test.id}`, { headers: forged })).status).toBe(404);
    expect(
      (await b.fetch(`/v1/load-tests/${test.id}`, { ...put(spec()), headers: { ...forged, "content-type": "application/json" } })).status,
    ).toBe(404);
    expect((await b.fetch(`/v1/load-tests/${test.id}/runs`, json({}, forged))).status).toBe(404);
    expect((await b.fetch(`/v1/load-tests/${test.id}`, { method: "DELETE", headers: forged })).status).toBe(404);
    const list = (await (await b.fetch("/v1/load-tests", { headers: forged })).json()) as { items: { id: string }[] };
    expect(list.items.map((t) => t.id)).not.toContain(test.id);
    expect((await tenantKeys.a!.viewer.fetch(`/v1/load-tests/${test.id}`)).status).toBe(200);
  });

  it("pages a tenant's audit log: who did what, from which key; never another tenant's", async () => {
    const actor = `key:${keyIds["a-editor"]}`;
    const audit = (await (await tenantKeys.a!.admin.fetch(`/v1/audit?actor=${encodeURIComponent(actor)}`)).json()) as {
      items: { type: string; actor: string }[];
    };
    expect(audit.items.some((e) => e.type === "load-test.created" && e.actor === actor)).toBe(true);
    const theirs = (await (await tenantKeys.b!.admin.fetch(`/v1/audit?actor=${encodeURIComponent(actor)}`)).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
  });
});

describe("targets a tenant may hit", () => {
  beforeAll(async () => {
    // b: its own allow-list, and no loopback (the platform admin's call).
    expect(
      (await tenantKeys.b!.admin.fetch("/v1/tenant/targets", put({ allow: ["127.0.0.1", "localhost", "::1", "api.example.com"] }))).status,
    ).toBe(200);
    expect((await f.api.fetch("/v1/tenants/b/limits", put({ loopback: false }))).status).toBe(200);
    expect((await tenantKeys.b!.admin.fetch("/v1/tenants/b/limits", put({ loopback: true }))).status).toBe(403);
  });

  it.each([
    ["the cloud metadata endpoint", "http://169.254.169.254/latest/meta-data", "a"],
    ["a host off the allow-list", "http://api.example.com/", "a"],
    ["loopback as a hex number", "http://0x7f000001:22/", "b"],
    ["localhost's ssh port", "http://localhost:22/", "b"],
    ["IPv6 loopback", "http://[::1]:8080/", "b"],
  ])("refuses %s with 403 naming targetUrl", async (_what, url, tenant) => {
    const res = await tenantKeys[tenant]!.editor.fetch("/v1/load-tests", json(spec({ targetUrl: url })));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).field).toBe("targetUrl");
  });

  it("refuses a URL carrying credentials", async () => {
    const res = await tenantKeys.a!.editor.fetch("/v1/load-tests", json(spec({ targetUrl: `http://user:pass@${targetUrl.slice(7)}` })));
    expect([400, 403]).toContain(res.status);
    expect((await errorOf(res)).field).toBe("targetUrl");
  });

  it("refuses a command published around the API that names an internal step", async () => {
    const bus = new CommandBus(nc, f.stack.ns);
    const create = createCommand({
      type: "run.create",
      tenantId: "a",
      aggregate: { type: "run", id: newId() },
      data: {
        loadTestId: newId(),
        targetUsers: 1,
        spawnRate: 1,
        durationSec: 1,
        target: { targetUrl: "http://169.254.169.254/", requests: [{ method: "GET", path: "/" }] },
      },
      actor: "mallory",
    });
    const outcome = await bus.send(create);
    expect(outcome).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });
});

describe("quotas", () => {
  it("refuses a test over the tenant's count of tests", async () => {
    expect((await f.api.fetch("/v1/tenants/b/limits", put({ loopback: false, quotas: { maxLoadTests: 1 } }))).status).toBe(200);
    const remote = spec({ targetUrl: "http://api.example.com/" }); // on b's list; never run here
    expect((await tenantKeys.b!.editor.fetch("/v1/load-tests", json(remote))).status).toBe(201);
    const over = await tenantKeys.b!.editor.fetch("/v1/load-tests", json(remote));
    expect(over.status).toBe(403);
    expect((await errorOf(over)).field).toBe("maxLoadTests");
  });

  it("refuses a run over the tenant's VUs, naming the field and the limit", async () => {
    const test = (await (await tenantKeys.a!.editor.fetch("/v1/load-tests", json(spec()))).json()) as { id: string };
    const res = await tenantKeys.a!.operator.fetch(
      `/v1/load-tests/${test.id}/runs`,
      json({ targetUsers: 1_000_000, durationSec: 7 * 24 * 3600 }),
    );
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ field: "targetUsers", message: expect.stringContaining("maxVUs") });
  });

  it("queues a second concurrent run over maxConcurrentRuns, saying why, rather than run it", async () => {
    const test = (await (await tenantKeys.a!.editor.fetch("/v1/load-tests", json(spec({ defaultDurationSec: 30 })))).json()) as {
      id: string;
    };
    const first = await tenantKeys.a!.operator.fetch(`/v1/load-tests/${test.id}/runs`, json({}));
    expect(first.status).toBe(201);
    const second = await tenantKeys.a!.operator.fetch(`/v1/load-tests/${test.id}/runs`, json({}));
    expect(second.status).toBe(201);
    const queued = (await second.json()) as { id: string; status: string; queue: { position: number; reason: string } };
    expect(queued).toMatchObject({ status: "Queued", queue: { position: 1, reason: expect.stringContaining("maxConcurrentRuns") } });
    // Stopped while queued: cancelled at once, nothing ran.
    await tenantKeys.a!.operator.stopRun(queued.id);
    expect(await tenantKeys.a!.viewer.waitForEnd(queued.id, 5_000)).toMatchObject({ status: "Cancelled", ranSec: 0 });
    const run = (await first.json()) as { id: string };
    await tenantKeys.a!.operator.stopRun(run.id);
    await tenantKeys.a!.viewer.waitForEnd(run.id, 30_000);
  }, 60_000);

  it("answers a flood from one key with 429 and Retry-After", async () => {
    const viewer = tenantKeys.b!.viewer;
    const answers = await Promise.all(Array.from({ length: 600 }, () => viewer.fetch("/v1/whoami")));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    await Promise.all(answers.map((r) => r.body?.cancel()));
  });
});

describe("secrets", () => {
  it("refuses a credential typed inline in a header, pointing to secrets", async () => {
    const res = await tenantKeys.a!.editor.fetch(
      "/v1/load-tests",
      json(spec({ requests: [{ method: "GET", path: "/", headers: { Authorization: "Bearer abc123" } }] })),
    );
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.field).toBe("requests.0.headers.Authorization");
    expect(error.message).toContain("secrets");
  });

  it("reach the target, and nowhere else in clear: not events, the database, logs or answers", async () => {
    const set = await tenantKeys.a!.editor.fetch("/v1/secrets/API_TOKEN", put({ value: SECRET_VALUE }));
    expect(set.status).toBe(200);
    const answers: string[] = [JSON.stringify(await set.json())];
    const res = await tenantKeys.a!.editor.fetch(
      "/v1/load-tests",
      json(spec({ requests: [{ method: "GET", path: "/", headers: { Authorization: "Bearer {{secrets.API_TOKEN}}" } }] })),
    );
    expect(res.status).toBe(201);
    const test = (await res.json()) as { id: string };
    answers.push(JSON.stringify(test));
    const run = await tenantKeys.a!.operator.startRun(test.id);
    const ended = await tenantKeys.a!.viewer.waitForEnd(run.id, 30_000);
    expect(ended.status).toBe("Completed");
    expect(received).toContain(`Bearer ${SECRET_VALUE}`);

    for (const path of [
      "/v1/secrets",
      `/v1/runs/${run.id}`,
      `/v1/load-tests/${test.id}`,
      "/v1/audit",
      `/v1/runs/${run.id}/metrics/endpoints`,
    ]) {
      answers.push(await (await tenantKeys.a!.admin.fetch(path)).text());
    }
    expect(answers.join("\n")).not.toContain(SECRET_VALUE);

    const jsm = await jetstreamManager(nc);
    let messages = 0;
    for (const stream of Object.values(f.stack.ns.streams)) {
      const info = await jsm.streams.info(stream).catch(() => null);
      if (!info) continue;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (!m) continue;
        messages++;
        expect(new TextDecoder().decode(m.data), `${stream} #${seq}`).not.toContain(SECRET_VALUE);
      }
    }
    expect(messages).toBeGreaterThan(20); // the run's events and windows were read, sealed secret and all

    const sql = postgres(f.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const tables = await sql<{ table_name: string }[]>`select table_name from information_schema.tables where table_schema = 'public'`;
      expect(tables.length).toBeGreaterThan(8);
      for (const { table_name } of tables) {
        const dump = await sql.unsafe(`select t::text as row from "${table_name}" t`);
        expect(JSON.stringify(dump), table_name).not.toContain(SECRET_VALUE);
      }
    } finally {
      await sql.end();
    }
    expect(logs).toContain(run.id); // the run was logged (at debug), its secret never
    expect(logs).not.toContain(SECRET_VALUE);
  }, 60_000);
});
