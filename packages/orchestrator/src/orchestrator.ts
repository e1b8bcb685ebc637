import { AckPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import {
  CommandBus,
  EventStore,
  SchemaError,
  ensureStreams,
  isLive,
  listWorkers,
  openWorkerBucket,
  parseCommand,
  parseEvent,
  replayStream,
  runDecider,
  subjects,
  type Logger,
  type Namespace,
  type NatsConnection,
  type RunState,
  type StreamOptions,
} from "@loadline/core";
import { Counter, Histogram, type Registry } from "prom-client";
import { CommandHandler } from "./command-handler.ts";
import { DEFAULT_TIMINGS, RunSupervisor, type SupervisorTimings } from "./run-supervisor.ts";

export type OrchestratorOptions = {
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  registry?: Registry;
  streams?: StreamOptions;
  timings?: SupervisorTimings;
};

const DURABLE = "orchestrator";

/**
 * Turns commands into events: a durable consumer on LL_COMMANDS, the command handler
 * (deciders + optimistic append), the outcome answered to whoever waits, then the ack.
 * At start it replays the run events to rebuild its timers.
 */
export class Orchestrator {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private isReady = false;

  private constructor(
    private readonly opts: OrchestratorOptions,
    private readonly handler: CommandHandler,
    private readonly supervisor: RunSupervisor,
    private readonly bus: CommandBus,
    private readonly metrics: { commands: Counter<"type" | "outcome">; latency: Histogram },
  ) {}

  static async start(opts: OrchestratorOptions): Promise<Orchestrator> {
    const { nc, ns, log } = opts;
    const jsm = await jetstreamManager(nc);
    if (opts.streams) await ensureStreams(jsm, ns, opts.streams);
    else await ensureStreams(jsm, ns);
    const kv: KV = await openWorkerBucket(nc, ns, opts.streams?.replicas ?? 1);
    const store = new EventStore(jetstream(nc), ns);

    let supervisor: RunSupervisor | undefined;
    const handler = new CommandHandler(store, log, (events) => supervisor?.onEvents(events));
    supervisor = new RunSupervisor(handler, async () => (await listWorkers(kv)).filter((w) => isLive(w)), log, opts.timings);

    const registers = opts.registry ? [opts.registry] : [];
    const metrics = {
      commands: new Counter({ name: "loadline_orchestrator_commands_total", help: "Commands decided", labelNames: ["type", "outcome"] as const, registers }),
      latency: new Histogram({ name: "loadline_orchestrator_command_seconds", help: "Time to decide and append a command", registers }),
    };
    const orchestrator = new Orchestrator(opts, handler, supervisor, new CommandBus(nc, ns), metrics);
    await orchestrator.recover();
    await orchestrator.consume();
    return orchestrator;
  }

  ready(): boolean {
    return this.isReady && !this.opts.nc.isClosed();
  }

  /** Finishes the command in hand (decided, appended, answered, acked), then stops. */
  async stop(): Promise<void> {
    this.isReady = false;
    this.supervisor.stop();
    await this.messages?.close();
    await this.loop;
  }

  private async recover(): Promise<void> {
    const { nc, ns, log } = this.opts;
    const runs = new Map<string, { tenantId: string; state: RunState; version: number; causations: string[] }>();
    await replayStream(nc, ns.streams.events, subjects.eventsOfType(ns, "run"), (m) => {
      try {
        const event = parseEvent(m.json());
        const entry = runs.get(event.aggregate.id) ?? { tenantId: event.tenantId, state: runDecider.initialState, version: 0, causations: [] };
        entry.state = runDecider.evolve(entry.state, event);
        entry.version = m.seq;
        if (event.causationId) entry.causations.push(event.causationId);
        runs.set(event.aggregate.id, entry);
      } catch (err) {
        log.warn({ err, seq: m.seq }, "skipping an unreadable run event during recovery");
      }
    });
    for (const [id, r] of runs) this.handler.prime(r.tenantId, { type: "run", id }, r.state, r.version, r.causations);
    this.supervisor.recover(runs);
    log.info({ runs: runs.size }, "orchestrator state rebuilt from the event stream");
  }

  private async consume(): Promise<void> {
    const { nc, ns, log } = this.opts;
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(ns.streams.commands, {
      durable_name: DURABLE,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      filter_subject: subjects.allCommands(ns),
    });
    const consumer = await jetstream(nc).consumers.get(ns.streams.commands, DURABLE);
    this.messages = await consumer.consume({ max_messages: 64 });
    this.isReady = true;
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) {
        let command;
        try {
          command = parseCommand(m.json());
        } catch (err) {
          // A command nobody can read will not become readable: drop it, loudly.
          log.error({ err: err instanceof SchemaError ? err.message : err, subject: m.subject }, "unreadable command dropped");
          m.term();
          continue;
        }
        const timer = this.metrics.latency.startTimer();
        try {
          const outcome = await this.handler.handle(command);
          this.bus.reply(outcome);
          m.ack();
          this.metrics.commands.inc({ type: command.type, outcome: outcome.ok ? "ok" : outcome.error.code });
        } catch (err) {
          // NATS away or similar: the command stays in the queue and comes back.
          log.error({ err, command: command.type, id: command.id }, "command failed, will retry");
          m.nak(1000);
          this.metrics.commands.inc({ type: command.type, outcome: "retry" });
        } finally {
          timer();
        }
      }
    })();
  }
}
