import { sleep } from "@loadline/core";
import { subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AgentHeartbeat, ControlAgent } from "./agent.ts";

let env: TestNats;
beforeAll(async () => {
  env = await testNats();
});
afterAll(() => env.cleanup());

it("registers, then heartbeats with its host's figures on the agent stream", async () => {
  const agent = new ControlAgent({ nc: env.nc, ns: env.ns, log: createLogger("test", "silent"), agentId: "a1", intervalMs: 100 });
  await agent.start();
  await sleep(350);
  await agent.stop();
  const consumer = await jetstream(env.nc).consumers.get(env.ns.streams.agent, {
    filter_subjects: subjects.agent(env.ns, "a1", "*"),
    deliver_policy: DeliverPolicy.All,
  });
  const batch = await consumer.fetch({ max_messages: 3, expires: 2000 });
  const got: { subject: string; body: AgentHeartbeat }[] = [];
  for await (const m of batch) got.push({ subject: m.subject, body: m.json<AgentHeartbeat>() });
  expect(got[0]?.subject).toBe(subjects.agent(env.ns, "a1", "registered"));
  expect(got.slice(1).every((g) => g.subject.endsWith(".heartbeat"))).toBe(true);
  expect(got.length).toBe(3);
  expect(got[0]!.body.memTotalBytes).toBeGreaterThan(0);
  expect(agent.ready()).toBe(true);
});
