import { gracefulStopMs, type MetricWindow, type RunPlan } from "@loadline/core";
import { CompiledScenario, type PlannedOrigin, type Transport } from "../scenario/index.ts";
import { HttpTransport } from "../transport/http-transport.ts";
import { currentSecond, type RunTotals, WindowAccumulator } from "../windows.ts";
import { executorRun } from "./executor-factory.ts";
import type { ExecutorRun } from "./executor-run.ts";
import { GeneratorProbe } from "./generator-probe.ts";
import { GracefulStop } from "./graceful-stop.ts";
import { IterationContext } from "./iteration-context.ts";
import { AS_PLANNED, currentRateFactor, executorControl, type LoadControl } from "./load-control.ts";
import { rehearsalMs, rehearse } from "./rehearsal.ts";
import { BASE_WARM_UP_REQUESTS, topUpWarmUpRequests, warmUp } from "./warm-up.ts";
import {
  partsConnectionsAhead,
  partsMaxVus,
  partsPeakRate,
  type Scale,
  type ThreadPart,
  vuIdsOf,
  type Workload,
  workloadsOf,
} from "./workloads.ts";

/** A transport the load may close at the end, let hold more connections when lanes are added, and have connect ahead. */
export type ClosableTransport = Transport & {
  close(): Promise<void>;
  allow?(connections: number): void;
  openAhead?(origins: readonly PlannedOrigin[], count: number, withinMs: number): Promise<void>;
};

/**
 * How long a thread's prepare waits for the connections it opens ahead (the rest join as they
 * open): well within the run's ready deadline (30 s), and a target slow to accept must not hold
 * the start for long.
 */
const OPEN_AHEAD_WITHIN_MS = 2000;

export type ThreadLoadOptions = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  /** This thread's executor runs: workloads in lanes of the run. */
  parts: ThreadPart[];
  onError: (err: unknown) => void;
  /** Undici by default, with as many connections per origin as this thread may have VUs. */
  transport?: ClosableTransport;
  /** The HTTP client's warm-up when it was begun ahead (a spare thread's, before it had a run): prepare waits for it instead. */
  warmedUp?: Promise<unknown>;
};

export type StopResult = { windows: MetricWindow[]; totals: RunTotals; abortedAfterGrace: boolean };

/** `performance.now()` time of an epoch instant, in this thread (each thread has its own time origin). */
const perfTime = (epochMs: number): number => epochMs - performance.timeOrigin;

/**
 * One thread's load: its parts of the plan's executors, one transport, one window
 * accumulator. The engines run it: InlineEngine one in its own thread, MultiThreadEngine one
 * in each engine thread (and merges their windows). It is prepared (HTTP client warmed up),
 * then begun at the run's agreed start; parts added later join at once. The run's live control
 * (pause, scale) goes to every executor, those that join later too.
 */
export class ThreadLoad {
  private readonly workloads: Workload[];
  private readonly scenarios: CompiledScenario[];
  private readonly windows: WindowAccumulator;
  private readonly ctx: IterationContext;
  private readonly transport: ClosableTransport;
  private readonly parts: ThreadPart[] = [];
  private readonly runs: ExecutorRun[] = [];
  /** Each run's graceful stop, in the same order. */
  private readonly graces: GracefulStop[] = [];
  private prepared: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** The run's time zero (epoch ms) once begun. */
  private origin: number | undefined;
  private stopped: Promise<StopResult> | undefined;
  private controlled: LoadControl = AS_PLANNED;

  constructor(private readonly opts: ThreadLoadOptions) {
    const { plan } = opts;
    this.workloads = workloadsOf(plan);
    this.windows = new WindowAccumulator(opts.runId, opts.workerId, currentSecond(), new GeneratorProbe());
    const compile = {
      workerId: opts.workerId,
      secrets: plan.secrets ?? {},
      ...(plan.setupValues ? { setup: plan.setupValues } : {}),
      ...(plan.http ? { http: plan.http } : {}),
    };
    const scenarios = (this.scenarios = plan.scenarios.map((s) => CompiledScenario.compile(s, plan.targetUrl, compile)));
    this.transport =
      opts.transport ??
      new HttpTransport({
        connections: Math.max(1, partsMaxVus(this.workloads, opts.parts)),
        // The tenant's target policy (absent in local runs): checked per origin, and per connection against the resolved address.
        ...(plan.targetPolicy ? { targetPolicy: plan.targetPolicy } : {}),
      });
    this.ctx = new IterationContext(scenarios, this.transport, this.windows, opts.onError);
    this.add(opts.parts);
  }

  get activeUsers(): number {
    return this.ctx.activeUsers;
  }

  /** What the load has sent: nothing before it begins (its warm-up and rehearsal are not the run's). */
  get totals(): RunTotals {
    return this.origin === undefined ? { requests: 0, failures: 0 } : this.windows.totals;
  }

  /** Resolves when every executor of this thread is over (or the load stopped before they began). */
  get done(): Promise<void> {
    return Promise.all(this.runs.map((r) => r.done)).then(() => undefined);
  }

  /**
   * Off the clock, so that the first iterations pay for none of it: warms the HTTP client up as
   * long as its rate asks, rehearses its open executors (rehearsal.ts), then opens its VUs'
   * connections to the origins their requests name.
   */
  prepare(): Promise<void> {
    this.prepared ??= this.warmUp().then(() => this.openAhead());
    return this.prepared;
  }

  private warmUp(): Promise<unknown> {
    if (this.opts.transport) return Promise.resolve();
    // With the signal the run's first executor passes to its requests (its graceful stop's): see warmUp.
    const signal = this.graces[0]?.signal;
    const peakRate = partsPeakRate(this.workloads, this.parts);
    const topUp = topUpWarmUpRequests(peakRate);
    return (
      (this.opts.warmedUp ?? warmUp(BASE_WARM_UP_REQUESTS, signal))
        .then(() => warmUp(topUp, signal))
        // Only where the rate asks for more than the base warm-up: slow runs start as soon as before.
        .then(() => (topUp > 0 ? this.rehearse(rehearsalMs(peakRate)) : undefined))
        // Only an optimisation: a failed warm-up leaves the first iterations slower, nothing worse.
        .catch(() => undefined)
    );
  }

  private rehearse(ms: number): Promise<unknown> {
    const parts = this.parts.map((p, i) => ({ workload: this.workloads[p.workload]!, lane: p.lane, interrupt: this.graces[i]!.signal }));
    return rehearse(parts, this.windows, this.ctx.stopping.signal, ms);
  }

  /** The connections this thread's VUs may need from the start (partsConnectionsAhead), to each origin its scenarios' requests name. */
  private async openAhead(): Promise<void> {
    const used = new Set(this.parts.flatMap((p) => this.workloads[p.workload]!.scenarios));
    const origins = [...used].flatMap((i) => this.scenarios[i]!.plannedOrigins);
    // Only an optimisation too: a connection that fails to open leaves its failure to the run's requests.
    await this.transport
      .openAhead?.(origins, partsConnectionsAhead(this.workloads, this.parts), OPEN_AHEAD_WITHIN_MS)
      .catch(() => undefined);
  }

  /** Starts every executor with `originMs` (epoch ms) as its time zero: they wait for it, or catch up on it. */
  begin(originMs: number): void {
    if (this.origin !== undefined || this.stopped) return;
    this.origin = originMs;
    this.windows.skipTo(currentSecond(originMs));
    this.windows.beginMeasuring();
    // Paused from its first window: a run paused before this worker joined it.
    if (this.controlled.paused) this.windows.setPaused(true, this.windows.openSecond);
    const control = executorControl(this.controlled, originMs);
    for (const run of this.runs) {
      run.control(control);
      run.start({ origin: perfTime(originMs) });
    }
  }

  /**
   * The run's live control: every executor follows it from now (a scale from its instant; see
   * LoadControl). The same state again changes nothing. Before the start it is kept for it.
   */
  control(c: LoadControl): void {
    if (this.stopped) return;
    const pausedBefore = this.controlled.paused;
    this.controlled = c;
    this.transport.allow?.(this.connections());
    if (this.origin === undefined) return;
    if (c.paused !== pausedBefore) this.windows.setPaused(c.paused, currentSecond());
    const control = executorControl(c, this.origin);
    for (const run of this.runs) run.control(control);
  }

  /** More parts (a lost worker's lanes): once begun they join now, at the run's point in time. */
  add(parts: readonly ThreadPart[]): void {
    if (this.stopped || parts.length === 0) return;
    this.parts.push(...parts);
    this.transport.allow?.(this.connections());
    for (const part of parts) {
      const workload = this.workloads[part.workload]!;
      const grace = new GracefulStop(gracefulStopMs(workload.executor));
      const run = executorRun(workload, part.lane, vuIdsOf(this.workloads, part.workload), this.ctx, grace);
      this.graces.push(grace);
      this.runs.push(run);
      if (this.origin === undefined) continue;
      run.control(executorControl(this.controlled, this.origin));
      run.start({ origin: perfTime(this.origin), joinedAt: performance.now() });
    }
  }

  /** As many connections per origin as its parts may have VUs at once, under the scale now. */
  private connections(): number {
    const scale: Scale = { vuFactor: this.controlled.vuFactor, rateFactor: currentRateFactor(this.controlled.rates) };
    return Math.max(1, partsMaxVus(this.workloads, this.parts, scale));
  }

  /** The windows of the seconds before `second` not yet handed over. */
  closeBefore(second: number): MetricWindow[] {
    return this.origin === undefined ? [] : this.windows.closeBefore(second);
  }

  /**
   * Starts no further iteration; the iterations running get their executor's graceful stop (no
   * more than `capMs` when given: 0 interrupts them at once), then are interrupted; hands over
   * the last windows as soon as the last iteration has ended. Nothing waits for a grace that has
   * nothing left to wait for.
   */
  stop(capMs?: number): Promise<StopResult> {
    this.stopped ??= this.stopOnce(capMs);
    return this.stopped;
  }

  /**
   * Resolves once the connections are closed, after a stop. The stop does not wait for it:
   * closing ten thousand sockets whose requests were interrupted takes seconds, and the run's
   * last windows (and so its end) need not wait for that.
   */
  closed(): Promise<void> {
    return this.closing ?? Promise.resolve();
  }

  private async stopOnce(capMs: number | undefined): Promise<StopResult> {
    // Each executor ends on this, and begins its graceful stop.
    this.ctx.stopping.abort();
    if (this.origin !== undefined) {
      for (const grace of this.graces) grace.begin(capMs);
      await this.done;
    }
    const windows = this.origin === undefined ? [] : this.windows.finish(currentSecond());
    // On a later turn of the loop: closing is synchronous work (some 0.1-0.4 ms a connection) that the answer must not wait for.
    this.closing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.transport.close().catch(() => undefined));
    return { windows, totals: this.totals, abortedAfterGrace: this.graces.some((g) => g.interrupted) };
  }
}
