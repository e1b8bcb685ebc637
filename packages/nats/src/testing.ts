import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats, type NatsConnection } from "./connect.ts";
import { type Namespace, namespace } from "./namespace.ts";
import { ensureStreams } from "./streams.ts";

export { type NatsNode, type NatsServers, natsServers } from "./test-servers.ts";

/**
 * For integration tests against the real NATS (scripts/test.sh starts one when none answers):
 * each test gets its own namespace, so its streams, subjects and buckets are its own.
 */
export const TEST_NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

export type TestNats = { ns: Namespace; nc: NatsConnection; url: string; cleanup(): Promise<void> };

export async function testNats(opts: { streams?: boolean } = {}): Promise<TestNats> {
  const ns = namespace(`t${randomBytes(5).toString("hex")}`);
  const nc = await connectNats(TEST_NATS_URL, `test-${ns.prefix}`);
  const jsm = await jetstreamManager(nc);
  if (opts.streams !== false) await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
  return {
    ns,
    nc,
    url: TEST_NATS_URL,
    async cleanup() {
      for (const name of Object.values(ns.streams)) await jsm.streams.delete(name).catch(() => undefined);
      for (const bucket of Object.values(ns.buckets)) await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
