import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CommandEnvelope, type EventOf, newId, parseCommand, sleep } from "@loadline/core";
import { subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "agent-main-"));
let env: TestNats;
const children: ChildProcess[] = [];
beforeAll(async () => {
  env = await testNats();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await env.cleanup();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The agent's process, as deployed: its config file from LL_AGENT_CONFIG. */
function startAgent(config: string, extra: Record<string, string> = {}) {
  const file = join(dir, `${newId()}.yaml`);
  writeFileSync(file, config);
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, NATS_URL: env.url, LL_NAMESPACE: env.ns.prefix, LL_AGENT_CONFIG: file, LOG_LEVEL: "info", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, exit, output: () => output };
}

it("refuses a config file with errors, naming the field, and exits 2", async () => {
  const agent = startAgent("agentId: x\nactions:\n  - name: go\n    command: [/bin/true]\n    timeoutSec: -1\n");
  expect(await agent.exit).toBe(2);
  expect(agent.output()).toContain("actions[0].timeoutSec");
});

it("runs from its config file, serves /readyz and /metrics, and on SIGTERM ends its action and reports it failed", async () => {
  const reports: CommandEnvelope[] = [];
  const sub = env.nc.subscribe(subjects.agentReport(env.ns, "acme", "web-9"), {
    callback: (_e, m) => void reports.push(parseCommand(m.json())),
  });
  const registered = new Promise<void>((resolve) => {
    env.nc.subscribe(subjects.agent(env.ns, "acme", "web-9", "registered"), { max: 1, callback: () => resolve() });
  });
  const port = await freePort();
  const agent = startAgent(
    `labels: { service: api }
intervalMs: 200
actions:
  - name: hang
    command: ["${process.execPath}", "-e", "setTimeout(() => {}, 30000)"]
    timeoutSec: 60
`,
    { LL_AGENT_ID: "web-9", LL_AGENT_TENANT: "acme", PORT: String(port) },
  );
  await Promise.race([registered, agent.exit.then(() => Promise.reject(new Error(agent.output())))]);
  await sleep(600);
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/loadline_agent_telemetry_published_total\{service="agent"\} [1-9]/);

  const actionId = newId();
  const request: EventOf<"agent.action-requested"> = {
    id: newId(),
    type: "agent.action-requested",
    schemaVersion: 1,
    tenantId: "acme",
    aggregate: { type: "agent", id: "web-9" },
    time: new Date().toISOString(),
    actor: "user:tester",
    causationId: actionId,
    correlationId: actionId,
    data: { actionId, action: "hang", params: {}, requestedBy: "user:tester" },
  };
  env.nc.publish(subjects.agentControl(env.ns, "acme", "web-9"), JSON.stringify(request));
  for (let i = 0; i < 100 && reports.length === 0; i++) await sleep(50);
  expect(reports.map((r) => r.type)).toEqual(["agent.report-action-started"]);

  agent.child.kill("SIGTERM");
  expect(await agent.exit).toBe(0);
  for (let i = 0; i < 40 && reports.length < 2; i++) await sleep(50);
  sub.unsubscribe();
  expect(reports[1]).toMatchObject({ type: "agent.report-action-failed", data: { actionId, reason: "the agent stopped" } });
});
