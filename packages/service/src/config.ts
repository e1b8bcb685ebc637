import { DEFAULT_PRICE_MODEL, LOAD_ENGINES, type LoadEngineName, type PriceModel } from "@loadline/core";
import { z } from "zod";

const envSchema = z.object({
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  DATABASE_URL: z.string().optional(),
  /** Whom the projections' migrations run as (the schema's owner role), when not DATABASE_URL's. */
  DATABASE_MIGRATE_URL: z.string().optional(),
  LL_NAMESPACE: z.string().default("ll"),
  LL_METRICS_MAX_AGE_DAYS: z.coerce.number().positive().default(30),
  /** Per-worker raw windows are pruned after this many days; merged seconds and rollups stay. */
  LL_RAW_WINDOWS_MAX_AGE_DAYS: z.coerce.number().positive().default(14),
  /** "auto": 3 on a cluster of 3 or more servers, else 1. */
  LL_STREAM_REPLICAS: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(5)]).default("auto"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().default("127.0.0.1"),
  /** Host names the HTTP servers answer to, comma-separated; `*` any. Unset: loopback names on a loopback HOST, else any. */
  LL_ALLOWED_HOSTS: z.string().optional(),
  /** The largest request body read, in bytes. */
  LL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  LL_PGLITE_DIR: z.string().default(".data/pg"),
  LL_WORKER_ID: z.string().optional(),
  LL_WORKER_MAX_VUS: z.coerce.number().int().positive().default(10_000),
  /** Iterations a second the worker can start in open workloads. */
  LL_WORKER_MAX_RATE: z.coerce.number().positive().default(20_000),
  LL_WORKER_LABELS: z.string().default(""),
  /** Load-generating threads per worker process; 0 = one per core. */
  LL_WORKER_THREADS: z.coerce.number().int().min(0).max(256).default(0),
  /** Engines besides the built-in one, comma-separated: `locust` runs tests' locustfiles (tenant code) on the worker's host (docs/locust.md). */
  LL_WORKER_ENGINES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(LOAD_ENGINES, { error: `must list engines among: ${LOAD_ENGINES.join(", ")}` }))),
  /** What a run's cost is priced at (docs/cost.md): per worker-vCPU-hour, per GB sent and received, per million requests. */
  LL_PRICE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")
    .default(DEFAULT_PRICE_MODEL.currency),
  LL_PRICE_VCPU_HOUR: z.coerce.number().nonnegative().default(DEFAULT_PRICE_MODEL.vcpuHour),
  LL_PRICE_EGRESS_GB: z.coerce.number().nonnegative().default(DEFAULT_PRICE_MODEL.egressGb),
  LL_PRICE_PER_MILLION_REQUESTS: z.coerce.number().nonnegative().default(DEFAULT_PRICE_MODEL.perMillionRequests),
});

export type Config = {
  natsUrl: string;
  databaseUrl: string | undefined;
  /** The schema owner's Postgres, for migrations only; DATABASE_URL's role (the services') then need not alter the schema. */
  databaseMigrateUrl: string | undefined;
  namespace: string;
  metricsMaxAgeMs: number;
  rawWindowsMaxAgeDays: number;
  streamReplicas: number | "auto";
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  port: number | undefined;
  /** Interface the HTTP servers listen on: 0.0.0.0 in a container. */
  host: string;
  /** Host names the HTTP servers answer to (undefined: the default of listen). */
  allowedHosts: string[] | undefined;
  /** The largest request body the HTTP servers read. */
  maxBodyBytes: number;
  /** PGlite's data folder, used when no DATABASE_URL is given. */
  pgliteDir: string;
  worker: {
    id: string | undefined;
    maxVUs: number;
    maxArrivalRate: number;
    labels: Record<string, string>;
    threads: number | undefined;
    /** The engines it runs besides the built-in one (LL_WORKER_ENGINES): none unless its operator says so. */
    engines: LoadEngineName[];
  };
  /** The price a run's cost is figured at (LL_PRICE_*). */
  price: PriceModel;
};

/** "region=eu,pool=big" to { region: "eu", pool: "big" }. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",").filter(Boolean)) {
    const [key, value = ""] = pair.split("=");
    if (key) labels[key.trim()] = value.trim();
  }
  return labels;
}

/** Every service reads its configuration from the environment, through this one place. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    databaseMigrateUrl: e.DATABASE_MIGRATE_URL,
    namespace: e.LL_NAMESPACE,
    metricsMaxAgeMs: e.LL_METRICS_MAX_AGE_DAYS * 24 * 3600 * 1000,
    rawWindowsMaxAgeDays: e.LL_RAW_WINDOWS_MAX_AGE_DAYS,
    streamReplicas: e.LL_STREAM_REPLICAS,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    allowedHosts: e.LL_ALLOWED_HOSTS?.split(",")
      .map((h) => h.trim())
      .filter(Boolean),
    maxBodyBytes: e.LL_MAX_BODY_BYTES,
    pgliteDir: e.LL_PGLITE_DIR,
    worker: {
      id: e.LL_WORKER_ID,
      maxVUs: e.LL_WORKER_MAX_VUS,
      maxArrivalRate: e.LL_WORKER_MAX_RATE,
      labels: parseLabels(e.LL_WORKER_LABELS),
      threads: e.LL_WORKER_THREADS || undefined,
      engines: e.LL_WORKER_ENGINES,
    },
    price: {
      currency: e.LL_PRICE_CURRENCY,
      vcpuHour: e.LL_PRICE_VCPU_HOUR,
      egressGb: e.LL_PRICE_EGRESS_GB,
      perMillionRequests: e.LL_PRICE_PER_MILLION_REQUESTS,
    },
  };
}
