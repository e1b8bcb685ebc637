import type { LoadEngineName, MetricWindow, PhaseRequest, RunPlan } from "@loadline/core";
import { withSpan } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { context } from "@opentelemetry/api";
import { createLoadEngine } from "./engine/engine-factory.ts";
import type { LoadControl } from "./engine/load-control.ts";
import { ALL_LANES, type LaneShare, type LoadEngine } from "./engine/load-engine.ts";
import type { SpareThreads } from "./engine/spare-threads.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { RunReporter } from "./run-reporter.ts";
import type { WindowSink } from "./window-publisher.ts";
import type { RunTotals } from "./windows.ts";

export type RunLoadOptions = {
  runId: string;
  workerId: string;
  /** What to run: core's runPlan(run.target, run.parameters). */
  plan: RunPlan;
  /** The lanes of the run this worker runs. Default: all of it. */
  share?: LaneShare;
  /** Worker threads to spread the load over. Default 1: a thread still, as this one sends the heartbeats (createLoadEngine). */
  threads?: number;
  /** Threads started ahead of runs (the worker's): taken instead of starting new ones, for a fast start. */
  spares?: SpareThreads;
  /** The engines besides the built-in one this worker runs (EngineChoice.engines). */
  engines?: readonly LoadEngineName[];
  sink: WindowSink;
  reporter: RunReporter;
  metrics: WorkerMetrics;
  log: Logger;
  /** How long a stop waits for its last windows to be acknowledged. */
  drainTimeoutMs?: number;
  /** Runs once the load stopped, before the stop is reported (the run's teardown, on the worker that ran its setup). */
  afterLoad?: () => Promise<PhaseRequest[]>;
};

export type RunLoadState = "idle" | "preparing" | "ready" | "running" | "stopping" | "stopped";

/**
 * One run's load on this worker: its lanes of the plan's executors, run by the engine, their
 * per-second windows handed to the sink at each tick. It is prepared (threads, HTTP warm-up)
 * and says so, begins at the run's agreed start, takes lanes a lost worker left, and on stop
 * gives the iterations running their executor's graceful stop, then interrupts the rest, so
 * every request sent is counted (or counted as interrupted) before the totals are told.
 */
export class RunLoad {
  private engine: LoadEngine | undefined;
  private status: RunLoadState = "idle";
  private prepared: Promise<void> | undefined;
  private stopped: Promise<RunTotals> | undefined;
  private counted: RunTotals = { requests: 0, failures: 0 };
  /** Requests and iterations interrupted at the stop, for the log. */
  private interrupted = { requests: 0, iterations: 0 };
  private reportedActive = 0;
  /** The run's live control as last told: given to the engine when it is made. */
  private controlled: LoadControl | undefined;

  constructor(private readonly opts: RunLoadOptions) {}

  get runId(): string {
    return this.opts.runId;
  }

  get plan(): RunPlan {
    return this.opts.plan;
  }

  get state(): RunLoadState {
    return this.status;
  }

  get activeUsers(): number {
    return this.engine?.activeUsers ?? 0;
  }

  /** The requests and failures in the windows handed over so far. */
  get totals(): RunTotals {
    return { ...this.counted };
  }

  /**
   * Makes the engine and warms it up, then reports the worker ready (`report: false` when the
   * run has started already and this worker joins it). Throws, staying idle, when the plan
   * cannot run (its scenarios do not compile).
   */
  prepare(report = true): Promise<void> {
    if (this.prepared) return this.prepared;
    const { runId, workerId, plan, log } = this.opts;
    this.engine = createLoadEngine({
      runId,
      workerId,
      plan,
      share: this.opts.share ?? ALL_LANES,
      threads: this.opts.threads ?? 1,
      spares: this.opts.spares,
      engines: this.opts.engines,
      onWindows: (windows) => this.handOver(windows),
      onError: (err) => log.error({ err }, "load engine error"),
      onAbortedAfterGrace: () => log.warn("iterations still running after their graceful stop: interrupted"),
      onWarning: (message) => log.warn(message),
    });
    if (this.controlled) this.engine.control(this.controlled);
    this.status = "preparing";
    const engine = this.engine;
    this.prepared = engine.prepare().then(
      async () => {
        if (this.status === "preparing") this.status = "ready";
        if (report && !this.stopped)
          await this.opts.reporter.ready().catch((err: unknown) => log.error({ err }, "could not report the worker ready"));
      },
      async (err: unknown) => {
        // It could not start (a locustfile that does not import): the run fails with why, rather than at its ready deadline.
        const reason = err instanceof Error ? err.message : String(err);
        log.error({ reason }, "run cannot be run here: failing it");
        if (!this.stopped)
          await this.opts.reporter.failed(reason).catch((e: unknown) => log.error({ err: e }, "could not report the run failed"));
      },
    );
    return this.prepared;
  }

  /** Starts the load with `originMs` (epoch ms), the run's agreed start, as its time zero; once prepared. */
  begin(originMs: number): Promise<void> {
    const prepared = this.prepared ?? this.prepare(false);
    return prepared.then(() => {
      const engine = this.engine;
      if (this.status !== "ready" || !engine) return;
      this.status = "running";
      // Traced: the start of the lanes, in the trace of the run.started it follows; its first window carries it on to the metrics projection.
      return withSpan("start lanes", { "loadline.run_id": this.opts.runId, "loadline.worker_id": this.opts.workerId }, () => {
        engine.begin(originMs);
        this.opts.sink.traceNext?.(context.active());
        this.opts.log.info({ inMs: originMs - Date.now() }, "run begins");
      });
    });
  }

  /** Resolves once every executor has ended (its work done or its time up, or the stop); undefined until the engine is made. */
  get finished(): Promise<void> | undefined {
    return this.engine?.finished;
  }

  /** Lanes a lost worker left: they join the run at its current point. */
  addLanes(lanes: readonly number[]): void {
    if (this.stopped) return;
    if (!this.engine) void this.prepare(false);
    this.engine?.addLanes(lanes);
  }

  /** The run's live control (pause, resume, scale): the whole state, applied at once or when the engine is made. */
  control(c: LoadControl): void {
    this.controlled = c;
    if (this.stopped) return;
    this.engine?.control(c);
    this.opts.log.info({ paused: c.paused, vuFactor: c.vuFactor, rateFactor: c.rates.at(-1)?.factor ?? 1 }, "run control applied");
  }

  /** Hands every finished second's window to the sink: called once a second, just after the boundary. */
  tick(nowSecond: number): void {
    this.engine?.tick(nowSecond);
    this.updateActiveGauge();
  }

  /**
   * Stops once; later calls get the same totals. The iterations running get their executor's
   * graceful stop, or `graceMs` when shorter (0 when it was declared lost: its lanes run
   * elsewhere already). `report: false` when the run no longer wants to hear from this worker:
   * the windows are still published.
   */
  stop(reason: string, opts: { report?: boolean; graceMs?: number } = {}): Promise<RunTotals> {
    this.stopped ??= this.stopOnce(reason, opts.report ?? true, opts.graceMs);
    return this.stopped;
  }

  private async stopOnce(reason: string, report: boolean, graceMs: number | undefined): Promise<RunTotals> {
    const { log, sink, reporter } = this.opts;
    this.status = "stopping";
    log.info({ reason, activeUsers: this.activeUsers }, "stopping run");
    await this.prepared?.catch(() => undefined);
    const totals = (await this.engine?.stop(graceMs)) ?? { requests: 0, failures: 0 };
    this.updateActiveGauge();
    if (this.engine && !(await sink.drain(this.opts.drainTimeoutMs ?? 30_000)))
      log.error("last metric windows not acknowledged: reporting stop anyway");
    const teardown = report && this.opts.afterLoad ? await this.opts.afterLoad() : undefined;
    if (report) await reporter.stopped(totals, teardown).catch((err: unknown) => log.error({ err }, "could not report the worker stopped"));
    this.status = "stopped";
    log.info({ ...totals, interrupted: this.interrupted.requests, interruptedIterations: this.interrupted.iterations }, "run stopped");
    return totals;
  }

  private handOver(windows: MetricWindow[]): void {
    const { metrics, sink } = this.opts;
    for (const w of windows) {
      this.interrupted.iterations += w.interruptedIterations ?? 0;
      for (const r of w.requests) {
        this.counted.requests += r.count;
        this.counted.failures += r.failures;
        this.interrupted.requests += r.interrupted ?? 0;
        metrics.requests.inc(r.count);
        metrics.failures.inc(r.failures);
      }
    }
    sink.enqueue(windows);
  }

  /** The gauge follows the engine at each tick: per-VU updates would cost the hot path. */
  private updateActiveGauge(): void {
    const active = this.activeUsers;
    this.opts.metrics.activeUsers.inc(active - this.reportedActive);
    this.reportedActive = active;
  }
}
