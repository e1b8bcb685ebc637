import {
  type AggregateView,
  type ApiKeyView,
  type AuditEntryView,
  type DistributionView,
  generatorViewSchema,
  LOAD_TEST_STATUS,
  type LoadTestView,
  latencySummarySchema,
  phaseRequestSchema,
  RUN_STATUSES,
  type RunView,
  reportEndpointSchema,
  roleSchema,
  type ScheduleView,
  type SecretView,
  type TenantSettingsView,
  VERDICTS,
  type WebhookView,
} from "@loadline/core";
import type { AgentView, DeliveryView, ProjectionStatus } from "@loadline/projections";
import { z } from "zod";

/**
 * The answers' schemas. The views are TypeScript types (core/src/views.ts), not zod: these name
 * the fields a client relies on, each as the view types it, and leave the rest open
 * (looseObject); `describes<View>()` makes tsc fail when a view no longer fits its schema.
 */
const describes =
  <View>() =>
  <S extends z.ZodType>(schema: S & ([View] extends [z.output<S>] ? unknown : { viewDoesNotFit: View })): S =>
    schema;

/** A request name's figures, as the aggregate and the report show them (core's report schema). */
export const endpointSchema = reportEndpointSchema.meta({ id: "Endpoint" });

const instant = z.string().meta({ description: "ISO-8601, UTC" });
const id = z.string();

export const loadTestSchema = describes<LoadTestView>()(
  z
    .looseObject({
      id,
      tenantId: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      tags: z.array(z.string()),
      targetUrl: z.string(),
      defaultUsers: z.number().nullable(),
      defaultSpawnRate: z.number().nullable(),
      defaultDurationSec: z.number().nullable(),
      envId: z.string().nullable(),
      status: z.literal(LOAD_TEST_STATUS),
      baselineRunId: z.string().nullable(),
      version: z.number().int().meta({ description: "Count of its events: its ETag, what If-Match names." }),
      createdAt: instant,
      createdBy: z.string(),
      updatedAt: instant,
      updatedBy: z.string(),
    })
    .meta({ id: "LoadTest", description: "A load test (LoadTestView): its spec as written, and its version." }),
);

const runPhaseRecord = z.object({ workerId: z.string(), at: instant, requests: z.array(phaseRequestSchema) });

export const runSchema = describes<RunView>()(
  z
    .looseObject({
      id,
      tenantId: z.string(),
      loadTestId: z.string(),
      status: z.enum(RUN_STATUSES),
      targetUsers: z.number(),
      spawnRate: z.number(),
      durationSec: z.number(),
      name: z.string().nullable(),
      envId: z.string().nullable(),
      env: z
        .record(z.string(), z.string())
        .nullable()
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the env placeholders' syntax, not a template literal
        .describe("what the test's env placeholders (${NAME}) were filled with, as the run's start gave them: never secrets"),
      reason: z.string().nullable(),
      coverage: z.number().nullable(),
      degraded: z.boolean().nullable(),
      verdict: z.enum([...VERDICTS, "pending"]),
      createdAt: instant,
      startedAt: instant.nullable(),
      finishedAt: instant.nullable(),
      version: z.number().int(),
      phases: z
        .object({ setup: runPhaseRecord.optional(), teardown: runPhaseRecord.optional() })
        .describe("its setup's and teardown's requests, reported apart from the load's metrics; the setup's values are never shown"),
      requestTags: z
        .record(z.string(), z.record(z.string(), z.string()))
        .describe(
          "the tags of its request names (its steps' tags), by name: what its endpoint rows show and {tag:NAME=VALUE} thresholds select",
        ),
    })
    .meta({ id: "Run", description: "A run (RunView): its status, parameters, workers, gaps, verdict and last second's metrics." }),
);

export const aggregateSchema = describes<AggregateView>()(
  z
    .looseObject({
      runId: z.string(),
      from: instant.nullable(),
      to: instant.nullable(),
      seconds: z.number(),
      requests: z.number().int(),
      failures: z.number().int(),
      errorRate: z.number(),
      rps: z.number(),
      latency: latencySummarySchema,
      serviceTime: latencySummarySchema.nullable(),
      iterations: z.number().int(),
      endpoints: z.array(endpointSchema),
      generator: generatorViewSchema.optional(),
    })
    .meta({
      id: "Aggregate",
      description: "Totals and exact percentiles (ms) of a run or the part asked for, overall and per request name.",
    }),
);

export const distributionSchema = describes<DistributionView>()(
  z
    .looseObject({
      runId: z.string(),
      requests: z.number().int(),
      percentiles: z.array(z.object({ percentile: z.number(), latencyMs: z.number() })),
      points: z.array(z.looseObject({ time: instant, requests: z.number(), p50: z.number(), p99: z.number() })),
    })
    .meta({ id: "Distribution", description: "The percentile → latency curve of a range, and each second's p50 and p99." }),
);

export const scheduleSchema = describes<ScheduleView>()(
  z
    .looseObject({
      id,
      loadTestId: z.string(),
      cron: z.string(),
      timezone: z.string(),
      enabled: z.boolean(),
      nextFireTimes: z.array(instant),
      lastRunId: z.string().nullable(),
      version: z.number().int(),
    })
    .meta({ id: "Schedule", description: "A schedule of runs of a load test, with its next fire times." }),
);

export const apiKeySchema = describes<ApiKeyView>()(
  z
    .looseObject({
      id,
      tenantId: z.string(),
      name: z.string(),
      role: roleSchema,
      expiresAt: instant.nullable(),
      createdAt: instant,
      revokedAt: instant.nullable(),
    })
    .meta({ id: "ApiKey", description: "An API key as its tenant's admins see it: never its secret." }),
);

export const newApiKeySchema = apiKeySchema.extend({ key: z.string().meta({ description: "The key itself: shown this once." }) });

export const secretSchema = describes<SecretView>()(
  z
    .looseObject({ name: z.string(), version: z.number().int(), updatedAt: instant, updatedBy: z.string() })
    .meta({ id: "Secret", description: "A secret, by name: never its value." }),
);

export const tenantSettingsSchema = describes<TenantSettingsView>()(
  z
    .looseObject({ tenantId: z.string(), allow: z.array(z.string()).nullable(), version: z.number().int() })
    .meta({ id: "TenantSettings", description: "A tenant's settings as set: a null part is the platform's default." }),
);

const auditEntrySchema = describes<AuditEntryView>()(
  z.looseObject({
    seq: z.number().int(),
    eventId: z.string(),
    type: z.string(),
    aggregateId: z.string(),
    actor: z.string(),
    time: instant,
  }),
);
export const auditPageSchema = z.looseObject({ items: z.array(auditEntrySchema), next: z.number().int().nullable() });

export const projectionStatusSchema = describes<ProjectionStatus>()(
  z
    .looseObject({
      name: z.string(),
      stream: z.string(),
      checkpoint: z.number().int(),
      lag: z.number().int().meta({ description: "Events of its stream not yet applied." }),
      deadLetters: z.number().int(),
      state: z.enum(["ok", "retrying"]),
    })
    .meta({ id: "ProjectionStatus" }),
);

export const agentSchema = describes<AgentView>()(
  z
    .looseObject({
      agentId: z.string(),
      host: z.string().nullable(),
      version: z.string().nullable(),
      labels: z.record(z.string(), z.string()),
      lastSeenAt: instant,
      state: z.enum(["active", "lost"]),
    })
    .meta({ id: "Agent", description: "A control agent on a host of the system under test." }),
);

export const webhookSchema = describes<WebhookView>()(
  z
    .looseObject({
      id,
      url: z.string(),
      events: z.array(z.string()),
      format: z.enum(["loadline", "slack"]),
      enabled: z.boolean(),
      secretSetAt: instant,
      version: z.number().int(),
    })
    .meta({ id: "Webhook", description: "A subscription of the tenant's: where its events are delivered. Never its secret." }),
);

export const newWebhookSecretSchema = webhookSchema.extend({
  secret: z.string().meta({ description: "The signing secret (`whsec_…`): shown this once, at creation or rotation." }),
});

export const deliverySchema = describes<DeliveryView>()(
  z
    .looseObject({
      id: z.string().meta({ description: "The delivery id: the Loadline-Webhook-Id header, the same on every attempt." }),
      eventId: z.string(),
      eventType: z.string(),
      state: z.enum(["pending", "delivered", "failed"]),
      attempts: z.number().int(),
      lastStatusCode: z.number().int().nullable(),
      lastError: z.string().nullable(),
      nextAttemptAt: instant.nullable(),
      deliveredAt: instant.nullable(),
      attemptLog: z.array(
        z.looseObject({
          attempt: z.number().int(),
          at: instant,
          statusCode: z.number().int().nullable(),
          error: z.string().nullable(),
          durationMs: z.number(),
        }),
      ),
    })
    .meta({ id: "WebhookDelivery", description: "One event's delivery to one subscription, with each attempt." }),
);

/** A list's page: its items, how many there are in all, and the page asked for. */
export const pageOf = <S extends z.ZodType>(item: S) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

/** Items without paging. */
export const itemsOf = <S extends z.ZodType>(item: S) => z.looseObject({ items: z.array(item) });

/** A write whose events were not projected within 5 s: done, not yet readable (`minSeq=seq` waits for it). */
export const acceptedSchema = z
  .object({ id: z.string(), commandId: z.string(), status: z.literal("accepted"), seq: z.number().int().optional() })
  .meta({ id: "Accepted", description: "The command was accepted; its outcome is not yet projected (or not yet known)." });

/** What this document has no narrower schema for: a JSON object. */
export const anObject = z.looseObject({});
