import type { CommandEnvelope, CommandType } from "../envelope.ts";

/**
 * Who may send which command over the bus. The API sends what users ask for; a worker sends
 * its reports on a run it holds; every other command (run.create, run.assign, ...) is the
 * orchestrator's own, decided in-process and never taken from the bus: a command published
 * around the API cannot skip its checks (allow-list, quotas) by naming an internal step.
 */
export const API_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  "load-test.create",
  "load-test.update",
  "load-test.delete",
  "load-test.set-baseline",
  "run.start",
  "run.stop",
  "run.pause",
  "run.resume",
  "run.scale",
  "api-key.create",
  "api-key.revoke",
  "tenant.set-targets",
  "tenant.set-limits",
  "secret.set",
  "secret.delete",
  "schedule.create",
  "schedule.update",
  "schedule.delete",
  "agent.request-action",
  "webhook.create",
  "webhook.update",
  "webhook.delete",
]);

export const WORKER_REPORTS: ReadonlySet<CommandType> = new Set<CommandType>([
  "run.report-worker-ready",
  "run.report-worker-stopped",
  "run.report-worker-failed",
  "run.report-setup",
]);

export type WorkerReport = Extract<
  CommandEnvelope,
  { type: "run.report-worker-ready" | "run.report-worker-stopped" | "run.report-worker-failed" | "run.report-setup" }
>;

export const isWorkerReport = (command: CommandEnvelope): command is WorkerReport => WORKER_REPORTS.has(command.type);

/** A control agent's reports on the actions asked of it, sent on its own subject (subjects.agentReport). */
export const AGENT_REPORTS: ReadonlySet<CommandType> = new Set<CommandType>([
  "agent.report-action-started",
  "agent.report-action-completed",
  "agent.report-action-failed",
]);

export const isAgentReport = (command: CommandEnvelope): boolean => AGENT_REPORTS.has(command.type);
