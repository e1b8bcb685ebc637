import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import postgres from "postgres";
import { namespace, type Namespace } from "./namespace.ts";
import { connectNats, type NatsConnection } from "./nats.ts";
import { ensureStreams } from "./streams.ts";

/**
 * Test fixtures for integration tests against the real NATS and Postgres
 * (scripts/test.sh starts them when none answers). Each test gets its own
 * namespace (streams, subjects, buckets) and its own database.
 */
export const TEST_NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const suffix = () => randomBytes(5).toString("hex");

export type TestNats = { ns: Namespace; nc: NatsConnection; url: string; cleanup(): Promise<void> };

export async function testNats(opts: { streams?: boolean } = {}): Promise<TestNats> {
  const ns = namespace(`t${suffix()}`);
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

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

export async function testDatabase(): Promise<TestDatabase> {
  const name = `ll_test_${suffix()}`;
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const a = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
