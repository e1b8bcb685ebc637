import { executorMaxVUs, type MetricWindow, type RunPlan } from "@loadline/core";
import { CompiledScenario, type Transport } from "../scenario/index.ts";
import { laneShare, type Lane } from "../schedule/lane.ts";
import { UndiciTransport, warmUpUndici } from "../transport/undici-transport.ts";
import { currentSecond, WindowAccumulator, type RunTotals } from "../windows.ts";
import { executorRun } from "./executor-factory.ts";
import { completion, type ExecutorRun } from "./executor-run.ts";
import { IterationContext } from "./iteration-context.ts";
import { laneOf, workloadsOf } from "./workloads.ts";

/** A transport the engine may close at the end. */
export type ClosableTransport = Transport & { close(): Promise<void> };

export type ThreadEngineOptions = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  /** This worker's part of the run (the assignment's fraction). */
  fraction: number;
  /** Which of the worker's threads this is. */
  thread: Lane;
  /** The epoch second of the first window: the same in every thread, so their windows line up. */
  firstSecond: number;
  onError: (err: unknown) => void;
  /** Undici by default, with as many connections per origin as this thread may have VUs. */
  transport?: ClosableTransport;
};

export type StopResult = { windows: MetricWindow[]; totals: RunTotals; abortedAfterGrace: boolean };

/**
 * One thread's load: its lane of every executor of the plan, one transport, one window
 * accumulator. The worker runs one per thread and merges their windows.
 */
export class ThreadEngine {
  private readonly windows: WindowAccumulator;
  private readonly ctx: IterationContext;
  private readonly transport: ClosableTransport;
  private readonly runs: ExecutorRun[] = [];
  private started = false;
  /** True once the executors run: a stop during the warm-up has none to wait for. */
  private running = false;
  private stopped: Promise<StopResult> | undefined;
  private readonly over = completion();

  constructor(private readonly opts: ThreadEngineOptions) {
    const { plan, thread } = opts;
    this.windows = new WindowAccumulator(opts.runId, opts.workerId, opts.firstSecond);
    const scenarios = plan.scenarios.map((s) => CompiledScenario.compile(s, plan.targetUrl));
    const parts = workloadsOf(plan, opts.fraction).flatMap((w) => {
      const lane = laneOf(w.executor, thread);
      return lane ? [{ workload: w, lane }] : [];
    });
    const maxVus = parts.reduce((n, p) => n + laneShare(executorMaxVUs(p.workload.executor), p.lane), 0);
    this.transport = opts.transport ?? new UndiciTransport({ connections: Math.max(1, maxVus) });
    this.ctx = new IterationContext(scenarios, this.transport, this.windows, opts.onError);
    for (const { workload, lane } of parts) this.runs.push(executorRun(workload, lane, this.ctx));
  }

  get activeUsers(): number {
    return this.ctx.activeUsers;
  }

  get totals(): RunTotals {
    return this.windows.totals;
  }

  /** Resolves when every executor of this thread is over (or the engine stopped before they started). */
  get done(): Promise<void> {
    return this.over.promise;
  }

  /** Warms the HTTP client up (off the clock), then starts every executor: their time zero is now. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    // Only an optimisation: a failed warm-up leaves the first iterations slower, nothing worse.
    if (!this.opts.transport) await warmUpUndici().catch(() => undefined);
    if (this.stopped) return;
    for (const run of this.runs) run.start();
    this.running = true;
    void Promise.all(this.runs.map((r) => r.done)).then(() => this.over.resolve());
  }

  /** The windows of the seconds before `second` not yet handed over. */
  closeBefore(second: number): MetricWindow[] {
    return this.windows.closeBefore(second);
  }

  /**
   * Starts no further iteration, lets those running end for up to `graceMs`, then aborts the
   * rest (their requests in flight count as resets), and hands over the last windows.
   */
  stop(graceMs: number): Promise<StopResult> {
    this.stopped ??= this.stopOnce(graceMs);
    return this.stopped;
  }

  private async stopOnce(graceMs: number): Promise<StopResult> {
    this.ctx.stopping.abort();
    if (!this.running) this.over.resolve();
    const ended = this.done;
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([ended.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!inTime) {
      this.ctx.abort.abort();
      await ended;
    }
    await this.transport.close().catch(() => undefined);
    const windows = this.windows.finish(currentSecond());
    return { windows, totals: this.windows.totals, abortedAfterGrace: !inTime };
  }
}
