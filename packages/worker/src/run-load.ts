import type { Logger, MetricWindow, RunPlan } from "@loadline/core";
import { createLoadEngine } from "./create-engine.ts";
import type { LoadEngine } from "./engine/load-engine.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { RunReporter } from "./run-reporter.ts";
import type { WindowSink } from "./window-publisher.ts";
import { currentSecond, type RunTotals } from "./windows.ts";

export type RunLoadOptions = {
  runId: string;
  workerId: string;
  /** What to run: core's runPlan(run.target, run.parameters). */
  plan: RunPlan;
  /** This worker's part of every executor (the assignment's fraction). Default 1. */
  fraction?: number;
  /** Worker threads to spread the load over. Default 1: in this thread. */
  threads?: number;
  sink: WindowSink;
  reporter: RunReporter;
  metrics: WorkerMetrics;
  log: Logger;
  /** How long a stop lets the iterations running finish before aborting them. */
  inFlightGraceMs?: number;
  /** How long a stop waits for its last windows to be acknowledged. */
  drainTimeoutMs?: number;
};

export type RunLoadState = "idle" | "running" | "stopping" | "stopped";

/**
 * One run's load on this worker: the plan's executors (this worker's fraction of them) run
 * by the engine, their per-second windows handed to the sink at each tick. A stop lets the
 * iterations running end, so every request sent is counted in a window before the totals
 * are reported.
 */
export class RunLoad {
  private engine: LoadEngine | undefined;
  private status: RunLoadState = "idle";
  private startedReport: Promise<void> | undefined;
  private stopped: Promise<RunTotals> | undefined;
  private counted: RunTotals = { requests: 0, failures: 0 };
  private reportedActive = 0;

  constructor(private readonly opts: RunLoadOptions) {}

  get runId(): string {
    return this.opts.runId;
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

  /** Starts the load; throws, staying idle, when the plan cannot run (its scenarios do not compile). */
  start(): void {
    if (this.status !== "idle") return;
    const { runId, workerId, plan, log } = this.opts;
    this.engine = createLoadEngine({
      runId,
      workerId,
      plan,
      fraction: this.opts.fraction ?? 1,
      threads: this.opts.threads ?? 1,
      firstSecond: currentSecond(),
      onWindows: (windows) => this.handOver(windows),
      onError: (err) => log.error({ err }, "load engine error"),
      onAbortedAfterGrace: () => log.warn({ graceMs: this.grace }, "iterations still running after the grace period: aborted"),
      onWarning: (message) => log.warn(message),
    });
    this.status = "running";
    // Reported once the executors run: threads take a moment to start.
    this.startedReport = this.engine
      .start()
      .then(() => this.opts.reporter.started())
      .catch((err: unknown) => log.error({ err }, "could not report the worker started"));
  }

  /** Resolves once the load runs (and its start was reported, or that failed). */
  get running(): Promise<void> {
    return this.startedReport ?? Promise.resolve();
  }

  /** Hands every finished second's window to the sink: called once a second, just after the boundary. */
  tick(nowSecond: number = currentSecond()): void {
    this.engine?.tick(nowSecond);
    this.updateActiveGauge();
  }

  /** Stops once; later calls get the same totals. */
  stop(reason: string): Promise<RunTotals> {
    this.stopped ??= this.stopOnce(reason);
    return this.stopped;
  }

  private get grace(): number {
    return this.opts.inFlightGraceMs ?? 5000;
  }

  private async stopOnce(reason: string): Promise<RunTotals> {
    const { log, sink, reporter } = this.opts;
    const wasRunning = this.status === "running";
    this.status = "stopping";
    log.info({ reason, activeUsers: this.activeUsers }, "stopping run");
    const totals = (await this.engine?.stop(this.grace)) ?? { requests: 0, failures: 0 };
    this.updateActiveGauge();
    if (this.engine && !(await sink.drain(this.opts.drainTimeoutMs ?? 30_000))) log.error("last metric windows not acknowledged: reporting stop anyway");
    if (wasRunning) {
      await this.startedReport?.catch(() => undefined);
      await reporter.stopped(totals).catch((err: unknown) => log.error({ err }, "could not report the worker stopped"));
    }
    this.status = "stopped";
    log.info({ ...totals }, "run stopped");
    return totals;
  }

  private handOver(windows: MetricWindow[]): void {
    const { metrics, sink } = this.opts;
    for (const w of windows) {
      for (const r of w.requests) {
        this.counted.requests += r.count;
        this.counted.failures += r.failures;
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
