import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, createLogger, type Logger, loadAuthConfig, loadConfig } from "@loadline/service";
import { LoadlineClient } from "../client.ts";
import type { Stack, StackOptions } from "../stack.ts";

/** What every command gets: the configuration, a logger, and the options it was given. */
export type CommandContext = {
  config: Config;
  log: Logger;
  port: number;
  dataDir: string;
};

export function commandContext(opts: { port?: string; data: string; logLevel: string; defaultPort: number }): CommandContext {
  const config = loadConfig();
  return {
    config,
    log: createLogger("loadline", process.env.LOG_LEVEL ?? opts.logLevel),
    port: Number(opts.port ?? config.port ?? opts.defaultPort),
    dataDir: opts.data,
  };
}

export function stackOptions(ctx: CommandContext): StackOptions {
  return {
    dataDir: ctx.dataDir,
    port: ctx.port,
    log: ctx.log,
    namespace: ctx.config.namespace,
    rawWindowsMaxAgeDays: ctx.config.rawWindowsMaxAgeDays,
    maxBodyBytes: ctx.config.maxBodyBytes,
    allowedHosts: ctx.config.allowedHosts,
    workerEngines: ctx.config.worker.engines,
    auth: loadAuthConfig(),
    // Unset means embedded: a nats-server child and PGlite.
    ...(process.env.NATS_URL ? { natsUrl: ctx.config.natsUrl } : {}),
    ...(ctx.config.databaseUrl ? { databaseUrl: ctx.config.databaseUrl } : {}),
    ...(ctx.config.databaseMigrateUrl ? { databaseMigrateUrl: ctx.config.databaseMigrateUrl } : {}),
  };
}

/**
 * The key the CLI sends to an API it did not start: LL_API_KEY, else the embedded stack's
 * bootstrap key in the data folder (so `loadline run --api` against `loadline up` needs nothing).
 */
export function cliApiKey(ctx: CommandContext): string | undefined {
  if (process.env.LL_API_KEY) return process.env.LL_API_KEY;
  try {
    return readFileSync(join(ctx.dataDir, "admin-key"), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Runs `work` against the API at `apiUrl`, or against an embedded stack started for it and stopped after. */
export async function withApi<T>(
  ctx: CommandContext,
  apiUrl: string | undefined,
  work: (api: LoadlineClient, stack: Stack | null) => Promise<T>,
): Promise<T> {
  if (apiUrl) return work(new LoadlineClient(apiUrl, cliApiKey(ctx)), null);
  console.log("Starting the embedded stack...");
  // Loaded only when a command needs a stack of its own: it is most of the CLI's start-up.
  const { startStack } = await import("../stack.ts");
  const stack = await startStack(stackOptions(ctx));
  try {
    return await work(new LoadlineClient(stack.apiUrl, stack.adminKey), stack);
  } finally {
    await stack.stop();
  }
}
