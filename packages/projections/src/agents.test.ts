import { type AgentTelemetry, type EventType, eventExamples, newId } from "@loadline/core";
import { subjects } from "@loadline/nats";
import { createLogger, routeAccess } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agentRoutes } from "./agent-routes.ts";
import type { AgentActionView, AgentDetailView, AgentView, RunActionView, SutSeries } from "./agent-views.ts";
import type { Db } from "./database.ts";
import { rebuildProjection } from "./rebuild.ts";
import { rowsOf } from "./sql-helpers.ts";
import { sutRoutes } from "./sut-routes.ts";
import { appendEvents, loadTestSpec, runCreated } from "./test-fixtures.ts";
import { served, testProjections } from "./test-projections.ts";

const t = testProjections();
const log = createLogger("agents-test", process.env.TEST_LOG_LEVEL ?? "silent");

type SutAnswer = { runId: string; startedAt: string; agents: { agentId: string; host: string | null }[]; series: SutSeries[] };
type ErrorBody = { error: { code: string; field?: string; message: string } };

const telemetryData = (at: number, labels: Record<string, string>, busy = 10): AgentTelemetry => {
  const example = eventExamples["agent.telemetry"] as AgentTelemetry;
  return { ...example, at: new Date(at).toISOString(), labels, host: { ...example.host, cpu: { ...example.host.cpu, busy } } };
};

/** Publishes on LL_AGENT as an agent does: the full envelope on `<ns>.agt.<tenant>.<agentId>.<kind>`; answers its sequence. */
async function publishAgent(tenant: string, agentId: string, type: EventType, data: unknown, time = Date.now()): Promise<number> {
  const id = newId();
  const envelope = {
    id,
    type,
    schemaVersion: 1,
    tenantId: tenant,
    aggregate: { type: "agent", id: agentId },
    time: new Date(time).toISOString(),
    actor: `agent:${agentId}`,
    causationId: null,
    correlationId: id,
    data,
  };
  const kind = type === "agent.registered" ? "registered" : "telemetry";
  return (await t.js.publish(subjects.agent(t.env.ns, tenant, agentId, kind), JSON.stringify(envelope))).seq;
}

const agentApplied = async (seq: number) => expect(await t.projections.projectors.agent.waitFor(seq, 5000)).toBe(true);

/** A run of a new load test whose target names the SUT `{ service: "api" }`, started at `startedAt` (epoch ms). */
async function sutRun(tenant: string, startedAt: number): Promise<string> {
  const loadTestId = newId();
  await appendEvents(t.store, tenant, { type: "load-test", id: loadTestId }, [
    { type: "load-test.created", data: { spec: loadTestSpec() } },
  ]);
  const runId = newId();
  const target = {
    targetUrl: "http://127.0.0.1:1",
    requests: [{ method: "GET" as const, path: "/" }],
    sut: { labels: { service: "api" } },
  };
  await t.applied(
    await appendEvents(t.store, tenant, { type: "run", id: runId }, [
      runCreated(loadTestId, { target }),
      { type: "run.started", data: { startedAt: new Date(startedAt).toISOString() } },
    ]),
  );
  return runId;
}

async function finish(tenant: string, runId: string, finishedAt: number): Promise<void> {
  await t.applied(
    await appendEvents(t.store, tenant, { type: "run", id: runId }, [
      { type: "run.stopping", data: { reason: "duration" } },
      { type: "run.completed", data: { finishedAt: new Date(finishedAt).toISOString() } },
    ]),
  );
}

/** Agent actions on LL_EVENTS, as the orchestrator records them. */
async function actions(tenant: string, agentId: string, runId: string): Promise<{ fired: string; asked: string; seq: number }> {
  const fired = newId();
  const asked = newId();
  const agent = { type: "agent" as const, id: agentId };
  await appendEvents(t.store, tenant, agent, [
    { type: "agent.action-requested", data: { actionId: fired, action: "restart-api", params: {}, requestedBy: "timeline", runId } },
    { type: "agent.action-started", data: { actionId: fired } },
    { type: "agent.action-completed", data: { actionId: fired, exitCode: 0, output: "restarted\n", truncated: false, durationMs: 812 } },
  ]);
  const seq = await appendEvents(t.store, tenant, agent, [
    { type: "agent.action-requested", data: { actionId: asked, action: "set-flag", params: { on: true }, requestedBy: "user:ops" } },
    { type: "agent.action-failed", data: { actionId: asked, reason: "exited with code 3", exitCode: 3, output: "no\n", truncated: false } },
  ]);
  await t.applied(seq);
  return { fired, asked, seq };
}

describe("the SUT's telemetry on the run's seconds", () => {
  it("keeps a matching agent's telemetry at the run's seconds while it runs, not another agent's, and serves it aligned", async () => {
    const tenant = t.newTenant();
    const startedAt = Date.UTC(2026, 11, 5, 10, 0, 0);
    const runId = await sutRun(tenant, startedAt);
    const api = { service: "api", host: "api-1" };
    await publishAgent(tenant, "api-1", "agent.registered", { ...eventExamples["agent.registered"], labels: api });
    await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(startedAt - 500, api, 1)); // before the start
    for (const [ms, busy] of [
      [400, 20],
      [1_300, 21],
      [2_900, 22],
    ] as const)
      await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(startedAt + ms, api, busy));
    await publishAgent(tenant, "db-1", "agent.telemetry", telemetryData(startedAt + 1_000, { service: "db" }, 90));
    // Another tenant's agent with the same labels is not this run's SUT.
    const other = await publishAgent(t.newTenant(), "api-9", "agent.telemetry", telemetryData(startedAt + 1_000, api, 91));
    await agentApplied(other);

    const res = await t.get<SutAnswer>(`/v1/runs/${runId}/sut`, tenant);
    expect(res.status).toBe(200);
    expect(res.body.startedAt).toBe(new Date(startedAt).toISOString());
    expect(res.body.agents).toEqual([{ agentId: "api-1", host: "api-1.internal", labels: api }]);
    const busy = res.body.series.find((s) => s.name === "host.cpu.busy");
    expect(busy).toEqual({
      agentId: "api-1",
      name: "host.cpu.busy",
      points: [
        [0, 20],
        [1, 21],
        [2, 22],
      ],
    });
    expect(res.body.series.map((s) => s.name).sort()).toEqual([
      "host.cpu.busy",
      "host.load.one",
      "host.memory.usedBytes",
      "host.network.rxBytesPerSec",
      "host.network.txBytesPerSec",
      "process.checkout-api.cpuPercent",
    ]);

    const asked = await t.get<SutAnswer>(`/v1/runs/${runId}/sut?series=host.cpu.user,nginx.requestsPerSec&agent=api-1`, tenant);
    expect(asked.body.series.map((s) => [s.name, s.points.length])).toEqual([
      ["host.cpu.user", 3],
      ["nginx.requestsPerSec", 3],
    ]);
    expect((await t.get<SutAnswer>(`/v1/runs/${runId}/sut?agent=db-1`, tenant)).body.series).toEqual([]);

    // Once the run ended, later telemetry is not its.
    await finish(tenant, runId, startedAt + 3_000);
    await agentApplied(await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(startedAt + 5_000, api, 50)));
    const after = await t.get<SutAnswer>(`/v1/runs/${runId}/sut?series=host.cpu.busy`, tenant);
    expect(after.body.series[0]!.points.map(([s]) => s)).toEqual([0, 1, 2]);
  });

  it("answers 404 naming an unknown run (another tenant's too), and 400 naming the field of a bad query", async () => {
    const tenant = t.newTenant();
    const runId = await sutRun(tenant, Date.now());
    const missing = newId();
    const unknown = await t.get<ErrorBody>(`/v1/runs/${missing}/sut`, tenant);
    expect([unknown.status, unknown.body.error.field]).toEqual([404, "id"]);
    expect(unknown.body.error.message).toContain(missing);
    expect((await t.get(`/v1/runs/${runId}/sut`, t.newTenant())).status).toBe(404);
    expect((await t.get(`/v1/runs/${runId}/actions`, t.newTenant())).status).toBe(404);
    for (const [q, field] of [
      ["series=", "series"],
      ["agent=not%20an%20id", "agent"],
      [`series=${Array.from({ length: 60 }, (_, i) => `s${i}`).join(",")}`, "series"],
    ]) {
      const bad = await t.get<ErrorBody>(`/v1/runs/${runId}/sut?${q}`, tenant);
      expect([bad.status, bad.body.error.field], q).toEqual([400, field]);
    }
  });
});

describe("agents", () => {
  it("lists the tenant's agents with their state, active then lost, filtered by label", async () => {
    const tenant = t.newTenant();
    await publishAgent(tenant, "api-1", "agent.registered", { ...eventExamples["agent.registered"], labels: { service: "api" } });
    await publishAgent(tenant, "db-1", "agent.telemetry", telemetryData(Date.now(), { service: "db", zone: "b" }));
    await agentApplied(await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(Date.now(), { service: "api", zone: "a" })));

    const list = await t.get<{ items: AgentView[] }>("/v1/agents", tenant);
    expect(list.body.items.map((a) => [a.agentId, a.state])).toEqual([
      ["api-1", "active"],
      ["db-1", "active"],
    ]);
    expect(list.body.items[0]).toMatchObject({
      host: "api-1.internal",
      labels: { service: "api", zone: "a" },
      sources: ["prometheus", "nginx"],
    });
    expect(list.body.items[1]).toMatchObject({ host: null, registeredAt: null, actions: [] });
    expect((await t.get<{ items: AgentView[] }>("/v1/agents?label=zone=b", tenant)).body.items.map((a) => a.agentId)).toEqual(["db-1"]);
    expect((await t.get<{ items: AgentView[] }>("/v1/agents?label=zone=b&label=service=api", tenant)).body.items).toEqual([]);
    expect((await t.get<{ items: AgentView[] }>("/v1/agents", t.newTenant())).body.items).toEqual([]);
    const bad = await t.get<ErrorBody>("/v1/agents?label=novalue", tenant);
    expect([bad.status, bad.body.error.field]).toEqual([400, "label"]);

    // Six seconds later, unheard from: lost.
    const later = served(
      agentRoutes({ readModel: t.projections.readModel, db: t.projections.database.db, log, now: () => Date.now() + 6_000 }),
    );
    const res = await later.request("/v1/agents?state=lost", { headers: { "X-Tenant-Id": tenant } });
    expect(((await res.json()) as { items: AgentView[] }).items.map((a) => [a.agentId, a.state])).toEqual([
      ["api-1", "lost"],
      ["db-1", "lost"],
    ]);
  });

  it("projects the actions asked of an agent and serves them: the agent's newest first, the run's with its seconds", async () => {
    const tenant = t.newTenant();
    const startedAt = Date.now() - 60_000;
    const runId = await sutRun(tenant, startedAt);
    await agentApplied(await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(Date.now(), { service: "api" })));
    const { fired, asked } = await actions(tenant, "api-1", runId);

    const history = await t.get<{ items: AgentActionView[] }>("/v1/agents/api-1/actions", tenant);
    expect(history.body.items.map((a) => [a.actionId, a.status])).toEqual([
      [asked, "failed"],
      [fired, "completed"],
    ]);
    expect(history.body.items[0]).toMatchObject({ reason: "exited with code 3", exitCode: 3, params: { on: true }, runId: null });
    expect((await t.get<{ items: AgentActionView[] }>("/v1/agents/api-1/actions?limit=1", tenant)).body.items).toHaveLength(1);
    expect((await t.get("/v1/agents/api-1/actions?limit=0", tenant)).status).toBe(400);
    expect((await t.get("/v1/agents/nobody/actions", tenant)).status).toBe(404);

    const detail = await t.get<AgentDetailView>("/v1/agents/api-1", tenant);
    expect(detail.body).toMatchObject({ agentId: "api-1", state: "active", lastTelemetry: { labels: { service: "api" } } });
    expect(detail.body.recentActions).toHaveLength(2);
    expect((await t.get("/v1/agents/api-1", t.newTenant())).status).toBe(404);

    const ofRun = await t.get<{ runId: string; items: RunActionView[] }>(`/v1/runs/${runId}/actions`, tenant);
    expect(ofRun.body.items).toHaveLength(1);
    expect(ofRun.body.items[0]).toMatchObject({
      actionId: fired,
      status: "completed",
      exitCode: 0,
      output: "restarted\n",
      durationMs: 812,
    });
    expect(ofRun.body.items[0]!.second).toBeGreaterThanOrEqual(59);
  });

  it("declares who may call every route it serves: any role of the tenant", () => {
    const routes = (app: { routes: { method: string; path: string }[] }) =>
      [...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].sort();
    const deps = { readModel: t.projections.readModel, db: t.projections.database.db, log };
    const access = routeAccess("keyed");
    const served = [...routes(agentRoutes(deps)), ...routes(sutRoutes(deps))];
    expect(served.length).toBe(5);
    for (const route of served) expect(access[route], route).toBe("viewer");
  });
});

const deadLetters = async (db: Db) =>
  rowsOf<{ seq: number; reason: string }>(
    await db.execute(sql`select seq::int as seq, reason from projection_dead_letters where projection = 'agent' order by seq`),
  );

describe("bad input on LL_AGENT", () => {
  it("dead-letters what is not an agent's own message and goes on", async () => {
    const tenant = t.newTenant();
    const before = (await deadLetters(t.projections.database.db)).length;
    const subject = subjects.agent(t.env.ns, tenant, "api-1", "telemetry");
    await t.js.publish(subject, "not json at all {");
    await t.js.publish(subject, JSON.stringify({ hello: "world" }));
    const { host: _host, ...hostless } = telemetryData(Date.now(), { service: "api" });
    await publishAgent(tenant, "api-1", "agent.telemetry", hostless);
    // Telemetry claiming another tenant than its subject's.
    const spoofed = JSON.stringify({
      id: newId(),
      type: "agent.telemetry",
      schemaVersion: 1,
      tenantId: "victim",
      aggregate: { type: "agent", id: "api-1" },
      time: new Date().toISOString(),
      actor: "agent:api-1",
      causationId: null,
      correlationId: "c",
      data: telemetryData(Date.now(), { service: "api" }),
    });
    await t.js.publish(subject, spoofed);
    await publishAgent(tenant, "api-1", "agent.action-started", { actionId: "x" });
    const good = await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(Date.now(), { service: "api" }));
    await agentApplied(good);

    const letters = (await deadLetters(t.projections.database.db)).slice(before);
    expect(letters).toHaveLength(5);
    expect(letters[3]!.reason).toMatch(/does not name the envelope's tenant victim/);
    expect(letters[4]!.reason).toMatch(/agent.action-started does not belong/);
    expect((await t.get<{ items: AgentView[] }>("/v1/agents", tenant)).body.items.map((a) => a.agentId)).toEqual(["api-1"]);
    expect((await t.get<{ items: AgentView[] }>("/v1/agents", "victim")).body.items).toEqual([]);
    expect(t.projections.ready()).toBe(true);
  });
});

describe("a stream that deletes inside", () => {
  it("goes past what LL_AGENT dropped (1,000 messages a subject) while the projection was behind", async () => {
    const tenant = t.newTenant();
    await t.projections.stop();
    const seqs: number[] = [];
    for (const agentId of ["a0", "a1", "a2", "a3"])
      seqs.push(await publishAgent(tenant, agentId, "agent.telemetry", telemetryData(Date.now(), { service: "api" })));
    const jsm = await jetstreamManager(t.env.nc);
    for (const seq of [seqs[1]!, seqs[2]!]) await jsm.streams.deleteMessage(t.env.ns.streams.agent, seq);
    t.projections = await t.start();
    await agentApplied(seqs[3]!);
    expect((await t.get<{ items: AgentView[] }>("/v1/agents", tenant)).body.items.map((a) => a.agentId)).toEqual(["a0", "a3"]);
  });
});

const AGENT_TABLES = ["agents", "agent_actions", "run_suts", "run_sut_seconds"] as const;

async function checksums(db: Db): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const table of AGENT_TABLES) {
    const id = sql.identifier(table);
    const [row] = rowsOf<{ rows: number; md5: string }>(
      await db.execute(
        sql`select count(*)::int as rows, coalesce(md5(string_agg(x.t, '|' order by x.t)), '') as md5 from (select ${id}::text as t from ${id}) x`,
      ),
    );
    out[table] = row!;
  }
  return out;
}

describe("rebuild", () => {
  it("reproduces the agent tables from the streams", async () => {
    const tenant = t.newTenant();
    const startedAt = Date.now() - 10_000;
    const runId = await sutRun(tenant, startedAt);
    await publishAgent(tenant, "api-1", "agent.registered", { ...eventExamples["agent.registered"], labels: { service: "api" } });
    let last = 0;
    for (let s = 0; s < 5; s++)
      last = await publishAgent(tenant, "api-1", "agent.telemetry", telemetryData(startedAt + s * 1000 + 100, { service: "api" }, s));
    await agentApplied(last);
    await actions(tenant, "api-1", runId);
    const db = t.projections.database.db;
    const before = await checksums(db);
    expect(Object.values(before).every((c) => c.rows > 0)).toBe(true);

    await db.execute(sql`update agents set host = 'tampered'`);
    await db.execute(sql`update agent_actions set status = 'tampered'`);
    await db.execute(sql`delete from run_suts`);
    // "events" rebuilds agent_actions and run_suts, "agent" the agents; run_sut_seconds outlives
    // LL_AGENT's day, so a rebuild leaves it as the live projection wrote it.
    for (const name of ["events", "agent"]) await rebuildProjection({ url: t.pg.url, nc: t.env.nc, ns: t.env.ns, log, name });
    expect(await checksums(db)).toEqual(before);

    // The live projector goes on from the swapped-in checkpoint.
    await agentApplied(await publishAgent(tenant, "api-2", "agent.telemetry", telemetryData(Date.now(), { service: "web" })));
    expect((await t.get<{ items: AgentView[] }>("/v1/agents", tenant)).body.items.map((a) => a.agentId)).toEqual(["api-1", "api-2"]);
  });
});
