import type { MetricWindow, RunPlan } from "@loadline/core";
import { CompiledScenario, type Transport } from "../scenario/index.ts";
import { UndiciTransport, warmUpUndici } from "../transport/undici-transport.ts";
import { currentSecond, type RunTotals, WindowAccumulator } from "../windows.ts";
import { executorRun } from "./executor-factory.ts";
import type { ExecutorRun } from "./executor-run.ts";
import { IterationContext } from "./iteration-context.ts";
import { partsMaxVus, type ThreadPart, type Workload, workloadsOf } from "./workloads.ts";

/** A transport the load may close at the end, and let hold more connections when lanes are added. */
export type ClosableTransport = Transport & { close(): Promise<void>; allow?(connections: number): void };

export type ThreadLoadOptions = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  /** This thread's executor runs: workloads in lanes of the run. */
  parts: ThreadPart[];
  onError: (err: unknown) => void;
  /** Undici by default, with as many connections per origin as this thread may have VUs. */
  transport?: ClosableTransport;
};

export type StopResult = { windows: MetricWindow[]; totals: RunTotals; abortedAfterGrace: boolean };

/** `performance.now()` time of an epoch instant, in this thread (each thread has its own time origin). */
const perfTime = (epochMs: number): number => epochMs - performance.timeOrigin;

/**
 * One thread's load: its parts of the plan's executors, one transport, one window
 * accumulator. The engines run it: InlineEngine one in its own thread, MultiThreadEngine one
 * in each engine thread (and merges their windows). It is prepared (HTTP client warmed up),
 * then begun at the run's agreed start; parts added later join at once.
 */
export class ThreadLoad {
  private readonly workloads: Workload[];
  private readonly windows: WindowAccumulator;
  private readonly ctx: IterationContext;
  private readonly transport: ClosableTransport;
  private readonly parts: ThreadPart[] = [];
  private readonly runs: ExecutorRun[] = [];
  private prepared: Promise<void> | undefined;
  /** The run's time zero (epoch ms) once begun. */
  private origin: number | undefined;
  private stopped: Promise<StopResult> | undefined;

  constructor(private readonly opts: ThreadLoadOptions) {
    const { plan } = opts;
    this.workloads = workloadsOf(plan);
    this.windows = new WindowAccumulator(opts.runId, opts.workerId, currentSecond());
    const scenarios = plan.scenarios.map((s) => CompiledScenario.compile(s, plan.targetUrl));
    this.transport = opts.transport ?? new UndiciTransport({ connections: Math.max(1, partsMaxVus(this.workloads, opts.parts)) });
    this.ctx = new IterationContext(scenarios, this.transport, this.windows, opts.onError);
    this.add(opts.parts);
  }

  get activeUsers(): number {
    return this.ctx.activeUsers;
  }

  get totals(): RunTotals {
    return this.windows.totals;
  }

  /** Resolves when every executor of this thread is over (or the load stopped before they began). */
  get done(): Promise<void> {
    return Promise.all(this.runs.map((r) => r.done)).then(() => undefined);
  }

  /** Warms the HTTP client up, off the clock: the first iterations must not pay for it. */
  prepare(): Promise<void> {
    // Only an optimisation: a failed warm-up leaves the first iterations slower, nothing worse.
    this.prepared ??= this.opts.transport ? Promise.resolve() : warmUpUndici().catch(() => undefined);
    return this.prepared;
  }

  /** Starts every executor with `originMs` (epoch ms) as its time zero: they wait for it, or catch up on it. */
  begin(originMs: number): void {
    if (this.origin !== undefined || this.stopped) return;
    this.origin = originMs;
    this.windows.skipTo(currentSecond(originMs));
    for (const run of this.runs) run.start({ origin: perfTime(originMs) });
  }

  /** More parts (a lost worker's lanes): once begun they join now, at the run's point in time. */
  add(parts: readonly ThreadPart[]): void {
    if (this.stopped || parts.length === 0) return;
    this.parts.push(...parts);
    this.transport.allow?.(Math.max(1, partsMaxVus(this.workloads, this.parts)));
    for (const part of parts) {
      const run = executorRun(this.workloads[part.workload]!, part.lane, this.ctx);
      this.runs.push(run);
      if (this.origin !== undefined) run.start({ origin: perfTime(this.origin), joinedAt: performance.now() });
    }
  }

  /** The windows of the seconds before `second` not yet handed over. */
  closeBefore(second: number): MetricWindow[] {
    return this.origin === undefined ? [] : this.windows.closeBefore(second);
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
    const ended = this.origin === undefined ? Promise.resolve() : this.done;
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([ended.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!inTime) {
      this.ctx.abort.abort();
      await ended;
    }
    await this.transport.close().catch(() => undefined);
    const windows = this.origin === undefined ? [] : this.windows.finish(currentSecond());
    return { windows, totals: this.windows.totals, abortedAfterGrace: !inTime };
  }
}
