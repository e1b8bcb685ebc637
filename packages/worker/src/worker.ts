import {
  CommandBus,
  EventStore,
  fold,
  runDecider,
  runPlan,
  type EventOf,
  type EventEnvelope,
  type Logger,
  type Namespace,
  type NatsConnection,
} from "@loadline/core";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { availableParallelism } from "node:os";
import { Registry } from "prom-client";
import { WorkerMetrics } from "./metrics.ts";
import { WorkerRegistrar } from "./registration.ts";
import { listenToRunEvents, type RunEventListener } from "./run-events.ts";
import { longestDurationSec, workloadsOf } from "./engine/workloads.ts";
import { RunLoad } from "./run-load.ts";
import { CommandRunReporter } from "./run-reporter.ts";
import { startSecondTicker, type Ticker } from "./second-ticker.ts";
import { WindowPublisher } from "./window-publisher.ts";
import { defaultWorkerId, validWorkerId } from "./worker-id.ts";

export type LoadWorkerOptions = {
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  /** Defaults to `w-<hostname>-<6 hex>`; must be a NATS subject token. */
  workerId?: string;
  /** The capacity it registers with. Default 10 000. */
  maxUsers?: number;
  labels?: Record<string, string>;
  /** Where its Prometheus metrics go; a private registry by default. */
  registry?: Registry;
  /** A run no stop event ended is stopped this long after its duration. Default 30. */
  safetyMarginSec?: number;
  /** Worker threads each run's load is spread over. Default: one per core. */
  threads?: number;
};

type ActiveRun = { load: RunLoad; safetyTimer?: NodeJS.Timeout; stopped?: Promise<void> };

const DEFAULT_MAX_USERS = 10_000;
const REMEMBERED_RUNS = 1000;
const STOP_EVENTS = new Set<EventEnvelope["type"]>(["run.stopping", "run.cancelled", "run.failed"]);

/**
 * A load worker: follows the run events, runs the load of every run assigned to it, and
 * publishes each run's per-second metric windows, registered in the workers bucket by a
 * heartbeat meanwhile.
 */
export class LoadWorker {
  readonly id: string;
  private readonly log: Logger;
  private readonly js: JetStreamClient;
  private readonly store: EventStore;
  private readonly bus: CommandBus;
  private readonly metrics: WorkerMetrics;
  private readonly registrar: WorkerRegistrar;
  private readonly runs = new Map<string, ActiveRun>();
  /** Runs already done here, so that a repeated assignment does not start them again. */
  private readonly finishedRuns = new Set<string>();
  private listener: RunEventListener | undefined;
  private ticker: Ticker | undefined;
  private started = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: LoadWorkerOptions) {
    this.id = validWorkerId(opts.workerId ?? defaultWorkerId());
    this.log = opts.log.child({ workerId: this.id });
    this.js = jetstream(opts.nc);
    this.store = new EventStore(this.js, opts.ns);
    this.bus = new CommandBus(opts.nc, opts.ns);
    this.metrics = new WorkerMetrics(opts.registry ?? new Registry());
    this.registrar = new WorkerRegistrar({
      nc: opts.nc,
      ns: opts.ns,
      workerId: this.id,
      maxUsers: opts.maxUsers ?? DEFAULT_MAX_USERS,
      labels: opts.labels ?? {},
      runs: () => [...this.runs.keys()],
      log: this.log,
    });
  }

  /** Listens first, then registers: an assignment made on seeing the registration cannot be missed. */
  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error("worker is stopping"));
    this.starting ??= this.startOnce().catch((err: unknown) => {
      this.starting = undefined; // a failed start may be tried again
      throw err;
    });
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    this.listener = await listenToRunEvents({ nc: this.opts.nc, ns: this.opts.ns, log: this.log, onEvent: (e) => this.onEvent(e) });
    this.ticker = startSecondTicker((second) => {
      for (const run of this.runs.values()) run.load.tick(second);
    });
    try {
      await this.registrar.start();
    } catch (err) {
      this.ticker.stop();
      await this.listener.stop();
      this.listener = undefined;
      throw err;
    }
    this.started = true;
    this.log.info({ maxUsers: this.opts.maxUsers ?? DEFAULT_MAX_USERS }, "worker started");
  }

  ready(): boolean {
    return this.started && !this.stopping && !this.opts.nc.isClosed();
  }

  /** Ids of the runs it has right now. */
  runIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Stops every run as if stopped (windows flushed, stop reported), then deregisters. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.listener?.stop();
      await Promise.all([...this.runs.keys()].map((id) => this.stopRun(id, "worker stopping")));
      this.ticker?.stop();
      await this.registrar.stop();
      this.log.info("worker stopped");
    })();
    return this.stopping;
  }

  private async onEvent(event: EventEnvelope): Promise<void> {
    if (event.type === "run.assigned") await this.startRun(event);
    else if (STOP_EVENTS.has(event.type) && this.runs.has(event.aggregate.id)) void this.stopRun(event.aggregate.id, event.type);
  }

  private async startRun(event: EventOf<"run.assigned">): Promise<void> {
    const assignment = event.data.assignments.find((a) => a.workerId === this.id);
    const runId = event.aggregate.id;
    if (!assignment || this.stopping || this.runs.has(runId) || this.finishedRuns.has(runId)) return;
    const log = this.log.child({ runId });

    const { events } = await this.store.read(event.tenantId, { type: "run", id: runId });
    const run = fold(runDecider, events.map((e) => e.event));
    if (this.stopping) return;
    const reporter = new CommandRunReporter(this.bus, { tenantId: event.tenantId, runId, workerId: this.id }, log);
    if (run.status === "Stopping" && !run.stoppedWorkers.includes(this.id)) {
      // Stopped before it got here: nothing was sent, but the run waits for this worker's word.
      log.info("run stopped before it started here");
      this.remember(runId);
      await reporter.stopped({ requests: 0, failures: 0 });
      return;
    }
    if (run.status !== "Starting" && run.status !== "Running") return;
    if (!run.target || !run.parameters) {
      log.error({ status: run.status }, "assigned run has no target: ignored");
      return;
    }
    const maxUsers = this.opts.maxUsers ?? DEFAULT_MAX_USERS;
    if (assignment.users > maxUsers) log.warn({ users: assignment.users, maxUsers }, "assigned more users than this worker's capacity");

    const plan = runPlan(run.target, run.parameters);
    const fraction = assignment.fraction;
    const threads = this.opts.threads ?? availableParallelism();
    const load = new RunLoad({
      runId,
      workerId: this.id,
      plan,
      fraction,
      threads,
      sink: new WindowPublisher({ js: this.js, ns: this.opts.ns, tenantId: event.tenantId, log, metrics: this.metrics }),
      reporter,
      metrics: this.metrics,
      log,
    });
    const durationSec = longestDurationSec(workloadsOf(plan, fraction));
    const active: ActiveRun = { load };
    this.runs.set(runId, active);
    log.info({ users: assignment.users, fraction, threads, workload: plan.workload.type, durationSec }, "starting run");
    try {
      load.start();
    } catch (err) {
      log.error({ err }, "run cannot be run here: failing it");
      this.runs.delete(runId);
      this.remember(runId);
      await reporter.failed(err instanceof Error ? err.message : String(err)).catch((e: unknown) => log.error({ err: e }, "could not report the run failed"));
      return;
    }
    // The safety cap counts from when the load runs, as the executors' durations do.
    void load.running.then(() => {
      if (active.stopped) return;
      const capMs = (durationSec + (this.opts.safetyMarginSec ?? 30)) * 1000;
      active.safetyTimer = setTimeout(() => void this.stopRun(runId, "safety cap: no stop event came"), capMs);
      active.safetyTimer.unref();
    });
  }

  private stopRun(runId: string, reason: string): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return Promise.resolve();
    run.stopped ??= (async () => {
      clearTimeout(run.safetyTimer);
      try {
        await run.load.stop(reason);
      } catch (err) {
        this.log.error({ err, runId }, "stopping run failed");
      } finally {
        this.runs.delete(runId);
        this.remember(runId);
      }
    })();
    return run.stopped;
  }

  private remember(runId: string): void {
    this.finishedRuns.add(runId);
    if (this.finishedRuns.size > REMEMBERED_RUNS) {
      const oldest = this.finishedRuns.values().next().value;
      if (oldest !== undefined) this.finishedRuns.delete(oldest);
    }
  }
}
