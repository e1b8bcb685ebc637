import type { CommandEnvelope, Role } from "@loadline/core";
import { type CommandOutcome, CommandTimeoutError } from "@loadline/nats";
import { createAuthenticator, createLogger, formatApiKey, newApiKeySecret, routeAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { AgentRoster } from "./agent-directory.ts";
import { agentActionRoutes } from "./agent-routes.ts";

const log = createLogger("test", "silent");

/** One API key per role, of tenant "t1", checked by the real authenticator against the real route table. */
const ROLES: Role[] = ["viewer", "operator", "editor", "admin"];
const keys = new Map(
  ROLES.map((role, i) => {
    const keyId = `0196f3a0-7c1e-7d3a-9b1e-2f4c5d6e7f8${i}`;
    const { secret, hash } = newApiKeySecret();
    return [role, { keyId, token: formatApiKey(keyId, secret), hash }];
  }),
);
const authenticator = createAuthenticator({ mode: "on", metricsAccess: "open", rateLimit: { perSec: 1e9, burst: 1e9 } }, async (id) => {
  const role = ROLES.find((r) => keys.get(r)?.keyId === id);
  const key = role && keys.get(role);
  return role && key ? { tenantId: "t1", role, hash: key.hash, expiresAt: null, revoked: false } : null;
});
const table = routeAccess("open");

function api(opts: { outcome?: (c: CommandEnvelope) => CommandOutcome; timeout?: boolean; roster?: AgentRoster } = {}) {
  const sent: CommandEnvelope[] = [];
  const { roster } = opts;
  const bus = {
    maxPayload: () => 1024 * 1024,
    send: async (command: CommandEnvelope): Promise<CommandOutcome> => {
      sent.push(command);
      if (opts.timeout) throw new CommandTimeoutError(command.id);
      return (
        opts.outcome?.(command) ?? { ok: true, commandId: command.id, aggregateId: command.aggregate.id, version: 1, seq: 7, seqs: [7] }
      );
    },
  };
  const app = serviceApp(
    { log, access: { authenticator, accessOf: (r) => table[r], rateLimit: { perSec: 1e9, burst: 1e9 } } },
    agentActionRoutes({ bus, log, ...(roster ? { registeredActions: (t: string, a: string) => roster.get(t, a)?.actions } : {}) }),
  );
  const call = async (path: string, body?: unknown, role: Role = "operator", headers: Record<string, string> = {}) => {
    const res = await app.request(path, {
      method: "POST",
      headers: {
        authorization: `Bearer ${keys.get(role)?.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  return { call, sent };
}

const errorField = (body: Record<string, unknown> | null) => (body?.error as { field?: string } | undefined)?.field;

describe("POST /v1/agents/{id}/actions/{name}", () => {
  it("sends agent.request-action for the tenant's agent and answers 202 with the action's id", async () => {
    const { call, sent } = api();
    const res = await call("/v1/agents/db-1/actions/restart-api", { params: { graceful: true, wait: 3 }, timeoutSec: 20 });
    expect(res.status).toBe(202);
    const [command] = sent;
    expect(command).toMatchObject({
      type: "agent.request-action",
      tenantId: "t1",
      aggregate: { type: "agent", id: "db-1" },
      data: { action: "restart-api", params: { graceful: true, wait: 3 }, timeoutSec: 20 },
      actor: `key:${keys.get("operator")?.keyId}`,
    });
    expect(res.body).toEqual({ actionId: command?.id, agentId: "db-1", action: "restart-api", status: "requested" });
    expect(res.headers.get("x-event-seq")).toBe("7");
  });

  it("takes no body at all (an action without parameters)", async () => {
    const { call, sent } = api();
    const res = await call("/v1/agents/db-1/actions/flush-cache");
    expect(res.status).toBe(202);
    expect(sent[0]?.data).toEqual({ action: "flush-cache", params: {} });
  });

  it("is an operator's and up: a viewer is refused, nothing sent", async () => {
    for (const role of ["operator", "editor", "admin"] as const)
      expect((await api().call("/v1/agents/a/actions/x", {}, role)).status).toBe(202);
    const { call, sent } = api();
    const res = await call("/v1/agents/a/actions/x", {}, "viewer");
    expect(res.status).toBe(403);
    expect(sent).toEqual([]);
  });

  it("refuses a bad body with a 400 naming the field, nothing sent", async () => {
    const cases: [unknown, string][] = [
      [{ params: { n: { nested: 1 } } }, "params.n"],
      [{ params: "x" }, "params"],
      [{ timeoutSec: -1 }, "timeoutSec"],
      [{ timeoutSec: 99_999 }, "timeoutSec"],
      [{ timeout: 3 }, "timeout"],
    ];
    for (const [body, field] of cases) {
      const { call, sent } = api();
      const res = await call("/v1/agents/a/actions/x", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorField(res.body), JSON.stringify(res.body)).toBe(field);
      expect(sent).toEqual([]);
    }
    const res = await api().call("/v1/agents/a/actions/x", "{not json");
    expect(res.status).toBe(400);
  });

  it("a name or id that cannot be one is a 404 naming it", async () => {
    const { call, sent } = api();
    expect(errorField((await call("/v1/agents/a/actions/Restart_All", {})).body)).toBe("name");
    expect((await call("/v1/agents/a/actions/Restart_All", {})).status).toBe(404);
    expect((await call("/v1/agents/a%20b/actions/x", {})).status).toBe(404);
    expect(sent).toEqual([]);
  });

  it("an action the agent did not register is a 404 naming `name`, when the agent is known; its registered timeout is the default", async () => {
    const roster = new AgentRoster();
    roster.heard("t1", "db-1", Date.now(), { labels: { role: "db" }, actions: [{ name: "restart-api", timeoutSec: 30 }] });
    const { call, sent } = api({ roster });
    const res = await call("/v1/agents/db-1/actions/drop-tables", {});
    expect(res.status).toBe(404);
    expect(errorField(res.body)).toBe("name");
    expect(sent).toEqual([]);
    expect((await call("/v1/agents/db-1/actions/restart-api", {})).status).toBe(202);
    expect(sent[0]?.data).toMatchObject({ timeoutSec: 30 });
    // An agent not heard of: the agent itself is the authority, so the request goes.
    expect((await call("/v1/agents/other/actions/anything", {})).status).toBe(202);
  });

  it("a refusal is its status; no outcome yet is a 202 `queued`", async () => {
    const refused = api({
      outcome: (c) => ({ ok: false, commandId: c.id, aggregateId: c.aggregate.id, error: { code: "invalid", message: "no", field: "x" } }),
    });
    expect((await refused.call("/v1/agents/a/actions/x", {})).status).toBe(400);
    const late = await api({ timeout: true }).call("/v1/agents/a/actions/x", {});
    expect(late.status).toBe(202);
    expect(late.body).toMatchObject({ agentId: "a", action: "x", status: "queued" });
  });
});
