import { type AgentTelemetry, type EventEnvelope, eventExamples } from "@loadline/core";
import { createLogger } from "@loadline/service";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentProjection, misfitOf } from "./agent-projection.ts";
import { type Database, openDatabase } from "./database.ts";
import { eventsProjection } from "./events-projection.ts";
import type { ProjectedEvent } from "./projection.ts";
import { rowsOf } from "./sql-helpers.ts";
import { SutRunCache } from "./sut-runs.ts";

// The projections' SQL on PGlite (the read model without a database URL), without NATS: batches
// handed to apply() as the projector would.
const log = createLogger("agent-projection-test", "silent");
let database: Database;
beforeAll(async () => {
  database = await openDatabase();
});
afterAll(async () => {
  await database?.close();
});

let seq = 0;
const envelope = (tenantId: string, aggregate: EventEnvelope["aggregate"], type: string, data: unknown, time: number): EventEnvelope =>
  ({
    id: `e${++seq}`,
    type,
    schemaVersion: 1,
    tenantId,
    aggregate,
    time: new Date(time).toISOString(),
    actor: "tester",
    causationId: null,
    correlationId: "c",
    data,
  }) as EventEnvelope;

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

const telemetry = (tenant: string, agentId: string, at: number, labels: Record<string, string>, busy: number): ProjectedEvent => {
  const example = eventExamples["agent.telemetry"] as AgentTelemetry;
  const data = { ...example, at: new Date(at).toISOString(), labels, host: { ...example.host, cpu: { ...example.host.cpu, busy } } };
  return {
    seq: ++seq,
    event: envelope(tenant, { type: "agent", id: agentId }, "agent.telemetry", data, at),
    subject: `ll.agt.${tenant}.${agentId}.telemetry`,
  };
};

/** A run of `tenant` with SUT `{ service: "api" }` started at `startedAt`, through the events projection. */
async function run(tenant: string, runId: string, startedAt: number, finishedAt?: number): Promise<void> {
  const ref = { type: "run" as const, id: runId };
  const target = { targetUrl: "http://x", requests: [{ method: "GET", path: "/" }], sut: { labels: { service: "api" } } };
  const events = [
    envelope(tenant, ref, "run.created", { loadTestId: "lt", targetUsers: 1, spawnRate: 1, durationSec: 60, target }, startedAt - 1000),
    envelope(tenant, ref, "run.started", { startedAt: new Date(startedAt).toISOString() }, startedAt),
    ...(finishedAt ? [envelope(tenant, ref, "run.completed", { finishedAt: new Date(finishedAt).toISOString() }, finishedAt)] : []),
  ];
  await database.db.transaction((tx) =>
    eventsProjection(log).apply(
      tx,
      events.map((event) => ({ seq: ++seq, event })),
    ),
  );
}

const seconds = async (runId: string) =>
  rowsOf<{ agent_id: string; second: number; busy: number }>(
    await database.db.execute(
      sql`select agent_id, second, (values->>'host.cpu.busy')::float8 as busy from run_sut_seconds where run_id = ${runId} order by agent_id, second`,
    ),
  ).map((r) => [r.agent_id, r.second, Number(r.busy)]);

describe("the agent projection", () => {
  it("writes the batch's SUT seconds of matching agents, merging two intervals of one second, on PGlite", async () => {
    await run("t1", "run1", T0, T0 + 10_000);
    const projection = agentProjection(log, new SutRunCache(1000, () => T0 + 20_000));
    await database.db.transaction((tx) =>
      projection.apply(tx, [
        telemetry("t1", "api-1", T0 + 200, { service: "api" }, 1),
        telemetry("t1", "api-1", T0 + 900, { service: "api" }, 2), // the same second: the later wins
        telemetry("t1", "api-1", T0 + 10_500, { service: "api" }, 3), // after the end
        telemetry("t1", "web-1", T0 + 500, { service: "web" }, 4),
        telemetry("t2", "api-1", T0 + 500, { service: "api" }, 5), // another tenant
      ]),
    );
    expect(await seconds("run1")).toEqual([["api-1", 0, 2]]);
    const [agent] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from agents`));
    expect(agent!.n).toBe(3);
  });

  it("keeps a tenant's runs for a second, then sees a run that started since", async () => {
    let now = T0 + 100_000;
    const cache = new SutRunCache(1000, () => now);
    const projection = agentProjection(log, cache);
    const apply = (batch: ProjectedEvent[]) => database.db.transaction((tx) => projection.apply(tx, batch));
    await apply([telemetry("t3", "api-1", now, { service: "api" }, 1)]);
    await run("t3", "run3", now);
    await apply([telemetry("t3", "api-1", now + 400, { service: "api" }, 2)]); // within the second: not known yet
    expect(await seconds("run3")).toEqual([]);
    now += 1000;
    await apply([telemetry("t3", "api-1", now + 100, { service: "api" }, 3)]);
    expect(await seconds("run3")).toEqual([["api-1", 1, 3]]);
    // Telemetry from before what the cache covers (a catch-up) loads the runs of its time.
    await run("t3", "old", T0, T0 + 5000);
    await apply([telemetry("t3", "api-1", T0 + 2500, { service: "api" }, 4)]);
    expect(await seconds("old")).toEqual([["api-1", 2, 4]]);
  });

  it("refuses a message whose subject names another tenant, agent or kind than its envelope", () => {
    const good = telemetry("t1", "api-1", T0, { service: "api" }, 1);
    expect(misfitOf(good)).toBeNull();
    expect(misfitOf({ ...good, subject: "ll.agt.t2.api-1.telemetry" })).toMatch(/does not name/);
    expect(misfitOf({ ...good, subject: "ll.agt.t1.api-2.telemetry" })).toMatch(/does not name/);
    expect(misfitOf({ ...good, subject: "ll.agt.t1.api-1.registered" })).toMatch(/does not name/);
    const run = envelope("t1", { type: "run", id: "r" }, "run.started", { startedAt: "x" }, T0);
    expect(misfitOf({ seq: 1, event: run, subject: "ll.agt.t1.r.telemetry" })).toMatch(/does not belong/);
  });
});
