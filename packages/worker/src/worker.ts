import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  applyStored,
  type EventEnvelope,
  type EventOf,
  type EventStore,
  emptyAggregate,
  type LoadEngineName,
  parseEvent,
  type RunParameters,
  type RunPhase,
  type RunPlan,
  type RunState,
  type RunTarget,
  runDecider,
  runPlan,
  secretReferences,
  type WorkerAssignment,
} from "@loadline/core";
import { CommandBus, JetStreamEventStore, type Namespace, type NatsConnection, processing, subjects } from "@loadline/nats";
import { type Logger, SecretKeyring } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { threadEntryUrl } from "./engine/multi-thread-engine.ts";
import { SpareThreads } from "./engine/spare-threads.ts";
import { longestDurationSec, workloadsOf } from "./engine/workloads.ts";
import { WorkerMetrics } from "./metrics.ts";
import { type WorkerCapacity, WorkerRegistrar } from "./registration.ts";
import { isControlEvent, RunControl } from "./run-control.ts";
import { listenToRunEvents, type RunEventListener } from "./run-events.ts";
import { RunLoad } from "./run-load.ts";
import { runPhase } from "./run-phase.ts";
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
  /** The VUs it registers it can hold. Default 10 000. */
  maxVUs?: number;
  /** Iterations a second it registers it can start. Default 20 000. */
  maxArrivalRate?: number;
  labels?: Record<string, string>;
  /** Where its Prometheus metrics go; a private registry by default. */
  registry?: Registry;
  /** A run no stop event ended is stopped this long after its duration. Default 30. */
  safetyMarginSec?: number;
  /** Worker threads each run's load is spread over. Default: one per core. */
  threads?: number;
  /**
   * Keep a run's worth of engine threads started ahead, so a run's start does not wait for its
   * threads to load (SpareThreads). Default false: the worker service and the all-in-one stack
   * turn it on; a test that starts many workers need not pay for threads it never runs on.
   */
  spareThreads?: boolean;
  /** Opens the secrets a run carries (sealed); main.ts gives `keyringFromEnv()`. Default: an empty one, that opens none. */
  keyring?: SecretKeyring;
  /**
   * The engines besides the built-in one it runs: `locust` runs tests' locustfiles, tenant code,
   * on this host (docs/locust.md). Default none: a locust run assigned here fails, saying why.
   */
  engines?: readonly LoadEngineName[];
};

type ActiveRun = {
  tenantId: string;
  load: RunLoad;
  laneCount: number;
  lanes: number[];
  vus: number;
  arrivalRate: number;
  /** Its pause and scale, as its events say. */
  control: RunControl;
  safetyTimer?: NodeJS.Timeout;
  stopped?: Promise<void>;
};

const DEFAULTS = { maxVUs: 10_000, maxArrivalRate: 20_000 };
const EMPTY_KEYRING = new SecretKeyring([]);
const REMEMBERED_RUNS = 1000;
const STOP_EVENTS = new Set<EventEnvelope["type"]>(["run.stopping", "run.cancelled", "run.failed"]);

/**
 * A load worker: registered in the workers bucket by a heartbeat, it follows the run events,
 * runs its lanes of every run assigned to it (prepared, reported ready, begun at the agreed
 * instant), takes lanes a lost worker left, follows its pauses, resumes and scales, and
 * publishes each run's per-second windows.
 */
export class LoadWorker {
  readonly id: string;
  readonly capacity: WorkerCapacity;
  private readonly log: Logger;
  private readonly js: JetStreamClient;
  private readonly store: EventStore;
  private readonly bus: CommandBus;
  private readonly metrics: WorkerMetrics;
  private readonly registrar: WorkerRegistrar;
  private readonly runs = new Map<string, ActiveRun>();
  /** Runs over here (or taken away), so that a repeated assignment does not start them again. */
  private readonly finishedRuns = new Set<string>();
  /** Assignments of runs whose setup has not run yet: taken up again when run.setup-completed comes. */
  private readonly awaitingSetup = new Map<string, EventOf<"run.worker-assigned">>();
  private listener: RunEventListener | undefined;
  private stopEchoes: (() => void) | undefined;
  private ticker: Ticker | undefined;
  private started = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private spares: SpareThreads | undefined;

  constructor(private readonly opts: LoadWorkerOptions) {
    this.id = validWorkerId(opts.workerId ?? defaultWorkerId());
    this.log = opts.log.child({ workerId: this.id });
    this.js = jetstream(opts.nc);
    this.store = new JetStreamEventStore(opts.nc, opts.ns);
    this.bus = new CommandBus(opts.nc, opts.ns);
    this.metrics = new WorkerMetrics(opts.registry ?? new Registry());
    this.capacity = {
      threads: opts.threads ?? availableParallelism(),
      maxVUs: opts.maxVUs ?? DEFAULTS.maxVUs,
      maxArrivalRate: opts.maxArrivalRate ?? DEFAULTS.maxArrivalRate,
    };
    this.registrar = new WorkerRegistrar({
      nc: opts.nc,
      ns: opts.ns,
      workerId: this.id,
      capacity: this.capacity,
      labels: opts.labels ?? {},
      assignments: () => this.assignments(),
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
    if (this.opts.spareThreads && existsSync(fileURLToPath(threadEntryUrl()))) this.spares = new SpareThreads(this.capacity.threads);
    this.listener = await listenToRunEvents({
      nc: this.opts.nc,
      ns: this.opts.ns,
      log: this.log,
      onEvent: (e) => this.onEvent(e),
      traces: (e) => (e.type === "run.worker-assigned" ? e.data.workerId === this.id : this.runs.has(e.aggregate.id)),
    });
    this.stopEchoes = this.followControlEchoes();
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
    this.log.info({ capacity: this.capacity, labels: this.opts.labels ?? {} }, "worker started");
  }

  ready(): boolean {
    return this.started && !this.stopping && !this.opts.nc.isClosed();
  }

  /** Ids of the runs it has right now. */
  runIds(): string[] {
    return [...this.runs.keys()];
  }

  /**
   * Leaves the fleet first (its registration is removed, so the orchestrator hands its lanes
   * to others at once), then stops every run: their last windows are published, but a run
   * still going is not told this worker stopped: its lanes go on elsewhere.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.registrar.stop();
      this.stopEchoes?.();
      await this.listener?.stop();
      await Promise.all([...this.runs.keys()].map((id) => this.stopRun(id, "worker stopping", { report: false })));
      await this.spares?.close();
      this.ticker?.stop();
      this.log.info("worker stopped");
    })();
    return this.stopping;
  }

  /**
   * The orchestrator's core-NATS echo of the events that stop work, pause, resume or scale it:
   * acted on at once, and again (a no-op) when the stream delivers them. Only for runs this
   * worker has.
   */
  private followControlEchoes(): () => void {
    const sub = this.opts.nc.subscribe(subjects.allRunControl(this.opts.ns));
    void (async () => {
      for await (const m of sub) {
        try {
          const event = parseEvent(m.json());
          if (
            this.runs.has(event.aggregate.id) &&
            (STOP_EVENTS.has(event.type) || event.type === "run.started" || event.type === "run.worker-lost" || isControlEvent(event))
          )
            await processing(m, event, "event", () => this.onEvent(event));
        } catch (err) {
          this.log.warn({ err }, "unreadable control echo ignored");
        }
      }
    })();
    return () => sub.unsubscribe();
  }

  private assignments(): WorkerAssignment[] {
    return [...this.runs].map(([runId, r]) => ({
      tenantId: r.tenantId,
      runId,
      lanes: r.lanes,
      laneCount: r.laneCount,
      vus: r.vus,
      arrivalRate: r.arrivalRate,
    }));
  }

  private async onEvent(event: EventEnvelope): Promise<void> {
    const runId = event.aggregate.id;
    switch (event.type) {
      case "run.worker-assigned":
        if (event.data.workerId === this.id) await this.assigned(event);
        return;
      case "run.setup-completed": {
        const parked = this.awaitingSetup.get(runId);
        this.awaitingSetup.delete(runId);
        if (parked) await this.assigned(parked);
        return;
      }
      case "run.started":
        void this.runs
          .get(runId)
          ?.load.begin(Date.parse(event.data.startedAt))
          .then(() => this.armSafetyCap(runId));
        return;
      case "run.worker-lost":
        // Declared lost (a pause, a partition): its lanes run elsewhere now, so not here too.
        if (event.data.workerId === this.id && this.runs.has(runId)) {
          this.log.warn({ runId }, "this worker was declared lost from the run: dropping its lanes");
          void this.stopRun(runId, "declared lost", { report: false, graceMs: 0 });
        }
        return;
      case "run.paused":
      case "run.resumed":
      case "run.scaled": {
        // By the echo or the stream, whichever comes first: the second changes nothing.
        const active = this.runs.get(runId);
        const changed = active?.control.apply(event, Date.now());
        if (active && changed) active.load.control(changed);
        return;
      }
      default:
        if (STOP_EVENTS.has(event.type) && this.awaitingSetup.has(runId)) await this.stoppedAwaitingSetup(event);
        if (STOP_EVENTS.has(event.type) && this.runs.has(runId)) void this.stopRun(runId, event.type);
    }
  }

  private async assigned(event: EventOf<"run.worker-assigned">): Promise<void> {
    const runId = event.aggregate.id;
    const { lanes, vus, arrivalRate } = event.data;
    const active = this.runs.get(runId);
    if (active) {
      // More lanes of a run it has: a lost worker's.
      active.lanes = [...active.lanes, ...lanes];
      active.vus += vus;
      active.arrivalRate += arrivalRate;
      active.load.addLanes(lanes);
      this.log.info({ runId, lanes, replaces: event.data.replaces }, "took over lanes");
      return;
    }
    if (this.stopping || this.finishedRuns.has(runId)) return;
    const log = this.log.child({ runId });
    // The run's state, and its control so far from the same events (a run paused or scaled before this worker joined it).
    const { events } = await this.store.read(event.tenantId, { type: "run", id: runId });
    const { state: run } = events.reduce((a, stored) => applyStored(a, runDecider, stored), emptyAggregate(runDecider));
    const control = RunControl.of(events.map((e) => e.event));
    if (this.stopping || this.runs.has(runId)) return;
    const reporter = new CommandRunReporter(this.bus, { tenantId: event.tenantId, runId, workerId: this.id }, log);
    const mine = run.shares[this.id];
    if (!mine) return; // lost already, or never ours
    if (run.status === "Stopping") {
      // Stopped before it got here: nothing was sent, but the run waits for this worker's word.
      log.info("run stopped before it started here");
      this.remember(runId);
      await reporter.stopped({ requests: 0, failures: 0 });
      return;
    }
    if ((run.status !== "Starting" && run.status !== "Running") || !run.target || !run.parameters) return;

    let plan: RunPlan;
    try {
      plan = workerRunPlan({ ...run, target: run.target, parameters: run.parameters }, this.opts.keyring ?? EMPTY_KEYRING);
    } catch (err) {
      // The reason names the secret and the key id, never a value.
      const reason = err instanceof Error ? err.message : String(err);
      log.error({ reason }, "run cannot be run here: failing it");
      this.remember(runId);
      await reporter.failed(reason).catch((e: unknown) => log.error({ err: e }, "could not report the run failed"));
      return;
    }
    const { setup, teardown } = run.target;
    if (setup && !run.setupValues) {
      // Every worker waits for the setup's values; the one holding lane 0 runs it. All go on at run.setup-completed.
      this.awaitingSetup.set(runId, event);
      if (mine.lanes.includes(0)) void this.setUp(setup, plan, reporter, log);
      return;
    }
    if (run.setupValues) {
      try {
        plan = { ...plan, setupValues: openSealedValues(this.opts.keyring ?? EMPTY_KEYRING, run.setupValues) };
      } catch (err) {
        this.remember(runId);
        await reporter.failed(`the setup's values cannot be opened: ${(err as Error).message}`).catch(() => undefined);
        return;
      }
    }
    const runPlanned = plan;
    // The teardown runs where lane 0 is, once its load stopped; a failed teardown is on record, the run is not failed for it.
    const afterLoad =
      teardown && mine.lanes.includes(0)
        ? async () => {
            const outcome = await runPhase("teardown", teardown, runPlanned, this.id);
            if (outcome.failure) log.warn({ reason: outcome.failure }, "teardown failed");
            return outcome.requests;
          }
        : undefined;
    // Joining a run under way (a lost worker's lanes): begin at its start, then take the lanes, so they join rather than catch up.
    const joining = run.status === "Running" && run.startedAt !== undefined;
    const load = new RunLoad({
      runId,
      workerId: this.id,
      plan,
      share: { laneCount: run.laneCount, lanes: joining ? [] : mine.lanes },
      threads: this.capacity.threads,
      ...(this.spares ? { spares: this.spares } : {}),
      ...(this.opts.engines ? { engines: this.opts.engines } : {}),
      sink: new WindowPublisher({ js: this.js, ns: this.opts.ns, tenantId: event.tenantId, log, metrics: this.metrics }),
      reporter,
      metrics: this.metrics,
      log,
      ...(afterLoad ? { afterLoad } : {}),
    });
    this.runs.set(runId, {
      tenantId: event.tenantId,
      load,
      laneCount: run.laneCount,
      lanes: [...mine.lanes],
      vus: mine.vus,
      arrivalRate: mine.arrivalRate,
      control,
    });
    if (control.current.paused || control.current.vuFactor !== 1 || control.current.rates.length > 0) load.control(control.current);
    log.info({ lanes: mine.lanes, laneCount: run.laneCount, vus: mine.vus, threads: this.capacity.threads, joining }, "assigned to run");
    try {
      void load.prepare(!joining);
    } catch (err) {
      log.error({ err }, "run cannot be run here: failing it");
      this.runs.delete(runId);
      this.remember(runId);
      await reporter
        .failed(err instanceof Error ? err.message : String(err))
        .catch((e: unknown) => log.error({ err: e }, "could not report the run failed"));
      return;
    }
    if (joining) {
      void load.begin(Date.parse(run.startedAt!)).then(() => {
        load.addLanes(mine.lanes);
        this.armSafetyCap(runId, false);
      });
    } else if (run.startedAt) {
      void load.begin(Date.parse(run.startedAt)).then(() => this.armSafetyCap(runId));
    }
  }

  /**
   * Runs the run's setup and reports it: its values sealed, so that no event holds them in
   * clear. A failed setup (or values that cannot be sealed) fails the run before any load.
   */
  private async setUp(setup: RunPhase, plan: RunPlan, reporter: CommandRunReporter, log: Logger): Promise<void> {
    const outcome = await runPhase("setup", setup, plan, this.id);
    let failure = outcome.failure;
    let sealed: Record<string, string> = {};
    if (!failure) {
      try {
        const keyring = this.opts.keyring ?? EMPTY_KEYRING;
        sealed = Object.fromEntries(Object.entries(outcome.values).map(([name, value]) => [name, keyring.seal(value)]));
      } catch (err) {
        failure = `the setup's values cannot be sealed (the worker needs the secrets keyring): ${(err as Error).message}`;
      }
    }
    log.info({ requests: outcome.requests.length, failed: failure !== null }, "setup ran");
    const report = failure ? reporter.failed(failure) : reporter.setUp(sealed, outcome.requests);
    await report.catch((err: unknown) => log.error({ err }, "could not report the setup"));
  }

  /** A run stopped while it waited for its setup: nothing ran here, but a stopping run waits for this worker's word. */
  private async stoppedAwaitingSetup(event: EventEnvelope): Promise<void> {
    const parked = this.awaitingSetup.get(event.aggregate.id);
    this.awaitingSetup.delete(event.aggregate.id);
    this.remember(event.aggregate.id);
    if (!parked || event.type !== "run.stopping") return;
    const ref = { tenantId: parked.tenantId, runId: event.aggregate.id, workerId: this.id };
    await new CommandRunReporter(this.bus, ref, this.log).stopped({ requests: 0, failures: 0 }).catch(() => undefined);
  }

  /**
   * A run no stop event ended stops by itself after its duration and a margin. A run of fixed
   * work only (iterations executors) stops here as soon as that work is done (`workDone`; not
   * for lanes joined mid-run, whose engine began without them): once every worker has, the run
   * completes, rather than idling to its maxDurationSec.
   */
  private armSafetyCap(runId: string, workDone = true): void {
    const active = this.runs.get(runId);
    if (!active || active.stopped || active.safetyTimer) return;
    const durationSec = longestDurationSec(workloadsOf(active.load.plan));
    active.safetyTimer = setTimeout(
      () => void this.stopRun(runId, "safety cap: no stop event came"),
      (durationSec + (this.opts.safetyMarginSec ?? 30)) * 1000,
    );
    active.safetyTimer.unref();
    const fixedWork = workloadsOf(active.load.plan).every(
      (w) => w.executor.type === "per-vu-iterations" || w.executor.type === "shared-iterations",
    );
    if (workDone && fixedWork) void active.load.finished?.then(() => this.stopRun(runId, "its fixed work is done"));
  }

  private stopRun(runId: string, reason: string, opts: { report?: boolean; graceMs?: number } = {}): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return Promise.resolve();
    run.stopped ??= (async () => {
      clearTimeout(run.safetyTimer);
      try {
        await run.load.stop(reason, opts);
      } catch (err) {
        this.log.error({ err, runId }, "stopping run failed");
      } finally {
        this.runs.delete(runId);
        this.remember(runId);
        // Idle again: the next run's threads load now, not beside a run's load.
        if (this.runs.size === 0 && !this.stopping) this.spares?.refill();
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

/**
 * What this worker runs of a run: core's plan, with where its load may go (run.targetPolicy)
 * and the values of its secrets (openRunSecrets: throws as it does).
 */
export function workerRunPlan(
  run: Pick<RunState, "targetPolicy" | "secrets"> & { target: RunTarget; parameters: RunParameters },
  keyring: SecretKeyring,
): RunPlan {
  const secrets = openRunSecrets(keyring, run.secrets, run.target);
  return {
    ...runPlan(run.target, run.parameters),
    ...(run.targetPolicy ? { targetPolicy: run.targetPolicy } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** Values sealed by a worker's keyring (a run's setup's), opened; throws naming the value, never showing it. */
function openSealedValues(keyring: SecretKeyring, sealed: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sealed).map(([name, value]) => {
      try {
        return [name, keyring.open(value)];
      } catch (err) {
        throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}

/**
 * The values of the secrets a run's test refers to, opened from those the run carries (sealed,
 * in run.created). Throws when one is missing or cannot be opened (a key this keyring does not
 * hold, a value that does not verify), naming the secret and the key id, never a value.
 */
export function openRunSecrets(
  keyring: SecretKeyring,
  sealed: Readonly<Record<string, string>> | undefined,
  target: RunTarget,
): Record<string, string> {
  return Object.fromEntries(
    secretReferences(target).map((name) => {
      const value = sealed && Object.hasOwn(sealed, name) ? sealed[name] : undefined;
      if (value === undefined) throw new Error(`the test refers to secret ${name}, which the run does not carry`);
      try {
        return [name, keyring.open(value)];
      } catch (err) {
        throw new Error(`secret ${name} cannot be opened: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}
