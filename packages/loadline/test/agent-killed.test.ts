import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventEnvelope } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { connectNats, JetStreamEventStore, type NatsConnection } from "@loadline/nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadlineClient } from "../src/client.ts";
import { type Service, startService, waitReady } from "../src/testing/index.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * An agent killed mid-action, end to end: a real agent process (beside the stack's own) allowed
 * one action that runs long; an operator asks for it through the API, the agent starts it, and
 * is SIGKILLed. Nobody will report the outcome, so the orchestrator fails the action itself at
 * its timeout + 10 s, with the documented reason; the read side shows it failed and the agent
 * lost. Everything on 127.0.0.1.
 */
const AGENT_ID = "killed-1";
/** Short, so that the deadline (timeout + 10 s) keeps the test brief; long enough to kill the agent before its own timeout. */
const TIMEOUT_SEC = 3;
const DEADLINE_MS = (TIMEOUT_SEC + 10) * 1000;
/** In the action's argv, to find what is left of it once the agent is gone. */
const MARKER = `ll-agent-killed-${randomUUID()}`;
/**
 * Waits 30 s, but exits once the agent is gone: its process group is its own (the agent's
 * timeouts end it that way), so the agent's SIGKILL leaves it running. It writes a dot every
 * 200 ms to the pipe the agent reads; with the agent gone the write fails (EPIPE), and it exits.
 * (Not by watching its parent's pid: in this sandbox process.ppid was seen to answer 1 from the start.)
 */
const HANG_SCRIPT = [
  "process.stdout.on('error', () => process.exit(0));",
  "setInterval(() => process.stdout.write('.'), 200);",
  "setTimeout(() => process.exit(0), 30000);",
].join("\n");

type AgentRead = { agentId: string; state: "active" | "lost"; actions: { name: string; timeoutSec: number }[] };
type ActionRead = { actionId: string; status: string; reason: string | null; startedAt: string | null; endedAt: string | null };

let f: StackFixture;
let nc: NatsConnection;
let operator: LoadlineClient;
let agent: Service;
let dir: string;

/** The pids whose command line holds MARKER: the action's process, while it lives. */
function markedPids(): number[] {
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(MARKER) ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "agent-killed-test");
  // POST /v1/agents/{id}/actions/{name} is an operator's: asked with an operator's key, not the admin's.
  const made = await f.api.fetch("/v1/api-keys", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "agent-killed-operator", role: "operator" }),
  });
  expect(made.status).toBe(201);
  operator = new LoadlineClient(f.stack.apiUrl, ((await made.json()) as { key: string }).key);

  dir = mkdtempSync(join(tmpdir(), "loadline-agent-killed-"));
  const configFile = join(dir, "agent.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      intervalMs: 500,
      actions: [
        { name: "hang", description: "runs long", command: [process.execPath, "-e", HANG_SCRIPT, MARKER], timeoutSec: TIMEOUT_SEC },
      ],
    }),
  );
  agent = await startService("agent", {
    NATS_URL: f.stack.natsUrl,
    LL_NAMESPACE: f.stack.ns.prefix,
    LL_AGENT_CONFIG: configFile,
    LL_AGENT_ID: AGENT_ID,
    LL_AGENT_LABELS: "service=killed-target,role=agent-killed",
    HOST: "127.0.0.1",
  });
  await waitReady(agent);
}, 60_000);

afterAll(async () => {
  if (agent && agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
  // The action's process exits by itself once orphaned; should it not have, it is ended here.
  for (const pid of markedPids()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await nc?.close();
  await f?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const eventsOf = async (actionId: string): Promise<EventEnvelope[]> =>
  (await new JetStreamEventStore(nc, f.stack.ns).read("default", { type: "agent", id: AGENT_ID })).events
    .map((e) => e.event)
    .filter((e) => "actionId" in e.data && e.data.actionId === actionId);

const agentsList = async (): Promise<AgentRead[]> => {
  const res = await operator.fetch("/v1/agents");
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: AgentRead[] }).items;
};

describe("an agent killed mid-action", () => {
  it("is failed by the orchestrator at the action's timeout + 10 s, and the agent shows lost", async () => {
    // Registered and heard from, with its action (the API then checks the name against it).
    const listed = await eventually(async () => (await agentsList()).find((a) => a.agentId === AGENT_ID && a.state === "active"), 15_000);
    expect(listed.actions).toEqual([expect.objectContaining({ name: "hang", timeoutSec: TIMEOUT_SEC })]);

    const res = await operator.fetch(`/v1/agents/${AGENT_ID}/actions/hang`, { method: "POST" });
    expect(res.status).toBe(202);
    const { actionId } = (await res.json()) as { actionId: string };

    // Killed as soon as its start is on record: well before its own timeout, which it would report.
    const started = await eventually(async () => (await eventsOf(actionId)).find((e) => e.type === "agent.action-started"), 10_000, 25);
    expect(markedPids().length).toBe(1);
    agent.child.kill("SIGKILL");
    expect(await agent.exit).toBeNull();
    const killedAfterMs = Date.now() - Date.parse(started.time);
    expect(killedAfterMs).toBeLessThan(TIMEOUT_SEC * 1000);

    // Nothing more comes from the agent: the orchestrator's deadline fails the action.
    const failed = await eventually(
      async () => (await eventsOf(actionId)).find((e) => e.type === "agent.action-failed"),
      DEADLINE_MS + 10_000,
      200,
    );
    expect((await eventsOf(actionId)).map((e) => e.type)).toEqual([
      "agent.action-requested",
      "agent.action-started",
      "agent.action-failed",
    ]);
    const reason = `no outcome from the agent within ${TIMEOUT_SEC + 10} s: it may have been killed mid-action`;
    expect(failed.data).toEqual({ actionId, reason });
    expect(failed.actor).toBe("orchestrator");
    // At its deadline, from the start on record, and not much later (the watch looks every 500 ms).
    const tookMs = Date.parse(failed.time) - Date.parse(started.time);
    expect(tookMs).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(tookMs).toBeLessThan(DEADLINE_MS + 3_000);

    // The read side: the action failed, with the same reason; the agent lost.
    const action = await eventually(async () => {
      const r = await operator.fetch(`/v1/agents/${AGENT_ID}/actions`);
      const item = ((await r.json()) as { items: ActionRead[] }).items.find((a) => a.actionId === actionId);
      return item?.status === "failed" && item;
    }, 10_000);
    expect(action).toMatchObject({ status: "failed", reason, startedAt: started.time, endedAt: failed.time });
    const lost = await eventually(async () => (await agentsList()).find((a) => a.agentId === AGENT_ID && a.state === "lost"), 10_000);
    expect(lost.state).toBe("lost");
    // The stack's own agent is still heard from.
    expect((await agentsList()).some((a) => a.agentId !== AGENT_ID && a.state === "active")).toBe(true);

    // What the action had started ended once orphaned: nothing is left running.
    await eventually(() => markedPids().length === 0, 5_000, 100);
  }, 60_000);
});
