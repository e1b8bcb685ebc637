import { z } from "zod";
import { labelsSchema } from "./scope.ts";

/**
 * The control agent beside the system under test (SUT). Two kinds of message:
 * - on LL_AGENT (`<ns>.agt.<tenant>.<agentId>.<kind>`, short retention): the agent's own
 *   `agent.registered` and its `agent.telemetry` every second, published by the agent;
 * - on LL_EVENTS (`<ns>.evt.<tenant>.agent.<agentId>`, kept): what was asked of it and what
 *   came of it, `agent.action-*`, decided by the orchestrator from the API's request and the
 *   agent's reports, as a run's events are from the workers'.
 */

/** An action's name, and a parameter's: what the API's path and the agent's config file use. */
export const actionNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "lower-case letters, digits and -, starting with a letter");

/** How one parameter of an action is typed: the agent checks every request against it. */
export const actionParamSpecSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("string"), pattern: z.string().optional(), maxLength: z.number().int().positive().max(4096).optional() }),
  z.object({ type: z.literal("number"), min: z.number().optional(), max: z.number().optional(), integer: z.boolean().optional() }),
  z.object({ type: z.literal("boolean") }),
  z.object({ type: z.literal("enum"), values: z.array(z.string()).min(1) }),
]);
export type ActionParamSpec = z.infer<typeof actionParamSpecSchema>;

/** What an agent tells about one of its actions (never the command it runs: that stays on the SUT host). */
export const actionSummarySchema = z.object({
  name: actionNameSchema,
  description: z.string().max(500).optional(),
  params: z.record(z.string(), actionParamSpecSchema.and(z.object({ required: z.boolean().optional() }))).default({}),
  timeoutSec: z.number().positive().max(3600),
});
export type ActionSummary = z.infer<typeof actionSummarySchema>;

/** Parameter values as sent: strings, numbers and booleans only. */
export const actionParamsSchema = z.record(z.string(), z.union([z.string().max(4096), z.number(), z.boolean()]));
export type ActionParams = z.infer<typeof actionParamsSchema>;

const percent = z.number().min(0).max(100);
const bytes = z.number().nonnegative();
const perSec = z.number().nonnegative();

/** Host figures from /proc over the last interval: CPU in % of all cores together (0..100). */
export const hostTelemetrySchema = z.object({
  cpu: z.object({
    cores: z.number().int().positive(),
    user: percent,
    nice: percent,
    system: percent,
    idle: percent,
    iowait: percent,
    irq: percent,
    softirq: percent,
    steal: percent,
    /** 100 less idle and iowait. */
    busy: percent,
  }),
  memory: z.object({ totalBytes: bytes, availableBytes: bytes, usedBytes: bytes, swapUsedBytes: bytes }),
  load: z.object({ one: z.number().nonnegative(), five: z.number().nonnegative(), fifteen: z.number().nonnegative() }),
  network: z.object({ rxBytesPerSec: perSec, txBytesPerSec: perSec, rxPacketsPerSec: perSec, txPacketsPerSec: perSec }),
  disk: z.object({ readBytesPerSec: perSec, writeBytesPerSec: perSec, readsPerSec: perSec, writesPerSec: perSec }),
});

/** One watched process (all the pids it matched): CPU in % of one core (200 = two cores busy). */
export const processTelemetrySchema = z.object({
  name: z.string().min(1),
  pids: z.array(z.number().int().positive()),
  cpuPercent: z.number().nonnegative(),
  rssBytes: bytes,
  threads: z.number().int().nonnegative(),
  openFiles: z.number().int().nonnegative(),
});

export const nginxTelemetrySchema = z.object({
  active: z.number().int().nonnegative(),
  reading: z.number().int().nonnegative(),
  writing: z.number().int().nonnegative(),
  waiting: z.number().int().nonnegative(),
  acceptsPerSec: perSec,
  requestsPerSec: perSec,
});

/** A cgroup v2 directory (a container): CPU in % of one core, memory, and the share of periods throttled. */
export const cgroupTelemetrySchema = z.object({
  cpuPercent: z.number().nonnegative(),
  memoryBytes: bytes,
  memoryMaxBytes: bytes.optional(),
  throttledPercent: percent,
});

export const agentEvents = {
  /** The agent started (LL_AGENT): who it is, its labels, and the actions its config file allows. */
  "agent.registered": z.object({
    host: z.string(),
    version: z.string(),
    labels: labelsSchema,
    startedAt: z.string(),
    actions: z.array(actionSummarySchema),
    sources: z.array(z.string()).describe("the optional sources configured: prometheus, nginx, cgroup"),
  }),
  /**
   * One interval's figures (LL_AGENT, every second): `at` is the end of the interval. A source
   * that could not be read this interval is absent, and named in `errors`.
   */
  "agent.telemetry": z.object({
    at: z.string(),
    intervalMs: z.number().positive(),
    labels: labelsSchema,
    host: hostTelemetrySchema,
    processes: z.array(processTelemetrySchema).default([]),
    prometheus: z.record(z.string(), z.number()).optional().describe("the selected series of the SUT's Prometheus endpoint, by series"),
    nginx: nginxTelemetrySchema.optional(),
    cgroup: cgroupTelemetrySchema.optional(),
    errors: z.array(z.string()).optional(),
  }),
  /** An operator (or a run's timeline) asked the agent for one of its actions; the agent hears it at once. */
  "agent.action-requested": z.object({
    actionId: z.string().min(1),
    action: actionNameSchema,
    params: actionParamsSchema,
    requestedBy: z.string(),
    runId: z.string().min(1).optional().describe("the run whose timeline fired it"),
    timeoutSec: z.number().positive().optional().describe("how long it may take, as the agent registered it"),
  }),
  /** The agent checked the request against its allow-list and started the command. */
  "agent.action-started": z.object({ actionId: z.string().min(1) }),
  /** The command exited 0. `output` is its stdout and stderr, at most 64 KiB (`truncated` when cut). */
  "agent.action-completed": z.object({
    actionId: z.string().min(1),
    exitCode: z.literal(0),
    output: z.string(),
    truncated: z.boolean(),
    durationMs: z.number().nonnegative(),
  }),
  /**
   * Refused by the agent (not in its allow-list, a parameter of the wrong type), the command
   * exited non-zero or timed out, or no outcome came (the agent was gone or killed mid-action).
   */
  "agent.action-failed": z.object({
    actionId: z.string().min(1),
    reason: z.string().min(1).max(2_000),
    exitCode: z.number().int().optional(),
    output: z.string().optional(),
    truncated: z.boolean().optional(),
    durationMs: z.number().nonnegative().optional(),
  }),
} as const;

const outcome = agentEvents["agent.action-completed"];
const failure = agentEvents["agent.action-failed"];

export const agentCommands = {
  /** What the API sends (POST /v1/agents/{id}/actions/{name}) and a run's timeline: the command's id becomes the action's. */
  "agent.request-action": z.object({
    action: actionNameSchema,
    params: actionParamsSchema.default({}),
    runId: z.string().min(1).optional(),
    timeoutSec: z.number().positive().max(3600).optional(),
  }),
  /** The agent's reports, on `<ns>.cmd.<tenant>.agent.<agentId>.<agentId>`. */
  "agent.report-action-started": z.object({ actionId: z.string().min(1) }),
  "agent.report-action-completed": outcome,
  "agent.report-action-failed": failure,
  /** The orchestrator's own: no outcome came in time. */
  "agent.expire-action": z.object({ actionId: z.string().min(1), reason: z.string().min(1) }),
} as const;

export type AgentTelemetry = z.infer<(typeof agentEvents)["agent.telemetry"]>;
export type AgentRegistration = z.infer<(typeof agentEvents)["agent.registered"]>;
