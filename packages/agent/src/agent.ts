import { hostname } from "node:os";
import { type AgentRegistration, type EventEnvelope, type EventOf, parseEvent } from "@loadline/core";
import { CommandBus, type Namespace, type NatsConnection, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { ActionExecutor } from "./actions/executor.ts";
import { CommandActionReporter } from "./actions/reporter.ts";
import { clockTicks } from "./collect/clock-ticks.ts";
import { TelemetryCollector, type TelemetryPaths } from "./collect/telemetry.ts";
import { parseAgentConfig, resolveAgentConfig } from "./config/load.ts";
import type { AgentConfig } from "./config/schema.ts";
import { agentEvent } from "./envelope.ts";
import { AgentMetrics } from "./metrics.ts";
import { AGENT_VERSION } from "./version.ts";

export type AgentOptions = {
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  /** Default: no processes, sources nor actions; the host's name as id, tenant "default". */
  config?: AgentConfig;
  /** Where its metrics go (default: a registry of its own, unexposed). */
  registry?: Registry;
  /** Where /proc, /sys/block and the cgroup root are (tests). */
  paths?: TelemetryPaths;
  /** Between an action's SIGTERM and its SIGKILL (default 2 s). */
  killGraceMs?: number;
};

/**
 * The control agent on a host of the system under test: it registers, sends the host's (and
 * its watched processes' and sources') telemetry every interval on LL_AGENT, and runs the
 * actions its config file allows when the orchestrator echoes a request on its control subject.
 */
export class ControlAgent {
  readonly id: string;
  readonly tenantId: string;
  readonly config: AgentConfig;
  readonly metrics: AgentMetrics;
  private readonly js: JetStreamClient;
  private readonly collector: TelemetryCollector;
  private readonly executor: ActionExecutor;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private sub?: { unsubscribe(): void };
  private registered = false;
  private lastPublished = 0;
  private stopped = false;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly opts: AgentOptions) {
    this.config = opts.config ?? resolveAgentConfig(parseAgentConfig({}));
    this.id = this.config.agentId;
    this.tenantId = this.config.tenant;
    this.metrics = new AgentMetrics(opts.registry ?? new Registry());
    this.js = jetstream(opts.nc);
    this.collector = new TelemetryCollector(this.config, { clockTicks: clockTicks(), ...(opts.paths ? { paths: opts.paths } : {}) });
    this.executor = new ActionExecutor({
      actions: this.config.actions,
      reporter: new CommandActionReporter(new CommandBus(opts.nc, opts.ns), { tenantId: this.tenantId, agentId: this.id }, opts.log),
      log: opts.log,
      onOutcome: (outcome) => this.metrics.action(outcome),
      ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
    });
  }

  /** Takes the baseline sample, registers, listens for actions, and sends telemetry every interval from now on. */
  async start(): Promise<void> {
    await this.collector.baseline();
    this.sub = this.opts.nc.subscribe(subjects.agentControl(this.opts.ns, this.tenantId, this.id), {
      callback: (err, m) => {
        if (err) this.opts.log.warn({ err }, "agent control subscription failed");
        else this.onControl(m.string());
      },
    });
    await this.register();
    this.schedule();
  }

  /** Telemetry was published lately (within three intervals, at least 5 s). */
  ready(): boolean {
    return this.registered && Date.now() - this.lastPublished < Math.max(5_000, 3 * this.config.intervalMs);
  }

  /** Stops telemetry and listening, ends the actions running (reported failed: "the agent stopped"), waits for their reports. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.sub?.unsubscribe();
    await this.tick;
    await this.executor.stop();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick = this.sendTelemetry().finally(() => this.schedule());
    }, this.config.intervalMs);
    // The agent's own timer keeps no process alive (stop() ends it; a test's agent may be left).
    this.timer.unref();
  }

  private async register(): Promise<void> {
    const data: AgentRegistration = {
      host: hostname(),
      version: AGENT_VERSION,
      labels: this.config.labels,
      startedAt: this.startedAt,
      // What each action is, never its command: that stays on this host.
      actions: this.config.actions.map((a) => ({
        name: a.name,
        ...(a.description !== undefined ? { description: a.description } : {}),
        params: a.params,
        timeoutSec: a.timeoutSec,
      })),
      sources: this.collector.sources,
    };
    try {
      await this.publish(agentEvent("agent.registered", data, this.ids));
      this.registered = true;
      this.opts.log.info(
        { agentId: this.id, tenantId: this.tenantId, actions: data.actions.length, sources: data.sources },
        "agent registered",
      );
    } catch (err) {
      // Tried again before each telemetry until it lands: NATS or the stream may not be there yet.
      this.metrics.publishFailures.inc();
      this.opts.log.warn({ err }, "agent registration failed: will retry");
    }
  }

  private async sendTelemetry(): Promise<void> {
    if (!this.registered) await this.register();
    const end = this.metrics.collectionSeconds.startTimer();
    let event: EventOf<"agent.telemetry">;
    try {
      event = agentEvent("agent.telemetry", await this.collector.collect(), this.ids);
    } catch (err) {
      this.metrics.collectionFailures.inc();
      this.opts.log.warn({ err }, "telemetry collection failed");
      return;
    } finally {
      end();
    }
    try {
      await this.publish(event);
      this.metrics.telemetryPublished.inc();
      this.lastPublished = Date.now();
    } catch (err) {
      this.metrics.publishFailures.inc();
      this.opts.log.warn({ err }, "telemetry publish failed");
    }
  }

  private publish(event: EventEnvelope): Promise<unknown> {
    const kind = event.type === "agent.registered" ? "registered" : "telemetry";
    return this.js.publish(subjects.agent(this.opts.ns, this.tenantId, this.id, kind), JSON.stringify(event));
  }

  private get ids() {
    return { tenantId: this.tenantId, agentId: this.id };
  }

  /** An echo of agent.action-requested: checked to be one, for this agent, before it is handed on. */
  private onControl(text: string): void {
    let event: EventEnvelope;
    try {
      event = parseEvent(JSON.parse(text));
    } catch (err) {
      this.opts.log.warn({ err }, "agent control message ignored: not a valid event");
      return;
    }
    if (event.type !== "agent.action-requested" || event.aggregate.id !== this.id || event.tenantId !== this.tenantId) {
      this.opts.log.warn(
        { type: event.type, aggregate: event.aggregate, tenantId: event.tenantId },
        "agent control message ignored: not a request for this agent",
      );
      return;
    }
    this.executor.handle(event);
  }
}
