import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testNats } from "@loadline/nats/testing";
import { testDatabase } from "@loadline/projections/testing";
import { createLogger, type Logger } from "@loadline/service";
import { LoadlineClient } from "../src/client.ts";
import { type Stack, startStack } from "../src/stack.ts";

export type StackFixture = { stack: Stack; api: LoadlineClient; databaseUrl: string; close(): Promise<void> };

/** The whole stack in this process, against the real NATS and Postgres, in its own namespace and database. */
export async function startTestStack(opts: { log?: Logger } = {}): Promise<StackFixture> {
  const nats = await testNats();
  const db = await testDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "loadline-test-"));
  const stack = await startStack({
    dataDir,
    natsUrl: nats.url,
    databaseUrl: db.url,
    namespace: nats.ns.prefix,
    port: 0,
    log: opts.log ?? createLogger("test", process.env.TEST_LOG_LEVEL ?? "silent"),
  });
  return {
    stack,
    api: new LoadlineClient(stack.apiUrl),
    databaseUrl: db.url,
    async close() {
      await stack.stop();
      await nats.cleanup();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
