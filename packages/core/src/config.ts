import { z } from "zod";

const envSchema = z.object({
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  DATABASE_URL: z.string().optional(),
  LL_NAMESPACE: z.string().default("ll"),
  LL_METRICS_MAX_AGE_DAYS: z.coerce.number().positive().default(30),
  LL_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export type Config = {
  natsUrl: string;
  databaseUrl: string | undefined;
  namespace: string;
  metricsMaxAgeMs: number;
  streamReplicas: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  port: number | undefined;
};

/** Every service reads its configuration from the environment, through this one place. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    namespace: e.LL_NAMESPACE,
    metricsMaxAgeMs: e.LL_METRICS_MAX_AGE_DAYS * 24 * 3600 * 1000,
    streamReplicas: e.LL_STREAM_REPLICAS,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
  };
}
