import type {
  ActionParams,
  ActionStatus,
  ActionSummary,
  AgentTelemetry,
  AggregateType,
  Executor,
  GeneratorHealth,
  LatencySummary,
  Metadata,
  MissedFirePolicy,
  OverlapPolicy,
  Placement,
  RequestSpec,
  RequestWindow,
  Role,
  RunControl,
  RunGap,
  RunPhases,
  RunStatus,
  RunWorkerView,
  Scenario,
  ScheduleRunOverrides,
  StopReason,
  TargetPolicy,
  TenantLimits,
  ThresholdResult,
  Thresholds,
  Verdict,
  WebhookFilters,
  WebhookFormat,
} from "@loadline/core";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** Timestamps are kept as timestamptz and read back as Date; the views turn them into ISO strings. */
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const loadTests = pgTable(
  "load_tests",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    tags: text("tags").array().notNull(),
    targetUrl: text("target_url").notNull(),
    /** The simple form; null when the test is written as scenarios. */
    requests: jsonb("requests").$type<RequestSpec[]>(),
    scenarios: jsonb("scenarios").$type<Scenario[]>(),
    workload: jsonb("workload").$type<Executor>(),
    /** Null when the test leaves them out (its workload says how to load). */
    defaultUsers: integer("default_users"),
    defaultSpawnRate: doublePrecision("default_spawn_rate"),
    defaultDurationSec: integer("default_duration_sec"),
    maxDurationSec: integer("max_duration_sec"),
    /** Seed 001's environment label (the lists filter by it) and the client's JSON; null when not given. */
    envId: text("env_id"),
    metadata: jsonb("metadata").$type<Metadata>(),
    /** Its thresholds as declared; null when it has none. */
    thresholds: jsonb("thresholds").$type<Thresholds>(),
    /** The completed run comparisons and baseline-relative thresholds are against; null until one is set. */
    baselineRunId: text("baseline_run_id"),
    /** Count of the load test's events: the version the write side checks If-Match against. */
    version: integer("version").notNull(),
    createdAt: instant("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: instant("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("load_tests_tags_idx").using("gin", t.tags),
    index("load_tests_created_idx").on(t.tenantId, t.createdAt),
    index("load_tests_env_idx").on(t.tenantId, t.envId, t.createdAt),
  ],
);

export const runs = pgTable(
  "runs",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    loadTestId: text("load_test_id").notNull(),
    status: text("status").$type<RunStatus>().notNull(),
    targetUsers: integer("target_users").notNull(),
    spawnRate: doublePrecision("spawn_rate").notNull(),
    durationSec: integer("duration_sec").notNull(),
    /** Its own name, environment label and client JSON (run.created; seed 001's fields); null when none. */
    name: text("name"),
    envId: text("env_id"),
    metadata: jsonb("metadata").$type<Metadata>(),
    /** The values its test's env placeholders were filled with (run.created env); null when none were given. */
    env: jsonb("env").$type<Record<string, string>>(),
    placement: jsonb("placement").$type<Placement>(),
    /** Where its load may go, as the run was created (run.created targetPolicy); null in runs from before it. Never its secrets. */
    targetPolicy: jsonb("target_policy").$type<TargetPolicy>(),
    laneCount: integer("lane_count").notNull().default(0),
    /** Every worker that had a share, the lost ones too. */
    workers: jsonb("workers").$type<RunWorkerView[]>().notNull(),
    gaps: jsonb("gaps").$type<RunGap[]>().notNull().default([]),
    reason: text("reason"),
    /** A completed run's share of its planned lane-time that ran (run.completed); null when not recorded. */
    coverage: doublePrecision("coverage"),
    /** A completed run of which some planned load was not run; null when not recorded. */
    degraded: boolean("degraded"),
    /** Why it stopped before its duration (requested, threshold), or `duration`; null until it stops. */
    stopReason: text("stop_reason").$type<StopReason>(),
    /** `passed` or `failed` once judged by its thresholds; `pending` until then; `none` without thresholds. */
    verdict: text("verdict").$type<Verdict | "pending">().notNull().default("none"),
    /** Each threshold with its observed value: those crossed while it ran, then all of them with the verdict. */
    thresholds: jsonb("thresholds").$type<ThresholdResult[]>().notNull().default([]),
    createdAt: instant("created_at").notNull(),
    startedAt: instant("started_at"),
    finishedAt: instant("finished_at"),
    /** Who started it, and its last event's time and actor; null in rows projected before migration 0017 (a rebuild fills them). */
    createdBy: text("created_by"),
    updatedAt: instant("updated_at"),
    updatedBy: text("updated_by"),
    /** While queued (run.queued): since when, until when it may wait, and why; null otherwise. */
    queuedAt: instant("queued_at"),
    queueExpiresAt: instant("queue_expires_at"),
    queueReason: text("queue_reason"),
    /** Who cancelled it (run.cancelled); null otherwise. */
    cancelledBy: text("cancelled_by"),
    /** Since when it is paused; null when it is not. */
    pausedAt: instant("paused_at"),
    /** Its live control (run.paused, -resumed, -scaled) in order: what the charts annotate. */
    controls: jsonb("controls").$type<RunControl[]>().notNull().default([]),
    /** Its setup's and teardown's requests (run.setup-completed, the teardown's run.worker-stopped). */
    phases: jsonb("phases").$type<RunPhases>().notNull().default({}),
    /** The tags of its request names, from its target's steps (run.created). */
    requestTags: jsonb("request_tags").$type<Record<string, Record<string, string>>>().notNull().default({}),
    /** Count of the run's events. */
    version: integer("version").notNull(),
    /** Event-stream sequence of its last event: the live feeds send what changed after a client's cursor. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("runs_seq_idx").on(t.tenantId, t.seq),
    index("runs_status_idx").on(t.tenantId, t.status),
    index("runs_load_test_idx").on(t.tenantId, t.loadTestId),
    index("runs_created_idx").on(t.tenantId, t.createdAt),
    index("runs_env_idx").on(t.tenantId, t.envId, t.createdAt),
  ],
);

export const metricWindows = pgTable(
  "metric_windows",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    workerId: text("worker_id").notNull(),
    /** Epoch second the window starts at. */
    second: bigint("second", { mode: "number" }).notNull(),
    activeUsers: integer("active_users").notNull(),
    /**
     * The metrics.window event as it was published: its message's bytes, stored without being
     * serialised again. json (checked text), not jsonb: nothing queries inside it, and Postgres
     * then does not build a tree of every window. Null in rows stored before migration 0009.
     */
    event: json("event").$type<{ data: { requests: RequestWindow[]; interruptedIterations?: number } }>(),
    /** The window's requests, in rows stored before migration 0009 (null since: see `event`). */
    requests: json("requests").$type<RequestWindow[]>(),
    iterations: integer("iterations").notNull().default(0),
    droppedIterations: integer("dropped_iterations").notNull().default(0),
    checksPassed: integer("checks_passed").notNull().default(0),
    checksFailed: integer("checks_failed").notNull().default(0),
  },
  // Second before worker in the key: the same rows are unique, and time-range reads and
  // "latest second of a run" become index range scans instead of a scan of every worker.
  (t) => [primaryKey({ columns: [t.tenantId, t.runId, t.second, t.workerId] })],
);

/**
 * Which windows the rollups hold: a window is rolled up only when its key is new here, in the
 * rollups' own transaction. The raw rows (metric_windows) are written apart, ahead of it, and
 * are pruned after their age; these small keys stay, so a window imported again months later is
 * still not counted twice.
 */
export const metricWindowKeys = pgTable(
  "metric_window_keys",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    second: bigint("second", { mode: "number" }).notNull(),
    workerId: text("worker_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.runId, t.second, t.workerId] })],
);

/**
 * The load generator's own health, one row per worker and second (a window's `generator`, issue
 * 24): kept apart from the raw windows, which are pruned, so that a run's record says for good
 * which of its seconds the generator saturated, and small enough to read on every aggregate.
 */
export const generatorSeconds = pgTable(
  "generator_seconds",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    second: bigint("second", { mode: "number" }).notNull(),
    workerId: text("worker_id").notNull(),
    saturated: boolean("saturated").notNull(),
    health: jsonb("health").$type<GeneratorHealth>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.runId, t.second, t.workerId] })],
);

/**
 * The windows of every worker merged, per request name and for all of them together, at four
 * steps: 1 s, 10 s, 1 min, and the whole run (step 0, bucket 0). The histograms are exact HDR
 * merges, so any range is answered by merging a handful of rows instead of every raw window.
 * The all-requests row of a bucket has method = name = ''; only it carries the run counters.
 */
export const metricRollups = pgTable(
  "metric_rollups",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    /** Seconds a bucket spans: 1, 10 or 60; 0 for the whole run. */
    step: integer("step").notNull(),
    /** Epoch second the bucket starts at (a multiple of step); 0 for the whole run. */
    bucket: bigint("bucket", { mode: "number" }).notNull(),
    method: text("method").notNull(),
    name: text("name").notNull(),
    /** Seconds of the bucket that have windows: rates divide by it. */
    seconds: integer("seconds").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    failures: bigint("failures", { mode: "number" }).notNull(),
    bytesIn: bigint("bytes_in", { mode: "number" }).notNull(),
    bytesOut: bigint("bytes_out", { mode: "number" }).notNull(),
    failuresByKind: jsonb("failures_by_kind").$type<Record<string, number>>().notNull(),
    statusCodes: jsonb("status_codes").$type<Record<string, number>>().notNull(),
    histogram: text("histogram").notNull(),
    serviceHistogram: text("service_histogram"),
    /**
     * The histogram's count, extremes, mean and percentiles, worked out when the row is written,
     * so a timeseries reads a point without reading (~17 KB) or merging its histogram. Null in
     * rows written before it existed: those are summarised from the histogram when read.
     */
    latency: jsonb("latency").$type<LatencySummary>(),
    /** Users summed over workers in a second; the busiest second's for longer buckets. */
    activeUsers: integer("active_users").notNull(),
    iterations: bigint("iterations", { mode: "number" }).notNull(),
    droppedIterations: bigint("dropped_iterations", { mode: "number" }).notNull(),
    checksPassed: bigint("checks_passed", { mode: "number" }).notNull(),
    checksFailed: bigint("checks_failed", { mode: "number" }).notNull(),
    /** Requests the stop aborted in flight after the graceful stop (in no other column); 0 in rows from before them. */
    interrupted: bigint("interrupted", { mode: "number" }).notNull().default(0),
    /** Iterations cut short at the stop; a run counter, so only on the all-requests row. */
    interruptedIterations: bigint("interrupted_iterations", { mode: "number" }).notNull().default(0),
    /** The HTTP protocol of its responses (`http/1.1`, `h2`; several joined by ", "); null when the windows did not say. */
    protocol: text("protocol"),
    /** WebSocket messages, SSE events or gRPC messages received and sent under the name (stream steps); 0 otherwise. */
    messagesIn: bigint("messages_in", { mode: "number" }).notNull().default(0),
    messagesOut: bigint("messages_out", { mode: "number" }).notNull().default(0),
    /** Metrics-stream sequence of the last batch that changed the row: the live feeds send seconds changed after a cursor. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
  },
  // A series (one step, one request name) is one contiguous index range ordered by time.
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.step, t.method, t.name, t.bucket] }),
    index("metric_rollups_seq_idx").on(t.tenantId, t.runId, t.step, t.seq),
  ],
);

export const projectionCheckpoints = pgTable("projection_checkpoints", {
  name: text("name").primaryKey(),
  /** Stream sequence of the last message applied. */
  position: bigint("position", { mode: "number" }).notNull(),
  updatedAt: instant("updated_at").notNull(),
  /** Why its batches fail while they are retried (`40P01 deadlock detected`, say); null once one commits. */
  lastError: text("last_error"),
  /** When its batches began to fail; null while they commit. */
  failingSince: instant("failing_since"),
});

/**
 * API keys, revoked ones too: what the API's authenticator looks a key up by (its id, unique
 * across tenants: ids are fresh), and what a tenant's admins list. `hash` is the SHA-256 of the
 * key's secret part; the key itself is never stored.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    name: text("name").notNull(),
    role: text("role").$type<Role>().notNull(),
    hash: text("hash").notNull(),
    expiresAt: instant("expires_at"),
    createdAt: instant("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    revokedAt: instant("revoked_at"),
    revokedBy: text("revoked_by"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), uniqueIndex("api_keys_id_idx").on(t.id)],
);

/**
 * A tenant's secrets by name, deleted ones removed. Deliberately without their values: the sealed
 * value stays in the event store, for the workers that hold the keyring; the read side never has it.
 */
export const secrets = pgTable(
  "secrets",
  {
    tenantId: text("tenant_id").notNull(),
    /** The secret's name: its aggregate id. */
    name: text("name").notNull(),
    /** Count of its events since it was last created. */
    version: integer("version").notNull(),
    updatedAt: instant("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

/** A tenant's settings as set (the tenant aggregate, whose id is the tenant's): null parts are the platform's defaults. */
export const tenantSettings = pgTable("tenant_settings", {
  tenantId: text("tenant_id").primaryKey(),
  /** tenant.targets-set: the target allow-list. */
  allow: jsonb("allow").$type<string[]>(),
  /** tenant.limits-set: the limits, the whole set as the platform admin set them. */
  limits: jsonb("limits").$type<TenantLimits>(),
  /** Count of the tenant aggregate's events. */
  version: integer("version").notNull(),
  updatedAt: instant("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * One row per event of a tenant (not of the platform's own, `_`-tenants): who (the credential)
 * did what to which aggregate, when. Keyed by the event's stream sequence, written with
 * `on conflict do nothing`, so a replay or a rebuild writes the same rows. Never the event's data.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    tenantId: text("tenant_id").notNull(),
    /** The event's sequence in the event stream. */
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    aggregateType: text("aggregate_type").$type<AggregateType>().notNull(),
    aggregateId: text("aggregate_id").notNull(),
    actor: text("actor").notNull(),
    time: instant("time").notNull(),
    correlationId: text("correlation_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    index("audit_log_time_idx").on(t.tenantId, t.time),
    index("audit_log_actor_idx").on(t.tenantId, t.actor, t.seq),
  ],
);

export type LoadTestRow = typeof loadTests.$inferSelect;
/** A run as the projection folds it; `seq` is set when the batch is written. */
export type RunRow = Omit<typeof runs.$inferSelect, "seq">;
export type MetricWindowRow = typeof metricWindows.$inferSelect;
/** A rollup as it is merged; `seq` is set when the batch is written. */
export type MetricRollupRow = Omit<typeof metricRollups.$inferSelect, "seq">;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SecretRow = typeof secrets.$inferSelect;
export type TenantSettingsRow = typeof tenantSettings.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Messages a projection could not apply (bad envelope, unknown type or version, what Postgres
 * cannot store, a data error of the database's): kept with the reason, and passed.
 */
export const projectionDeadLetters = pgTable(
  "projection_dead_letters",
  {
    projection: text("projection").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    subject: text("subject").notNull(),
    reason: text("reason").notNull(),
    payload: text("payload").notNull(),
    createdAt: instant("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projection, t.seq] })],
);

/**
 * Schedules of runs (deleted ones removed): the definition as its last event left it, and what
 * it last did. Its next fire times are not stored: they are worked out from cron and timezone
 * when read.
 */
export const schedules = pgTable(
  "schedules",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    loadTestId: text("load_test_id").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    /** run.start's overrides, as each fire sends them. */
    overrides: jsonb("overrides").$type<ScheduleRunOverrides>().notNull(),
    placement: jsonb("placement").$type<Placement>(),
    enabled: boolean("enabled").notNull(),
    missedFire: text("missed_fire").$type<MissedFirePolicy>().notNull(),
    overlap: text("overlap").$type<OverlapPolicy>().notNull(),
    /** Its last fire: when, the instant that run was due at, the run. */
    lastFiredAt: instant("last_fired_at"),
    lastDueAt: instant("last_due_at"),
    lastRunId: text("last_run_id"),
    lastSkipped: jsonb("last_skipped").$type<{ dueAt: string; reason: "missed" | "overlap"; missed: number; at: string }>(),
    queuedDueAt: instant("queued_due_at"),
    /** Why its last fired run could not start; null when it started. */
    lastError: text("last_error"),
    /** Count of its events. */
    version: integer("version").notNull(),
    createdAt: instant("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: instant("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("schedules_load_test_idx").on(t.tenantId, t.loadTestId),
    index("schedules_created_idx").on(t.tenantId, t.createdAt),
  ],
);

export type ScheduleRow = typeof schedules.$inferSelect;

/**
 * Control agents as LL_AGENT tells them (migration 0020): the registration (null parts until one
 * is seen: LL_AGENT keeps a day, so an agent running longer is known by its telemetry alone), its
 * labels, and its latest telemetry. State (active, lost) is worked out from last_seen_at when read.
 */
export const agents = pgTable(
  "agents",
  {
    tenantId: text("tenant_id").notNull(),
    agentId: text("agent_id").notNull(),
    host: text("host"),
    version: text("version"),
    /** The latest labels: the registration's, or a later telemetry's. */
    labels: jsonb("labels").$type<Record<string, string>>().notNull(),
    /** The actions its config file allows, as registered (never their commands). */
    actions: jsonb("actions").$type<ActionSummary[]>(),
    sources: jsonb("sources").$type<string[]>(),
    registeredAt: instant("registered_at"),
    /** The agent's own clock (the registration's or the telemetry's `at`), so a replay does not make it look alive. */
    lastSeenAt: instant("last_seen_at").notNull(),
    lastTelemetry: jsonb("last_telemetry").$type<AgentTelemetry>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agentId] })],
);

/** Every action asked of an agent (LL_EVENTS agent.action-*), with its outcome: kept. */
export const agentActions = pgTable(
  "agent_actions",
  {
    tenantId: text("tenant_id").notNull(),
    agentId: text("agent_id").notNull(),
    actionId: text("action_id").primaryKey(),
    action: text("action").notNull(),
    params: jsonb("params").$type<ActionParams>().notNull(),
    requestedBy: text("requested_by").notNull(),
    /** The run whose timeline fired it; null when an operator asked. */
    runId: text("run_id"),
    status: text("status").$type<ActionStatus>().notNull(),
    requestedAt: instant("requested_at").notNull(),
    startedAt: instant("started_at"),
    endedAt: instant("ended_at"),
    exitCode: integer("exit_code"),
    output: text("output"),
    truncated: boolean("truncated"),
    reason: text("reason"),
    durationMs: doublePrecision("duration_ms"),
  },
  (t) => [
    index("agent_actions_agent_idx").on(t.tenantId, t.agentId, t.requestedAt),
    index("agent_actions_run_idx").on(t.tenantId, t.runId, t.requestedAt),
  ],
);

/** The SUT selector of a run whose target names one (run.created target.sut): what the agent projection matches agents with. */
export const runSuts = pgTable(
  "run_suts",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    labels: jsonb("labels").$type<Record<string, string>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.runId] })],
);

/**
 * A SUT agent's telemetry during a run, one row per second of the run (seconds since its
 * startedAt), flattened into named series (sut-series.ts). Kept with the run, unlike LL_AGENT.
 */
export const runSutSeconds = pgTable(
  "run_sut_seconds",
  {
    tenantId: text("tenant_id").notNull(),
    runId: text("run_id").notNull(),
    agentId: text("agent_id").notNull(),
    second: integer("second").notNull(),
    values: jsonb("values").$type<Record<string, number>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.agentId, t.second] })],
);

export type AgentRow = typeof agents.$inferSelect;
export type AgentActionRow = typeof agentActions.$inferSelect;
export type RunSutRow = typeof runSuts.$inferSelect;
export type RunSutSecondRow = typeof runSutSeconds.$inferSelect;

/** A tenant's webhook subscriptions (webhook.* events; deleted ones removed): the signing secret only sealed. */
export const webhooks = pgTable(
  "webhooks",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    filters: jsonb("filters").$type<WebhookFilters>().notNull(),
    format: text("format").$type<WebhookFormat>().notNull(),
    enabled: boolean("enabled").notNull(),
    description: text("description"),
    sealedSecret: text("sealed_secret").notNull(),
    secretSetAt: instant("secret_set_at").notNull(),
    version: integer("version").notNull(),
    createdAt: instant("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: instant("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("webhooks_created_idx").on(t.tenantId, t.createdAt)],
);

/** The dispatcher's work, not a projection (never rebuilt): one delivery per event and matching subscription. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** Also the idempotency key the receiver sees (Loadline-Webhook-Id), the same at every attempt. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    webhookId: text("webhook_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The body as sent, made when the event was matched: every attempt sends the same bytes. */
    body: text("body").notNull(),
    state: text("state").$type<"pending" | "delivered" | "failed">().notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Attempts made before the last redelivery: the backoff and the limit count from there. */
    attemptsBeforeRedeliver: integer("attempts_before_redeliver").notNull().default(0),
    nextAttemptAt: instant("next_attempt_at"),
    lastAttemptAt: instant("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: instant("delivered_at"),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_idx").on(t.tenantId, t.webhookId, t.eventId),
    index("webhook_deliveries_log_idx").on(t.tenantId, t.webhookId, t.createdAt),
  ],
);

/** Each attempt at a delivery: the delivery log's detail. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    deliveryId: text("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: instant("at").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: doublePrecision("duration_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookDeliveryAttemptRow = typeof webhookDeliveryAttempts.$inferSelect;
