import { gracefulStopMs, type MetricWindow } from "@loadline/core";
import type { Resolver } from "../../transport/target-guard.ts";
import { currentSecond, type RequestSample, type RunTotals, WindowAccumulator } from "../../windows.ts";
import { AS_PLANNED, type LoadControl } from "../load-control.ts";
import type { LoadEngine, LoadEngineOptions } from "../load-engine.ts";
import { approvedAddresses } from "./approved-addresses.ts";
import type { LocustMessage } from "./locust-messages.ts";
import { LocustProcess } from "./locust-process.ts";
import { type LocustSchedule, locustSchedule, stepAt } from "./locust-schedule.ts";

export type LocustEngineOptions = LoadEngineOptions & {
  /** The locust executable. Default `locust` on the PATH. */
  command?: string;
  /** How the target's host name is resolved (tests pass their own). */
  resolve?: Resolver;
  /** How long Locust may take to import the locustfile and say it is ready. */
  readyTimeoutMs?: number;
};

/** After the graceful stop, how long the Locust process has to report its last requests before it is killed. */
const STOP_MARGIN_MS = 5_000;
/** After it reported them, how long it has to exit by itself. */
const EXIT_MARGIN_MS = 3_000;
const READY_TIMEOUT_MS = 60_000;
/**
 * The request names a run keeps per worker; later new ones are counted under OTHER_NAMES. Locust
 * names a request by its URL unless told otherwise: ids in URLs would make a row each.
 */
export const MAX_REQUEST_NAMES = 500;
export const OTHER_NAMES = "(other names)";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};
const within = (ms: number, ...promises: Promise<unknown>[]): Promise<unknown> =>
  Promise.race([...promises, new Promise((r) => setTimeout(r, ms).unref())]);

/**
 * A run's lanes on this worker run by Locust itself (docs/locust.md): one Locust process,
 * prepared (locustfile imported, users not started) and told to go at the run's agreed start
 * with this worker's share of the users; every request it reports is recorded into the same
 * per-second windows as the built-in engine's (WindowAccumulator), exactly and in full. Ramping
 * stages, lanes taken over, pause and scale become new user counts; the stop gives users in a
 * task the workload's graceful stop (Locust's stop_timeout), then kills them, their requests
 * in flight counted as interrupted.
 */
export class LocustEngine implements LoadEngine {
  private readonly windows: WindowAccumulator;
  private readonly lanes: number[];
  private schedule: LocustSchedule;
  private process: LocustProcess | undefined;
  private prepared: Promise<void> | undefined;
  private readonly ready = deferred();
  private isReady = false;
  private readonly ended = deferred();
  private readonly reportedStop = deferred();
  private origin: number | undefined;
  private timers: NodeJS.Timeout[] = [];
  private controlled: LoadControl = AS_PLANNED;
  private users = 0;
  private workloadOver = false;
  private interrupted = 0;
  private stopped: Promise<RunTotals> | undefined;
  private readonly names = new Set<string>();

  constructor(private readonly opts: LocustEngineOptions) {
    this.windows = new WindowAccumulator(opts.runId, opts.workerId, currentSecond());
    this.lanes = [...opts.share.lanes];
    this.schedule = this.scheduleOfLanes();
  }

  get activeUsers(): number {
    return this.users;
  }

  get finished(): Promise<void> {
    return this.ended.promise;
  }

  prepare(): Promise<void> {
    this.prepared ??= this.start();
    return this.prepared;
  }

  begin(originMs: number): void {
    if (this.origin !== undefined || this.stopped || !this.process) return;
    this.origin = originMs;
    this.windows.skipTo(currentSecond(originMs));
    if (this.controlled.paused) this.windows.setPaused(true, this.windows.openSecond);
    this.process.send({ cmd: "go", at: originMs, ...this.target(Date.now() - originMs) });
    this.arm();
  }

  addLanes(lanes: readonly number[]): void {
    if (this.stopped || lanes.length === 0) return;
    this.lanes.push(...lanes);
    this.schedule = this.scheduleOfLanes();
    if (this.origin === undefined || this.workloadOver) return;
    this.apply();
    this.arm();
  }

  control(c: LoadControl): void {
    if (this.stopped) return;
    const pausedBefore = this.controlled.paused;
    this.controlled = c;
    if (this.origin === undefined || this.workloadOver) return;
    if (c.paused !== pausedBefore) this.windows.setPaused(c.paused, currentSecond());
    this.apply();
  }

  tick(second: number): void {
    if (this.origin === undefined) return;
    const windows = this.windows.closeBefore(second);
    if (windows.length > 0) this.opts.onWindows(windows);
  }

  stop(capMs?: number): Promise<RunTotals> {
    this.stopped ??= this.stopOnce(capMs);
    return this.stopped;
  }

  private async start(): Promise<void> {
    const { plan, onWarning } = this.opts;
    const approved = await approvedAddresses(plan.targetUrl, plan.targetPolicy, this.opts.resolve);
    if (approved.refusal) onWarning?.(`Locust may connect nowhere, each of its requests fails: ${approved.refusal}`);
    const process = await LocustProcess.start({
      locustfile: plan.locustfile ?? "",
      host: plan.targetUrl.replace(/\/+$/, ""),
      approvedAddresses: approved.addresses,
      onMessage: (m) => this.onMessage(m),
      ...(this.opts.command ? { command: this.opts.command } : {}),
    });
    this.process = process;
    void process.exited.then((code) => this.onExit(code));
    const gone = process.exited.then((code) => {
      if (!this.isReady) throw new Error(`Locust exited (code ${code}) before it was ready: ${process.output.reason() || "no output"}`);
    });
    gone.catch(() => undefined); // raced below; settling after the race must not be an unhandled rejection
    const timeoutMs = this.opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
    await within(timeoutMs, this.ready.promise, gone);
    if (!this.isReady) {
      process.kill();
      throw new Error(`Locust was not ready within ${timeoutMs} ms (the locustfile's import takes too long)`);
    }
  }

  private onMessage(m: LocustMessage): void {
    switch (m.type) {
      case "ready":
        this.isReady = true;
        this.ready.resolve();
        return;
      case "stopped":
        this.reportedStop.resolve();
        return;
      case "users":
        this.users = m.users;
        if (!this.windows.isFinished) this.windows.setActiveUsers(m.users, currentSecond());
        return;
      case "request":
        if (!this.windows.isFinished) this.windows.record(currentSecond(m.endedAtMs), this.named(m.sample), m.latencyUs, m.latencyUs);
        return;
      case "interrupted":
        this.interrupted++;
        if (!this.windows.isFinished) this.windows.record(currentSecond(m.atMs), this.named(m.sample), 0, 0);
        return;
    }
  }

  /** The sample under its own name while the run has few, else under OTHER_NAMES. */
  private named(sample: RequestSample): RequestSample {
    if (this.names.has(sample.name)) return sample;
    if (this.names.size < MAX_REQUEST_NAMES) {
      this.names.add(sample.name);
      return sample;
    }
    return { ...sample, name: OTHER_NAMES };
  }

  private onExit(code: number | null): void {
    this.users = 0;
    this.clearTimers();
    if (!this.stopped && !this.workloadOver && this.origin !== undefined)
      this.opts.onError(new Error(`Locust exited (code ${code}) during the run: ${this.process?.output.reason() || "no output"}`));
    this.ended.resolve();
  }

  /** The user count and spawn rate Locust should have `elapsedMs` after the start, under the run's control. */
  private target(elapsedMs: number): { users: number; rate: number } {
    const step = stepAt(this.schedule, elapsedMs);
    if (this.controlled.paused) return { users: 0, rate: Math.max(1, this.users) };
    return { users: Math.round(step.users * this.controlled.vuFactor), rate: step.rate * Math.max(this.controlled.vuFactor, 1e-9) };
  }

  private apply(): void {
    if (this.origin === undefined) return;
    this.process?.send({ cmd: "users", ...this.target(Date.now() - this.origin) });
  }

  /** Timers for the schedule's later steps and its end, from now. */
  private arm(): void {
    this.clearTimers();
    const origin = this.origin;
    if (origin === undefined) return;
    const elapsed = Date.now() - origin;
    for (const step of this.schedule.steps) if (step.atMs > elapsed) this.timers.push(setTimeout(() => this.apply(), step.atMs - elapsed));
    this.timers.push(setTimeout(() => this.endWorkload(), Math.max(0, this.schedule.endMs - elapsed)));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** The workload's time is up: its users get the graceful stop, as the built-in executors' iterations do. */
  private endWorkload(): void {
    if (this.workloadOver || this.stopped) return;
    this.workloadOver = true;
    this.clearTimers();
    this.process?.send({ cmd: "stop", timeout: gracefulStopMs(this.opts.plan.workload) / 1000 });
  }

  private async stopOnce(capMs: number | undefined): Promise<RunTotals> {
    this.clearTimers();
    const process = this.process;
    await this.prepared?.catch(() => undefined);
    if (process) {
      const graceMs = Math.min(gracefulStopMs(this.opts.plan.workload), capMs ?? Number.POSITIVE_INFINITY);
      if (!this.workloadOver) process.send({ cmd: "stop", timeout: graceMs / 1000 });
      this.workloadOver = true;
      await within(graceMs + STOP_MARGIN_MS, this.reportedStop.promise, process.exited);
      await within(EXIT_MARGIN_MS, process.exited);
      process.kill();
      await process.exited;
    }
    this.ended.resolve();
    if (this.interrupted > 0) this.opts.onAbortedAfterGrace?.();
    const windows: MetricWindow[] = this.origin === undefined ? [] : this.windows.finish(currentSecond());
    if (windows.length > 0) this.opts.onWindows(windows);
    return this.windows.totals;
  }

  private scheduleOfLanes(): LocustSchedule {
    return locustSchedule(this.opts.plan.workload, this.lanes, this.opts.share.laneCount);
  }
}
