import { type CommandEnvelope, type DomainErrorCode, isAgentReport, isWorkerReport, sleep } from "@loadline/core";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { context } from "@opentelemetry/api";
import { type Namespace, subjects } from "./namespace.ts";
import { activeTracer, envelopeAttributes, inSpan, startPublish } from "./tracing.ts";

/**
 * What the orchestrator answers once it has decided a command: the aggregate's `version` (its
 * event count) and `seq`, where its last event is stored (what a reader waits for).
 */
export type CommandOutcome =
  | { ok: true; commandId: string; aggregateId: string; version: number; seq: number; seqs: number[] }
  | { ok: false; commandId: string; aggregateId: string; error: { code: DomainErrorCode; message: string; field?: string } };

const DISPATCH_ATTEMPTS = 8;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

export class CommandTimeoutError extends Error {
  override name = "CommandTimeoutError";
  constructor(readonly commandId: string) {
    super(`no outcome for command ${commandId} yet: it stays queued`);
  }
}

/**
 * Sends commands to LL_COMMANDS. `send` waits for the orchestrator's outcome on a core-NATS
 * subject it subscribed to before publishing, so the answer cannot be missed.
 */
export class CommandBus {
  private readonly js: JetStreamClient;
  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
  ) {
    this.js = jetstream(nc);
  }

  /**
   * The largest message the connected server takes (headers and payload), 1 MiB (its default)
   * while it is not known: a command over it cannot be published, nor an event over it appended.
   */
  maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Publishes durably; the orchestrator will decide it even if it is down right now. */
  async dispatch(command: CommandEnvelope): Promise<void> {
    const subject = isWorkerReport(command)
      ? subjects.report(this.ns, command.tenantId, command.aggregate.id, command.data.workerId)
      : isAgentReport(command)
        ? subjects.agentReport(this.ns, command.tenantId, command.aggregate.id)
        : subjects.command(this.ns, command.tenantId, command.aggregate.type, command.aggregate.id);
    const tracer = activeTracer();
    if (!tracer) {
      await this.js.publish(subject, JSON.stringify(command), { msgID: command.id });
      return;
    }
    // Traced: a publish span, its context in the headers and in the envelope, so the orchestrator's decision is its child.
    const parent = context.active();
    const { span, headers, traceparent } = startPublish(
      tracer,
      { subject, messageId: command.id, attributes: envelopeAttributes(command, "command") },
      parent,
    );
    const payload = JSON.stringify(traceparent ? { ...command, traceparent } : command);
    await inSpan(span, parent, () => this.js.publish(subject, payload, { msgID: command.id, headers }));
  }

  /**
   * Publishes durably, retrying with a growing wait (250 ms doubling to 5 s, 8 tries) while NATS is
   * away: what a worker's or an agent's report needs, which nobody else would send again. Every try
   * carries the same command id, so one that did land is deduplicated.
   */
  async dispatchRetrying(command: CommandEnvelope, onRetry: (err: unknown, attempt: number) => void = () => undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dispatch(command);
        return;
      } catch (err) {
        if (attempt >= DISPATCH_ATTEMPTS) throw err;
        onRetry(err, attempt);
        await sleep(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  async send(command: CommandEnvelope, timeoutMs = 10_000): Promise<CommandOutcome> {
    const sub = this.nc.subscribe(subjects.commandOutcome(this.ns, command.id), { max: 1, timeout: timeoutMs });
    try {
      await this.dispatch(command);
      for await (const m of sub) return m.json<CommandOutcome>();
    } catch (err) {
      if (err instanceof Error && err.name === "TimeoutError") throw new CommandTimeoutError(command.id);
      throw err;
    } finally {
      sub.unsubscribe();
    }
    throw new CommandTimeoutError(command.id);
  }

  /** The orchestrator's side: answer whoever waits for this command. */
  reply(outcome: CommandOutcome): void {
    this.nc.publish(subjects.commandOutcome(this.ns, outcome.commandId), JSON.stringify(outcome));
  }
}
