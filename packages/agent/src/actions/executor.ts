import type { CommandData, EventOf } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { ActionConfig } from "../config/schema.ts";
import { buildArgv } from "./argv.ts";
import { paramsRefusal } from "./params.ts";
import type { ActionReporter } from "./reporter.ts";
import { type CommandResult, type RunningCommand, runCommand } from "./run-command.ts";

export type ActionOutcome = "completed" | "failed" | "timed_out" | "refused";

export type ExecutorOptions = {
  actions: readonly ActionConfig[];
  reporter: ActionReporter;
  log: Logger;
  onOutcome?: (outcome: ActionOutcome) => void;
  killGraceMs?: number;
};

/** How many action ids are remembered to run each once: far more than can be asked within the orchestrator's retries. */
const REMEMBERED_IDS = 10_000;

/**
 * Runs what is asked of the agent, only if its config allows it: the action by name, its
 * parameters checked against their specs, its command as configured (argv, no shell).
 */
export class ActionExecutor {
  private readonly byName: ReadonlyMap<string, ActionConfig>;
  private readonly seen = new Set<string>();
  private readonly running = new Map<string, RunningCommand>();
  private readonly tasks = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly opts: ExecutorOptions) {
    this.byName = new Map(opts.actions.map((a) => [a.name, a]));
  }

  /** Takes one request; returns at once (the action runs on). The same actionId twice runs once. */
  handle(request: EventOf<"agent.action-requested">): void {
    const { actionId } = request.data;
    if (this.seen.has(actionId)) return;
    this.seen.add(actionId);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value as string);
    const task = this.execute(request).catch((err: unknown) =>
      this.opts.log.error({ err, actionId }, "action report could not be sent: the orchestrator's deadline will fail it"),
    );
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Refuses new requests, stops what runs (each reported failed: "the agent stopped") and waits for the reports. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const run of this.running.values()) run.stop();
    await Promise.allSettled([...this.tasks]);
  }

  get runningCount(): number {
    return this.running.size;
  }

  private async execute(request: EventOf<"agent.action-requested">): Promise<void> {
    const { reporter, log } = this.opts;
    const { actionId, action: name, params } = request.data;
    const correlationId = request.correlationId;
    const refuse = (reason: string) => {
      log.warn({ actionId, action: name, reason }, "action refused");
      this.opts.onOutcome?.("refused");
      return reporter.failed({ actionId, reason }, correlationId);
    };
    if (this.stopping) return refuse("the agent is stopping");
    const action = this.byName.get(name);
    if (!action) return refuse(`action ${name} is not in this agent's allow-list`);
    const why = paramsRefusal(action.params, params);
    if (why) return refuse(why);

    const argv = buildArgv(action.command, params);
    log.info({ actionId, action: name, requestedBy: request.data.requestedBy, runId: request.data.runId }, "action started");
    const run = runCommand(argv, {
      timeoutMs: action.timeoutSec * 1000,
      maxOutputBytes: action.maxOutputBytes,
      ...(this.opts.killGraceMs !== undefined ? { killGraceMs: this.opts.killGraceMs } : {}),
    });
    this.running.set(actionId, run);
    // Reported while it runs; the outcome is sent after it, so that they arrive in order.
    const started = reporter.started(actionId, correlationId);
    let result: CommandResult;
    try {
      result = await run.result;
    } finally {
      this.running.delete(actionId);
    }
    await started.catch((err: unknown) => log.warn({ err, actionId }, "action started report failed"));
    const report = outcomeOf(actionId, action, argv[0]!, result);
    log[report.outcome === "completed" ? "info" : "warn"](
      {
        actionId,
        action: name,
        outcome: report.outcome,
        durationMs: result.durationMs,
        ...("reason" in report.data ? { reason: report.data.reason } : {}),
      },
      "action ended",
    );
    this.opts.onOutcome?.(report.outcome);
    if (report.outcome === "completed") await reporter.completed(report.data, correlationId);
    else await reporter.failed(report.data, correlationId);
  }
}

type Report =
  | { outcome: "completed"; data: CommandData<"agent.report-action-completed"> }
  | { outcome: "failed" | "timed_out"; data: CommandData<"agent.report-action-failed"> };

/** What a command's end is reported as. */
export function outcomeOf(actionId: string, action: ActionConfig, program: string, r: CommandResult): Report {
  if (r.kind === "not-started") {
    return { outcome: "failed", data: { actionId, reason: `could not start ${program}: ${r.error}`, durationMs: r.durationMs } };
  }
  const captured = { output: r.output, truncated: r.truncated, durationMs: r.durationMs };
  switch (r.kind) {
    case "exited":
      return r.exitCode === 0
        ? { outcome: "completed", data: { actionId, exitCode: 0, ...captured } }
        : { outcome: "failed", data: { actionId, reason: `exited with code ${r.exitCode}`, exitCode: r.exitCode, ...captured } };
    case "signalled":
      return { outcome: "failed", data: { actionId, reason: `killed by ${r.signal}`, ...captured } };
    case "timed-out":
      return { outcome: "timed_out", data: { actionId, reason: `timed out after ${action.timeoutSec}s`, ...captured } };
    case "stopped":
      return { outcome: "failed", data: { actionId, reason: "the agent stopped", ...captured } };
  }
}
