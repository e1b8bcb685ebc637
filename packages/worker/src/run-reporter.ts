import { type CommandData, type CommandEnvelope, type CommandInit, createCommand, type PhaseRequest } from "@loadline/core";
import type { CommandBus } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { RunTotals } from "./windows.ts";

/** How a run tells the orchestrator that this worker is ready to start, and that it stopped. */
export interface RunReporter {
  ready(): Promise<void>;
  /** `teardown`: the teardown's requests, when this worker ran it after its load. */
  stopped(totals: RunTotals, teardown?: PhaseRequest[]): Promise<void>;
  /** The run cannot be run here (its plan does not compile): the run fails. */
  failed(reason: string): Promise<void>;
}

type ReportCommand = "run.report-worker-ready" | "run.report-worker-stopped" | "run.report-worker-failed" | "run.report-setup";

/** Reports through the COMMANDS stream; a retry re-sends the same command id, so it is deduplicated. */
export class CommandRunReporter implements RunReporter {
  constructor(
    private readonly bus: CommandBus,
    private readonly run: { tenantId: string; runId: string; workerId: string },
    private readonly log: Logger,
  ) {}

  ready(): Promise<void> {
    return this.dispatch("run.report-worker-ready", { workerId: this.run.workerId });
  }

  stopped(totals: RunTotals, teardown?: PhaseRequest[]): Promise<void> {
    return this.dispatch("run.report-worker-stopped", {
      workerId: this.run.workerId,
      requests: totals.requests,
      failures: totals.failures,
      ...(teardown ? { teardown } : {}),
    });
  }

  /** The setup ran: what it extracted (`sealed`: each value sealed with the secrets keyring) and its requests. */
  setUp(sealed: Record<string, string>, requests: PhaseRequest[]): Promise<void> {
    return this.dispatch("run.report-setup", { workerId: this.run.workerId, values: sealed, requests });
  }

  failed(reason: string): Promise<void> {
    return this.dispatch("run.report-worker-failed", { workerId: this.run.workerId, reason: reason.slice(0, 2_000) });
  }

  /** One command about this run, from this worker; created once, so every retry carries the same id. */
  private dispatch<T extends ReportCommand>(type: T, data: CommandData<T>): Promise<void> {
    const command = createCommand({
      type,
      tenantId: this.run.tenantId,
      aggregate: { type: "run", id: this.run.runId },
      data,
      actor: `worker:${this.run.workerId}`,
    } as CommandInit<T>) as CommandEnvelope;
    return this.send(command);
  }

  private send(command: CommandEnvelope): Promise<void> {
    return this.bus.dispatchRetrying(command, (err, attempt) =>
      this.log.warn({ err, type: command.type, attempt }, "command dispatch failed: retrying"),
    );
  }
}
