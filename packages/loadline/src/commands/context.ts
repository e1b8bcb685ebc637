import { type Config, createLogger, type Logger, loadConfig } from "@loadline/service";
import { LoadlineClient } from "../client.ts";
import { type Stack, type StackOptions, startStack } from "../stack.ts";

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
    // Unset means embedded: a nats-server child and PGlite.
    ...(process.env.NATS_URL ? { natsUrl: ctx.config.natsUrl } : {}),
    ...(ctx.config.databaseUrl ? { databaseUrl: ctx.config.databaseUrl } : {}),
  };
}

/** Runs `work` against the API at `apiUrl`, or against an embedded stack started for it and stopped after. */
export async function withApi<T>(
  ctx: CommandContext,
  apiUrl: string | undefined,
  work: (api: LoadlineClient, stack: Stack | null) => Promise<T>,
): Promise<T> {
  if (apiUrl) return work(new LoadlineClient(apiUrl), null);
  console.log("Starting the embedded stack...");
  const stack = await startStack(stackOptions(ctx));
  try {
    return await work(new LoadlineClient(stack.apiUrl), stack);
  } finally {
    await stack.stop();
  }
}
