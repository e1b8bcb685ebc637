import { setMaxListeners } from "node:events";
import type { Logger, RunTarget } from "@loadline/core";
import { HttpTarget, prepareRequests, type Outcome, type PreparedRequest } from "./http-target.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { RunReporter } from "./run-reporter.ts";
import { Spawner } from "./spawn.ts";
import { runVirtualUser } from "./virtual-user.ts";
import type { WindowSink } from "./window-publisher.ts";
import { currentSecond, WindowAccumulator, type RunTotals } from "./windows.ts";

export type RunLoadOptions = {
  runId: string;
  workerId: string;
  target: RunTarget;
  users: number;
  spawnRate: number;
  sink: WindowSink;
  reporter: RunReporter;
  metrics: WorkerMetrics;
  log: Logger;
  /** How long a stop lets the requests in flight finish before aborting them. */
  inFlightGraceMs?: number;
  /** How long a stop waits for its last windows to be acknowledged. */
  drainTimeoutMs?: number;
};

export type RunLoadState = "idle" | "running" | "stopping" | "stopped";

/**
 * One run's load on this worker (closed model): `users` virtual users over one keep-alive
 * pool, their samples collected into per-second windows handed to the sink at each tick.
 * A stop lets the requests in flight end, so every request sent is counted in a window
 * before the totals are reported.
 */
export class RunLoad {
  private readonly requests: PreparedRequest[];
  private readonly target: HttpTarget;
  private readonly spawner: Spawner;
  /** One signal for the whole run: every request in flight listens to it, so no listener cap. */
  private readonly abort = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  private readonly users: Promise<void>[] = [];
  private windows: WindowAccumulator | undefined;
  private active = 0;
  private status: RunLoadState = "idle";
  private startedReport: Promise<void> | undefined;
  private stopped: Promise<RunTotals> | undefined;

  constructor(private readonly opts: RunLoadOptions) {
    const prepared = prepareRequests(opts.target.targetUrl, opts.target.requests);
    this.requests = prepared.requests;
    this.target = new HttpTarget(prepared.origin, opts.users);
    this.spawner = new Spawner(opts.users, opts.spawnRate, () => this.startUser());
  }

  get runId(): string {
    return this.opts.runId;
  }

  get state(): RunLoadState {
    return this.status;
  }

  get activeUsers(): number {
    return this.active;
  }

  get totals(): RunTotals {
    return this.windows?.totals ?? { requests: 0, failures: 0 };
  }

  start(): void {
    if (this.status !== "idle") return;
    this.status = "running";
    this.windows = new WindowAccumulator(this.opts.runId, this.opts.workerId, currentSecond());
    // With no user to start, there is nothing to wait for before saying so.
    if (this.opts.users === 0) this.reportStarted();
    this.spawner.start();
  }

  /** Hands every finished second's window to the sink: called once a second, just after the boundary. */
  tick(nowSecond: number = currentSecond()): void {
    if (!this.windows) return;
    const windows = this.windows.closeBefore(nowSecond);
    if (windows.length > 0) this.opts.sink.enqueue(windows);
  }

  /** Stops once; later calls get the same totals. */
  stop(reason: string): Promise<RunTotals> {
    this.stopped ??= this.stopOnce(reason);
    return this.stopped;
  }

  private async stopOnce(reason: string): Promise<RunTotals> {
    const { log, sink, reporter } = this.opts;
    const wasRunning = this.status === "running";
    this.status = "stopping";
    this.spawner.cancel();
    log.info({ reason, activeUsers: this.active }, "stopping run");

    const grace = this.opts.inFlightGraceMs ?? 5000;
    let graceTimer: NodeJS.Timeout | undefined;
    const allEnded = Promise.all(this.users).then(() => true);
    const inTime = await Promise.race([allEnded, new Promise<false>((r) => (graceTimer = setTimeout(() => r(false), grace)))]);
    clearTimeout(graceTimer);
    if (!inTime) {
      log.warn({ graceMs: grace }, "requests still in flight after the grace period: aborting them");
      this.abort.abort();
      await allEnded;
    }
    await this.target.close().catch((err: unknown) => log.warn({ err }, "closing the connection pool failed"));

    if (this.windows) {
      sink.enqueue(this.windows.finish(currentSecond()));
      if (!(await sink.drain(this.opts.drainTimeoutMs ?? 30_000))) log.error("last metric windows not acknowledged: reporting stop anyway");
    }
    const totals = this.totals;
    if (wasRunning) {
      await this.startedReport?.catch(() => undefined);
      await reporter.stopped(totals).catch((err: unknown) => log.error({ err }, "could not report the worker stopped"));
    }
    this.status = "stopped";
    log.info({ ...totals }, "run stopped");
    return totals;
  }

  private startUser(): void {
    if (this.status !== "running") return;
    this.setActive(this.active + 1);
    if (this.users.length === 0) this.reportStarted();
    const ended = runVirtualUser({
      requests: this.requests,
      send: (req, signal) => this.target.send(req, signal),
      record: (req, outcome) => this.record(req, outcome),
      running: () => this.status === "running",
      signal: this.abort.signal,
    })
      .catch((err: unknown) => this.opts.log.error({ err }, "virtual user failed"))
      .finally(() => this.setActive(this.active - 1));
    this.users.push(ended);
  }

  private record(req: PreparedRequest, outcome: Outcome): void {
    this.windows?.record(currentSecond(), {
      name: req.name,
      method: req.method,
      latencyUs: outcome.latencyUs,
      ok: outcome.ok,
      bytesIn: outcome.bytesIn,
      bytesOut: outcome.bytesOut,
    });
    this.opts.metrics.requests.inc();
    if (!outcome.ok) this.opts.metrics.failures.inc();
  }

  private setActive(users: number): void {
    this.opts.metrics.activeUsers.inc(users - this.active);
    this.active = users;
    this.windows?.setActiveUsers(users, currentSecond());
  }

  private reportStarted(): void {
    this.startedReport = this.opts.reporter.started().catch((err: unknown) => {
      this.opts.log.error({ err }, "could not report the worker started");
    });
  }
}
