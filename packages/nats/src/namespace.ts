/**
 * A namespace names one installation's streams, subjects and buckets, so that several
 * installations (or test runs) can share one NATS server without seeing each other.
 * The default namespace "ll" gives the documented names: LL_EVENTS, ll.evt.>, ...
 */
export type Namespace = {
  readonly prefix: string;
  readonly streams: {
    readonly commands: string;
    readonly events: string;
    readonly metrics: string;
    readonly agent: string;
  };
  readonly buckets: { readonly workers: string; readonly leases: string };
};

const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

export function namespace(prefix = "ll"): Namespace {
  if (!NAMESPACE_PATTERN.test(prefix)) {
    throw new Error(`namespace "${prefix}" must match ${NAMESPACE_PATTERN}`);
  }
  const upper = prefix.toUpperCase();
  return {
    prefix,
    streams: {
      commands: `${upper}_COMMANDS`,
      events: `${upper}_EVENTS`,
      metrics: `${upper}_METRICS`,
      agent: `${upper}_AGENT`,
    },
    buckets: { workers: `${upper}_WORKERS`, leases: `${upper}_LEASES` },
  };
}

/** NATS subject tokens may not hold dots, spaces or wildcards. */
export function assertToken(value: string, what: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error(`${what} "${value}" is not a valid subject token`);
  return value;
}

export const subjects = {
  command: (ns: Namespace, tenantId: string, aggregateType: string, id: string) =>
    `${ns.prefix}.cmd.${assertToken(tenantId, "tenant")}.${aggregateType}.${assertToken(id, "id")}`,
  /**
   * A worker's report on a run it holds: one token longer than a command, so that NATS
   * permissions can let workers publish reports (`ll.cmd.*.run.*.*`) and nothing else, and the
   * API commands (`ll.cmd.*.*.*`) and no reports. The orchestrator admits each only on its own.
   */
  report: (ns: Namespace, tenantId: string, runId: string, workerId: string) =>
    `${ns.prefix}.cmd.${assertToken(tenantId, "tenant")}.run.${assertToken(runId, "run id")}.${assertToken(workerId, "worker id")}`,
  allCommands: (ns: Namespace) => `${ns.prefix}.cmd.>`,
  /** Where the orchestrator answers a command: core NATS, not stored. */
  commandOutcome: (ns: Namespace, commandId: string) => `${ns.prefix}.out.${commandId}`,
  event: (ns: Namespace, tenantId: string, aggregateType: string, id: string) =>
    `${ns.prefix}.evt.${assertToken(tenantId, "tenant")}.${aggregateType}.${assertToken(id, "id")}`,
  allEvents: (ns: Namespace) => `${ns.prefix}.evt.>`,
  eventsOfType: (ns: Namespace, aggregateType: string) => `${ns.prefix}.evt.*.${aggregateType}.*`,
  metrics: (ns: Namespace, tenantId: string, runId: string, workerId: string) =>
    `${ns.prefix}.met.${assertToken(tenantId, "tenant")}.${assertToken(runId, "run id")}.${assertToken(workerId, "worker id")}`,
  allMetrics: (ns: Namespace) => `${ns.prefix}.met.>`,
  /**
   * Run events that stop work (a stop, a failure, a worker declared lost), also sent on core NATS
   * once stored: a worker hears them at once even while its stream consumer recovers from a
   * broker failover. The stored event stays the truth; these are only a faster echo.
   */
  runControl: (ns: Namespace, tenantId: string, runId: string) =>
    `${ns.prefix}.ctl.${assertToken(tenantId, "tenant")}.${assertToken(runId, "run id")}`,
  allRunControl: (ns: Namespace) => `${ns.prefix}.ctl.*.*`,
  /** Worker heartbeats: core NATS, not stored, so that liveness does not wait on a stream's leader election. */
  heartbeat: (ns: Namespace, workerId: string) => `${ns.prefix}.hb.${assertToken(workerId, "worker id")}`,
  allHeartbeats: (ns: Namespace) => `${ns.prefix}.hb.*`,
  /** An agent's registration and telemetry on LL_AGENT; `kind` is `registered` or `telemetry` (or `*`). */
  agent: (ns: Namespace, tenantId: string, agentId: string, kind: string) =>
    `${ns.prefix}.agt.${assertToken(tenantId, "tenant")}.${assertToken(agentId, "agent id")}.${kind}`,
  allAgent: (ns: Namespace) => `${ns.prefix}.agt.>`,
  /** Every agent's telemetry of one tenant. */
  tenantTelemetry: (ns: Namespace, tenantId: string) => `${ns.prefix}.agt.${assertToken(tenantId, "tenant")}.*.telemetry`,
  /** An agent's report on an action asked of it: like a worker's, one token longer than a command, naming the sender. */
  agentReport: (ns: Namespace, tenantId: string, agentId: string) =>
    `${ns.prefix}.cmd.${assertToken(tenantId, "tenant")}.agent.${assertToken(agentId, "agent id")}.${assertToken(agentId, "agent id")}`,
  /** The orchestrator's echo of an `agent.action-requested` once stored (core NATS): what the agent acts on. */
  agentControl: (ns: Namespace, tenantId: string, agentId: string) =>
    `${ns.prefix}.actl.${assertToken(tenantId, "tenant")}.${assertToken(agentId, "agent id")}`,
  allAgentControl: (ns: Namespace) => `${ns.prefix}.actl.*.*`,
};
