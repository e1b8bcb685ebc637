import { type AgentTelemetry, eventExamples, newId } from "@loadline/core";
import { subjects } from "@loadline/nats";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import type { PgReadModel } from "./read-model.ts";
import { reportRoutes } from "./report-routes.ts";
import { appendEvents, loadTestSpec, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

/** A read model whose every query fails the test: what is refused at the door never reaches Postgres. */
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => () => {
      throw new Error(`the read model was queried (${String(name)})`);
    },
  },
) as PgReadModel;
const log = createLogger("test", "silent");
const app = serviceApp({ log, access: devAccess() }, reportRoutes({ readModel: untouchable, log }));

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, ...((await res.json()) as { error: { code: string; field?: string } }).error };
}

describe("the report route: bad input is refused before any query", () => {
  const cases: [string, number, string][] = [
    ["/v1/runs/%00/report", 404, "id"],
    ["/v1/runs/not.an.id/report?format=json", 404, "id"],
    ["/v1/runs/r1/report?format=docx", 400, "format"],
    ["/v1/runs/r1/report?format=%00", 400, "format"],
    ["/v1/runs/r1/report?format=csv&table=both", 400, "table"],
    ["/v1/runs/r1/report?minSeq=x", 400, "minSeq"],
  ];
  for (const [path, status, field] of cases) {
    it(`${path} -> ${status} naming ${field}`, async () => {
      expect(await get(path)).toMatchObject({ status, field });
    });
  }

  it("answers 501 naming format for a PDF when no printer was given", async () => {
    expect(await get("/v1/runs/r1/report?format=pdf")).toMatchObject({ status: 501, code: "not_implemented", field: "format" });
  });
});

describe("the HTML report of a run with a system under test", () => {
  const t = testProjections();

  /** Telemetry on LL_AGENT as an agent publishes it: the full envelope on `<ns>.agt.<tenant>.<agentId>.telemetry`. */
  async function telemetry(tenant: string, agentId: string, at: number, labels: Record<string, string>, busy: number): Promise<number> {
    const example = eventExamples["agent.telemetry"] as AgentTelemetry;
    const data = { ...example, at: new Date(at).toISOString(), labels, host: { ...example.host, cpu: { ...example.host.cpu, busy } } };
    const id = newId();
    const envelope = {
      id,
      type: "agent.telemetry",
      schemaVersion: 1,
      tenantId: tenant,
      aggregate: { type: "agent", id: agentId },
      time: new Date(at).toISOString(),
      actor: `agent:${agentId}`,
      causationId: null,
      correlationId: id,
      data,
    };
    return (await t.js.publish(subjects.agent(t.env.ns, tenant, agentId, "telemetry"), JSON.stringify(envelope))).seq;
  }

  it("charts the SUT's telemetry and marks the actions its timeline fired; the JSON report has neither", async () => {
    const tenant = t.newTenant();
    const startedAt = Date.UTC(2026, 11, 5, 10, 0, 0);
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
    const api = { service: "api" };
    let seq = 0;
    for (const [ms, busy] of [
      [400, 20],
      [1_300, 30],
      [2_900, 40],
    ] as const)
      seq = await telemetry(tenant, "api-1", startedAt + ms, api, busy);
    expect(await t.projections.projectors.agent.waitFor(seq, 5000)).toBe(true);
    const actionId = newId();
    await t.applied(
      await appendEvents(t.store, tenant, { type: "agent", id: "api-1" }, [
        { type: "agent.action-requested", data: { actionId, action: "restart-api", params: {}, requestedBy: "timeline", runId } },
        { type: "agent.action-started", data: { actionId } },
        { type: "agent.action-completed", data: { actionId, exitCode: 0, output: "ok\n", truncated: false, durationMs: 12 } },
      ]),
    );

    const report = (format: string) => t.app().request(`/v1/runs/${runId}/report?format=${format}`, { headers: { "X-Tenant-Id": tenant } });
    const res = await report("html");
    expect(res.status).toBe(200);
    const html = await res.text();
    const sut = /<section id="sut">(.*?)<\/section>/.exec(html)?.[1] ?? "";
    expect([...sut.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(["sut-cpu", "sut-memory", "sut-network", "sut-load"]);
    expect(sut).toContain('data-series="host.cpu.busy"');
    expect(html).toContain('data-mark="restart-api @api-1: completed"');
    expect(/<section id="actions">(.*?)<\/section>/.exec(html)?.[1]).toContain("exit code 0");

    const json = await (await report("json")).text();
    expect(json).not.toContain('"sut"');
    expect(json).not.toContain("restart-api");
    // The versioned JSON report's schema has no cost: the page has it (and GET /v1/runs/{id}).
    expect(Object.keys(JSON.parse(json) as object)).not.toContain("cost");
    expect(html).toContain("Cost");
  });
});
