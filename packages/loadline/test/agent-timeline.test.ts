import { ControlAgent, parseAgentConfig, resolveAgentConfig } from "@loadline/agent";
import type { EventEnvelope, MetricsPoint } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { connectNats, JetStreamEventStore, type NatsConnection } from "@loadline/nats";
import { createLogger } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * A fault on a run's clock, end to end: a real control agent beside the demo target, allowed one
 * action (a small node program that asks the target, over loopback, to answer slower for a few
 * seconds); a test whose timeline fires it 3 s into the run. The action's events are on record
 * with the run's id, and the run's latency per second shows the slow seconds. Traffic goes to
 * 127.0.0.1 only.
 */
const AGENT_ID = "sut-e2e-1";
const log = createLogger("test", process.env.TEST_LOG_LEVEL ?? "silent");
let f: StackFixture;
let nc: NatsConnection;
let agent: ControlAgent;

/** POSTs {ms, forSec} to the target's control endpoint (argv[1]); exits 1 when refused. */
const SLOW_SCRIPT = [
  "const [url, ms, sec] = process.argv.slice(1);",
  "fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: Number(ms), forSec: Number(sec) }) })",
  "  .then(async (r) => { console.log(r.status, await r.text()); if (!r.ok) process.exit(1); })",
  "  .catch((e) => { console.error(String(e)); process.exit(1); });",
].join("\n");

beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "agent-timeline-test");
  const target = f.stack.demoTarget!;
  const config = resolveAgentConfig(
    parseAgentConfig({
      agentId: AGENT_ID,
      labels: { role: "sut-e2e" },
      intervalMs: 500,
      actions: [
        {
          name: "slow-target",
          description: "make the demo target answer slower for a while",
          command: [process.execPath, "-e", SLOW_SCRIPT, `${target.url}/__control/slow`, "{{ms}}", "{{seconds}}"],
          params: {
            ms: { type: "number", integer: true, min: 0, max: 5_000, required: true },
            seconds: { type: "number", min: 0, max: 60, required: true },
          },
          timeoutSec: 10,
        },
      ],
    }),
  );
  agent = new ControlAgent({ nc, ns: f.stack.ns, log, config });
  await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await nc?.close();
  await f?.close();
});

const agentEvents = async (): Promise<EventEnvelope[]> =>
  (await new JetStreamEventStore(nc, f.stack.ns).read("default", { type: "agent", id: AGENT_ID })).events.map((e) => e.event);

describe("the demo target's slow-down", () => {
  it("takes {ms, forSec} from loopback, refuses bad input naming it, and is not counted as traffic", async () => {
    const target = f.stack.demoTarget!;
    const slow = (body: unknown) =>
      fetch(`${target.url}/__control/slow`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const before = target.total();
    expect((await slow({ ms: -1, forSec: 1 })).status).toBe(400);
    expect(await (await slow({ ms: 10, forSec: "x" })).json()).toEqual({ error: "forSec: 0 to 3600" });
    expect((await fetch(`${target.url}/__control/other`, { method: "POST" })).status).toBe(404);
    expect((await slow({ ms: 300, forSec: 1 })).status).toBe(200);
    const t0 = Date.now();
    await fetch(`${target.url}/fixed?ms=1`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await slow({ ms: 0, forSec: 0 })).status).toBe(200);
    const t1 = Date.now();
    await fetch(`${target.url}/fixed?ms=1`);
    expect(Date.now() - t1).toBeLessThan(200);
    expect(target.total() - before).toBe(2);
  });
});

describe("agent actions, end to end", () => {
  it("an operator asks the agent for an action through the API: requested, started, completed", async () => {
    const res = await f.api.fetch(`/v1/agents/${AGENT_ID}/actions/slow-target`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ params: { ms: 0, seconds: 0 } }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { actionId: string; agentId: string; action: string; status: string };
    expect(body).toMatchObject({ agentId: AGENT_ID, action: "slow-target", status: "requested" });
    await eventually(async () => (await agentEvents()).some((e) => e.type === "agent.action-completed"), 15_000);
    const mine = (await agentEvents()).filter((e) => "actionId" in e.data && e.data.actionId === body.actionId);
    expect(mine.map((e) => e.type)).toEqual(["agent.action-requested", "agent.action-started", "agent.action-completed"]);
    expect(mine[2]?.data).toMatchObject({ exitCode: 0, output: expect.stringContaining("200") });
  }, 30_000);

  it("a run's timeline step slows the target at its second, and the run's latency shows it", async () => {
    const test = await f.api.createLoadTest({
      name: "fault on the clock",
      targetUrl: f.stack.demoTarget!.url,
      requests: [{ name: "fixed", method: "GET", path: "/fixed?ms=10" }],
      defaultUsers: 4,
      defaultSpawnRate: 100,
      defaultDurationSec: 9,
      timeline: [{ atSec: 3, agent: { role: "sut-e2e" }, action: "slow-target", params: { ms: 250, seconds: 3 } }],
    });
    const started = await f.api.startRun(test.id);
    const run = await f.api.waitForEnd(started.id, 45_000);
    expect(run.status).toBe("Completed");
    const startedAt = Date.parse(run.startedAt!);

    const ofRun = (await agentEvents()).filter((e) => e.type === "agent.action-requested" && e.data.runId === run.id) as Extract<
      EventEnvelope,
      { type: "agent.action-requested" }
    >[];
    expect(ofRun).toHaveLength(1);
    const requested = ofRun[0]!;
    expect(requested.data).toMatchObject({ action: "slow-target", params: { ms: 250, seconds: 3 }, runId: run.id, timeoutSec: 10 });
    const late = Date.parse(requested.time) - (startedAt + 3_000);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
    const actionId = requested.data.actionId;
    const outcome = await eventually(async () => {
      const events = (await agentEvents()).filter((e) => "actionId" in e.data && e.data.actionId === actionId);
      return events.length === 3 && events;
    }, 10_000);
    expect(outcome.map((e) => e.type)).toEqual(["agent.action-requested", "agent.action-started", "agent.action-completed"]);
    const slowFrom = Date.parse(outcome[1]!.time); // the target is slowed between the start and the completion
    const slowSure = Date.parse(outcome[2]!.time); // ... and surely from the completion
    const slowTo = slowFrom + 3_000;

    await f.api.waitForProjections(15_000);
    const { points } = await f.api.timeseries(run.id);
    const at = (p: MetricsPoint) => Date.parse(p.time);
    const during = points.filter((p) => at(p) >= slowSure && at(p) + 1_000 <= slowTo);
    const before = points.filter((p) => at(p) + 1_000 <= slowFrom);
    const after = points.filter((p) => at(p) >= slowTo + 1_000);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const p of during) expect(p.p50, `the second at ${p.time}`).toBeGreaterThanOrEqual(250);
    for (const p of [...before, ...after]) expect(p.p50, `the second at ${p.time}`).toBeLessThan(150);
  }, 90_000);
});
