import {
  AGENT_CONTROL_ECHOES,
  type AgentState,
  agentDecider,
  applyStored,
  type CommandEnvelope,
  type EventEnvelope,
  type EventStore,
  emptyAggregate,
  type LoadedAggregate,
  type LoadTestState,
  loadTestDecider,
  newId,
  type PlatformDefaults,
  parseCommand,
  RUN_CONTROL_ECHOES,
  type RunState,
  runDecider,
  SchemaError,
  sleep,
} from "@loadline/core";
import {
  CommandBus,
  DEFAULT_STREAM_OPTIONS,
  ensureStreams,
  JetStreamEventStore,
  type Namespace,
  type NatsConnection,
  openWorkerBucket,
  PULL_EXPIRES_MS,
  processing,
  type StreamOptions,
  subjects,
} from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { AckPolicy, type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { type ActionGraces, ActionWatch, DEFAULT_ACTION_GRACES } from "./action-watch.ts";
import { AGENT_LIVE_MS, AgentDirectory } from "./agent-directory.ts";
import { admissionRefusal } from "./command-admission.ts";
import { CommandHandler, unreadableOutcome } from "./command-handler.ts";
import { FleetMonitor } from "./fleet.ts";
import { DEFAULT_LEASE_TIMINGS, KvLease, type LeaseTimings, openLeaseBucket } from "./kv-lease.ts";
import { DEFAULT_TIMINGS, RunSupervisor, type SupervisorTimings } from "./run-supervisor.ts";
import { DEFAULT_SCHEDULER_TIMINGS, readSchedules, Scheduler, type SchedulerTimings } from "./scheduler.ts";
import { ThresholdWatch } from "./threshold-watch.ts";
import { DEFAULT_TIMELINE_OPTIONS, type TimelineOptions, TimelineWatch } from "./timeline-watch.ts";

export type OrchestratorOptions = {
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  registry?: Registry;
  streams?: StreamOptions;
  timings?: SupervisorTimings;
  lease?: LeaseTimings;
  /** How late a schedule's due instant may fire and still be on time (default 60 s), and its retries. */
  scheduler?: SchedulerTimings;
  /** Who holds the lease, in logs and in the lease's value. Default `orchestrator-<uuid>`. */
  id?: string;
  /** What a tenant nobody configured may do (its targets, its quotas). */
  platform: PlatformDefaults;
  /** How long an agent has to take up an action and report its outcome (tests shorten them). */
  actions?: Partial<ActionGraces>;
  /** An agent is live while heard within this (default 5 s), and a run's timeline is looked at this often. */
  agents?: { liveMs?: number; timeline?: Partial<TimelineOptions> };
};

const DURABLE = "orchestrator";
const DEACTIVATE_MS = 10_000;

const within = (ms: number, p: Promise<unknown>): Promise<unknown> =>
  Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

const toRunControl = (ns: Namespace, e: EventEnvelope) => subjects.runControl(ns, e.tenantId, e.aggregate.id);
const toAgentControl = (ns: Namespace, e: EventEnvelope) => subjects.agentControl(ns, e.tenantId, e.aggregate.id);

/**
 * Stored events someone must act on at once, and where each is echoed on core NATS: the workers
 * of a run hear its agreed start, its stops and a live run's pause, resume and scale (see
 * subjects.runControl), and act on the echo at once, and on the stream's copy (a no-op) or instead
 * of an echo lost; an agent hears what is asked of it (subjects.agentControl), and only there: an
 * echo it missed is failed by the ActionWatch, not replayed.
 */
const ECHOES: Partial<Record<EventEnvelope["type"], (ns: Namespace, e: EventEnvelope) => string>> = {
  ...Object.fromEntries(RUN_CONTROL_ECHOES.map((type) => [type, toRunControl])),
  ...Object.fromEntries(AGENT_CONTROL_ECHOES.map((type) => [type, toAgentControl])),
};

function echo(nc: NatsConnection, ns: Namespace, events: readonly EventEnvelope[]): void {
  for (const e of events) {
    const subject = ECHOES[e.type]?.(ns, e);
    if (subject && !nc.isClosed()) nc.publish(subject, JSON.stringify(e));
  }
}
const LEASE_KEY = "orchestrator";

/** The active orchestrator's parts: made when the lease is taken, dropped when it is lost. */
type Active = {
  handler: CommandHandler;
  supervisor: RunSupervisor;
  thresholds: ThresholdWatch;
  scheduler: Scheduler;
  actions: ActionWatch;
  timeline: TimelineWatch;
  agents: AgentDirectory;
  fleet: FleetMonitor;
  messages: ConsumerMessages;
  loop: Promise<void>;
};

/**
 * Turns commands into events: a durable consumer on LL_COMMANDS, the command handler
 * (deciders + optimistic append), the outcome answered to whoever waits, then the ack.
 * Only the holder of the orchestrator lease does so; other instances stand by and take over
 * within the lease's ttl. Taking over, it rebuilds the runs from LL_EVENTS and their timers.
 */
export class Orchestrator {
  readonly id: string;
  private active: Active | undefined;
  private activating: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private onActive: (() => void)[] = [];

  private constructor(
    private readonly opts: OrchestratorOptions & { id: string },
    private readonly lease: KvLease,
    private readonly kv: Awaited<ReturnType<typeof openWorkerBucket>>,
    private readonly metrics: { commands: Counter<"type" | "outcome">; latency: Histogram; active: Gauge },
  ) {
    this.id = opts.id;
  }

  /** Starts as a standby; becomes the active orchestrator as soon as it holds the lease. */
  static async start(opts: OrchestratorOptions): Promise<Orchestrator> {
    const { nc, ns, log } = opts;
    const streams = opts.streams ?? DEFAULT_STREAM_OPTIONS;
    await ensureStreams(await jetstreamManager(nc), ns, streams);
    const kv = await openWorkerBucket(nc, ns, streams.replicas);
    const id = opts.id ?? `orchestrator-${newId()}`;
    const lease = new KvLease(await openLeaseBucket(nc, ns, streams.replicas), LEASE_KEY, id, log, opts.lease ?? DEFAULT_LEASE_TIMINGS);
    const registers = opts.registry ? [opts.registry] : [];
    const metrics = {
      commands: new Counter({
        name: "loadline_orchestrator_commands_total",
        help: "Commands decided",
        labelNames: ["type", "outcome"] as const,
        registers,
      }),
      latency: new Histogram({ name: "loadline_orchestrator_command_seconds", help: "Time to decide and append a command", registers }),
      active: new Gauge({ name: "loadline_orchestrator_active", help: "1 while this instance holds the orchestrator lease", registers }),
    };
    const orchestrator = new Orchestrator({ ...opts, id }, lease, kv, metrics);
    // Read when scraped, from what the active instance holds (a standby reports none).
    new Gauge({
      name: "loadline_runs",
      help: "Runs by status, as the active orchestrator holds them",
      labelNames: ["status"] as const,
      registers,
      collect() {
        this.reset();
        for (const [status, n] of orchestrator.active?.handler.runsByStatus() ?? []) this.set({ status }, n);
      },
    });
    new Gauge({
      name: "loadline_workers",
      help: "Workers heard from within the lapse, by status (active, draining), as the active orchestrator hears them",
      labelNames: ["status"] as const,
      registers,
      collect() {
        this.reset();
        for (const { registration } of orchestrator.active?.fleet.all() ?? []) this.inc({ status: registration.status });
      },
    });
    orchestrator.running = orchestrator.run();
    return orchestrator;
  }

  /** Connected, whether active or standing by: a standby is a healthy part of the deployment. */
  ready(): boolean {
    return !this.stopping && !this.opts.nc.isClosed();
  }

  isActive(): boolean {
    return this.active !== undefined;
  }

  /** Resolves once this instance is the active one. */
  whenActive(): Promise<void> {
    if (this.active) return Promise.resolve();
    return new Promise((resolve) => this.onActive.push(resolve));
  }

  /** Finishes the command in hand (decided, appended, answered, acked), then hands the lease on. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.activating;
    await this.deactivate();
    await this.lease.close();
    await this.running;
  }

  /** Stand by for the lease, act while holding it, stand by again when it is lost. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      if (!(await this.lease.acquire()) || this.stopping) return;
      this.activating = this.activate();
      try {
        await this.activating;
      } catch (err) {
        // NATS half back after an outage, say: hand the lease on, and stand by to try again.
        this.opts.log.error({ err }, "could not take up the orchestrator's work: handing the lease on");
        await this.deactivate();
        await this.lease.release();
        await sleep(1000);
        continue;
      }
      await this.lease.ended;
      if (this.stopping) return;
      this.opts.log.error("orchestrator lease lost: standing by");
      await this.deactivate();
    }
  }

  private async activate(): Promise<void> {
    const { nc, ns, log } = this.opts;
    const store = new JetStreamEventStore(nc, ns);
    let supervisor: RunSupervisor | undefined;
    let thresholds: ThresholdWatch | undefined;
    let scheduler: Scheduler | undefined;
    let actions: ActionWatch | undefined;
    let timeline: TimelineWatch | undefined;
    const handler = new CommandHandler(store, log, this.opts.platform, (events) => {
      supervisor?.onEvents(events);
      thresholds?.onEvents(events);
      scheduler?.onEvents(events);
      actions?.onEvents(events);
      timeline?.onEvents(events);
      echo(nc, ns, events);
    });
    const fleet = new FleetMonitor(
      this.kv,
      nc,
      ns,
      { lost: (lost) => supervisor?.onWorkerLost(lost), joined: () => supervisor?.onWorkerJoined() },
      log,
    );
    supervisor = new RunSupervisor(handler, fleet, log, this.opts.timings ?? DEFAULT_TIMINGS);
    scheduler = new Scheduler(handler, log, this.opts.scheduler ?? DEFAULT_SCHEDULER_TIMINGS);
    await fleet.start();
    // Caught up with LL_AGENT before the timeline looks at it: a step due at takeover finds its agents.
    const agents = new AgentDirectory(nc, ns, log.child({ component: "agents" }), this.opts.agents?.liveMs ?? AGENT_LIVE_MS);
    await agents.start();
    let consumed: Awaited<ReturnType<Orchestrator["consume"]>>;
    let recovered: Awaited<ReturnType<Orchestrator["recover"]>>;
    let schedules: Awaited<ReturnType<typeof readSchedules>>;
    try {
      recovered = await this.recover(handler, store);
      supervisor.recover(recovered.runs);
      thresholds = new ThresholdWatch(nc, ns, handler, log);
      thresholds.recover(recovered.runs);
      actions = new ActionWatch(handler, log, { ...DEFAULT_ACTION_GRACES, ...this.opts.actions });
      timeline = new TimelineWatch(handler, agents, log, { ...DEFAULT_TIMELINE_OPTIONS, ...this.opts.agents?.timeline });
      // After the runs: a schedule's overlap and a fired run's start read them.
      schedules = await readSchedules(store, handler, (seq, err) =>
        log.warn({ err, seq }, "skipping an unreadable schedule event during recovery"),
      );
      consumed = await this.consume(handler);
    } catch (err) {
      void agents.stop();
      throw err;
    }
    const { messages, loop } = consumed;
    // What fell due meanwhile (schedules, action deadlines, timeline steps) is acted on only once nothing can fail the activation any more.
    scheduler.recover(schedules);
    actions.recover(recovered.agentRecords);
    timeline.recover(recovered.runs, recovered.agentRecords);
    this.active = { handler, supervisor, thresholds, scheduler, actions, timeline, agents, fleet, messages, loop };
    this.metrics.active.set(1);
    log.info({ id: this.id }, "orchestrator active");
    for (const resolve of this.onActive.splice(0)) resolve();
  }

  private async deactivate(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    this.metrics.active.set(0);
    if (!active) return;
    active.supervisor.stop();
    active.scheduler.stop();
    active.fleet.stop();
    active.actions.stop();
    active.timeline.stop();
    void active.agents.stop();
    void active.thresholds.stop();
    // Bounded: on a connection whose server just died, closing the pull can hang; the commands
    // in hand are then nak'ed by their ack wait and come back to whoever holds the lease next.
    await within(
      DEACTIVATE_MS,
      active.messages.close().then(() => active.loop),
    );
  }

  /** Every run's state from the event stream, primed into the handler: the supervisor picks up the live ones. */
  private async recover(
    handler: CommandHandler,
    store: EventStore,
  ): Promise<{ runs: { tenantId: string; id: string }[]; agentRecords: { tenantId: string; id: string }[] }> {
    const { log } = this.opts;
    const runs = new Map<string, { tenantId: string; id: string; run: LoadedAggregate<RunState> }>();
    const onUnreadable = (seq: number, err: unknown) => log.warn({ err, seq }, "skipping an unreadable run event during recovery");
    for await (const stored of store.readAll({ aggregateType: "run", onUnreadable })) {
      const { tenantId, aggregate } = stored.event;
      const key = `${tenantId}/${aggregate.id}`;
      const entry = runs.get(key) ?? { tenantId, id: aggregate.id, run: emptyAggregate(runDecider) };
      runs.set(key, entry);
      applyStored(entry.run, runDecider, stored);
    }
    for (const r of runs.values()) handler.primeRun(r.tenantId, r.id, r.run);
    // Every load test too: a tenant's tests are then counted against its quota without reading the store.
    const tests = new Map<string, { tenantId: string; id: string; test: LoadedAggregate<LoadTestState> }>();
    for await (const stored of store.readAll({ aggregateType: "load-test", onUnreadable })) {
      const { tenantId, aggregate } = stored.event;
      const key = `${tenantId}/${aggregate.id}`;
      const entry = tests.get(key) ?? { tenantId, id: aggregate.id, test: emptyAggregate(loadTestDecider) };
      tests.set(key, entry);
      applyStored(entry.test, loadTestDecider, stored);
    }
    for (const t of tests.values()) handler.primeLoadTest(t.tenantId, t.id, t.test);
    // Every agent's actions: the action watch's deadlines and the timeline's steps already recorded.
    const agents = new Map<string, { tenantId: string; id: string; agent: LoadedAggregate<AgentState> }>();
    for await (const stored of store.readAll({ aggregateType: "agent", onUnreadable })) {
      const { tenantId, aggregate } = stored.event;
      const key = `${tenantId}/${aggregate.id}`;
      const entry = agents.get(key) ?? { tenantId, id: aggregate.id, agent: emptyAggregate(agentDecider) };
      agents.set(key, entry);
      applyStored(entry.agent, agentDecider, stored);
    }
    for (const a of agents.values()) handler.primeAgent(a.tenantId, a.id, a.agent);
    log.info({ runs: runs.size, loadTests: tests.size, agents: agents.size }, "orchestrator state rebuilt from the event stream");
    const refs = <T extends { tenantId: string; id: string }>(m: Map<string, T>) =>
      [...m.values()].map(({ tenantId, id }) => ({ tenantId, id }));
    return { runs: refs(runs), agentRecords: refs(agents) };
  }

  private async consume(handler: CommandHandler): Promise<{ messages: ConsumerMessages; loop: Promise<void> }> {
    const { nc, ns, log } = this.opts;
    const jsm = await jetstreamManager(nc);
    // Short: a command delivered to an orchestrator that died comes back to its successor soon.
    const ackWait = nanos(10_000);
    await jsm.consumers
      .add(ns.streams.commands, {
        durable_name: DURABLE,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWait,
        filter_subject: subjects.allCommands(ns),
      })
      .catch(() => jsm.consumers.update(ns.streams.commands, DURABLE, { ack_wait: ackWait })); // made by an older version
    const consumer = await jetstream(nc).consumers.get(ns.streams.commands, DURABLE);
    const messages = await consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
    const bus = new CommandBus(nc, ns);
    const inHand = new Set<Promise<void>>();
    const decide = async (m: JsMsg, command: CommandEnvelope) => {
      const timer = this.metrics.latency.startTimer();
      try {
        const outcome = await handler.handle(command);
        bus.reply(outcome);
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
    };
    const loop = (async () => {
      for await (const m of messages) {
        log.debug({ subject: m.subject, seq: m.seq }, "command received");
        let command: CommandEnvelope;
        let raw: unknown;
        try {
          raw = m.json();
          command = parseCommand(raw);
        } catch (err) {
          // A command nobody can read will not become readable: drop it, loudly, and tell a
          // sender that waits for its outcome why (else it hears nothing until its timeout).
          log.error({ err: err instanceof SchemaError ? err.message : err, subject: m.subject }, "unreadable command dropped");
          const outcome = unreadableOutcome(raw, err);
          if (outcome) bus.reply(outcome);
          m.term();
          continue;
        }
        const refusal = admissionRefusal(m.subject, command);
        if (refusal) {
          log.warn({ subject: m.subject, type: command.type, refusal }, "command refused at admission");
          bus.reply({
            ok: false,
            commandId: command.id,
            aggregateId: command.aggregate.id,
            error: { code: "forbidden", message: refusal },
          });
          m.term();
          continue;
        }
        // Not awaited: the handler keeps one aggregate's commands in order, and decides other aggregates' at once.
        const done = processing(m, command, "command", () => decide(m, command));
        inHand.add(done);
        void done.then(() => inHand.delete(done));
      }
      await Promise.all(inHand); // stopping: finish the commands in hand (decided, appended, answered, acked)
    })();
    return { messages, loop };
  }
}
