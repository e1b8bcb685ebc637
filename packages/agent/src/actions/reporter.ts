import { type CommandData, type CommandEnvelope, type CommandInit, createCommand } from "@loadline/core";
import type { CommandBus } from "@loadline/nats";
import type { Logger } from "@loadline/service";

type ReportCommand = "agent.report-action-started" | "agent.report-action-completed" | "agent.report-action-failed";

/** How the agent tells the orchestrator what came of an action: started, completed, failed. */
export interface ActionReporter {
  started(actionId: string, correlationId: string): Promise<void>;
  completed(data: CommandData<"agent.report-action-completed">, correlationId: string): Promise<void>;
  failed(data: CommandData<"agent.report-action-failed">, correlationId: string): Promise<void>;
}

/**
 * Reports through the COMMANDS stream, on the agent's own report subject (CommandBus picks it).
 * A retry re-sends the same command id, so one that did land is deduplicated.
 */
export class CommandActionReporter implements ActionReporter {
  constructor(
    private readonly bus: CommandBus,
    private readonly agent: { tenantId: string; agentId: string },
    private readonly log: Logger,
  ) {}

  started(actionId: string, correlationId: string): Promise<void> {
    return this.dispatch("agent.report-action-started", { actionId }, correlationId);
  }

  completed(data: CommandData<"agent.report-action-completed">, correlationId: string): Promise<void> {
    return this.dispatch("agent.report-action-completed", data, correlationId);
  }

  failed(data: CommandData<"agent.report-action-failed">, correlationId: string): Promise<void> {
    return this.dispatch("agent.report-action-failed", { ...data, reason: data.reason.slice(0, 2_000) }, correlationId);
  }

  /** Created once, so that every retry carries the same id; correlated with the request it answers. */
  private dispatch<T extends ReportCommand>(type: T, data: CommandData<T>, correlationId: string): Promise<void> {
    const command = createCommand({
      type,
      tenantId: this.agent.tenantId,
      aggregate: { type: "agent", id: this.agent.agentId },
      data,
      actor: `agent:${this.agent.agentId}`,
      correlationId,
    } as CommandInit<T>) as CommandEnvelope;
    return this.send(command);
  }

  private send(command: CommandEnvelope): Promise<void> {
    return this.bus.dispatchRetrying(command, (err, attempt) =>
      this.log.warn({ err, type: command.type, attempt }, "action report failed: retrying"),
    );
  }
}
