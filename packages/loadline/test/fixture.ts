import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlatformDefaults } from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { testNats } from "@loadline/nats/testing";
import { testDatabase } from "@loadline/projections/testing";
import { type AuthConfig, createLogger, type Logger } from "@loadline/service";
import { LoadlineClient } from "../src/client.ts";
import { type Stack, startStack } from "../src/stack.ts";

export type StackFixture = { stack: Stack; api: LoadlineClient; databaseUrl: string; dataDir: string; close(): Promise<void> };

/** The whole stack in this process, against the real NATS and Postgres, in its own namespace and database. */
export async function startTestStack(opts: { log?: Logger; platform?: PlatformDefaults; auth?: AuthConfig } = {}): Promise<StackFixture> {
  const nats = await testNats();
  const db = await testDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "loadline-test-"));
  const stack = await startStack({
    dataDir,
    natsUrl: nats.url,
    databaseUrl: db.url,
    namespace: nats.ns.prefix,
    port: 0,
    // Tests load 127.0.0.1 with whatever sizes they need; the security suite passes its own.
    platform: opts.platform ?? OPEN_PLATFORM,
    // Every test file starts a stack: threads loaded ahead for runs it may never make cost the suite minutes.
    spareThreads: false,
    // The test stack runs locustfiles (docs/locust.md): an operator's opt-in everywhere else.
    workerEngines: ["locust"],
    ...(opts.auth ? { auth: opts.auth } : {}),
    log: opts.log ?? createLogger("test", process.env.TEST_LOG_LEVEL ?? "silent"),
  });
  return {
    stack,
    api: new LoadlineClient(stack.apiUrl, stack.adminKey),
    databaseUrl: db.url,
    dataDir,
    async close() {
      await stack.stop();
      await nats.cleanup();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
