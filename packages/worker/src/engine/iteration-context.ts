import type { CompiledScenario, Transport } from "../scenario/index.ts";
import type { GroupSink } from "../scenario/scenario-plan.ts";
import { currentSecond, type WindowAccumulator } from "../windows.ts";
import { type RequestSink, VirtualUser } from "./virtual-user.ts";

/** The first few iteration errors are worth a log line each; the same error a million times is not. */
export const MAX_REPORTED_ERRORS = 10;

/** After an iteration got no response at all, a closed VU waits this long, so a refused target does not spin a hot loop. */
export const NO_RESPONSE_PAUSE_MS = 100;

/**
 * What the executors of one thread share: the compiled scenarios, the transport, the windows,
 * the count of active VUs, and the stop: `stopping` tells executors to start no new iteration
 * (and cuts pauses short). Each executor interrupts its own iterations, by the signal of its
 * graceful stop (GracefulStop), once they have had its grace.
 */
export class IterationContext {
  readonly stopping = new AbortController();
  private active = 0;
  private errors = 0;

  constructor(
    readonly scenarios: readonly CompiledScenario[],
    readonly transport: Transport,
    readonly windows: WindowAccumulator,
    private readonly onError: (err: unknown) => void,
  ) {}

  get activeUsers(): number {
    return this.active;
  }

  get isStopping(): boolean {
    return this.stopping.signal.aborted;
  }

  newVu(id: number): VirtualUser {
    return new VirtualUser(id, this.scenarios, this.recordRequest, this, this.recordGroup);
  }

  /** One VU more (delta 1) or less (-1) is active; windows keep the peak of each second. */
  changeActive(delta: number): void {
    this.active += delta;
    this.windows.setActiveUsers(this.active, currentSecond());
  }

  /**
   * Runs one iteration of `scenario` on `vu`, `interrupt` cutting it short (its executor's
   * graceful stop ran out); never rejects. Resolves true when requests were sent and none got a
   * response (the target is down), false otherwise.
   */
  iterate(vu: VirtualUser, scenario: number, interrupt: AbortSignal, intendedStart?: number): Promise<boolean> {
    vu.intendedStart = intendedStart;
    vu.requests = 0;
    vu.responses = 0;
    let iteration: Promise<boolean>;
    try {
      iteration = vu.session(scenario).iteration(this.transport, interrupt, vu.record);
    } catch (err) {
      iteration = Promise.reject(err);
    }
    return iteration.then(vu.ended, vu.failed);
  }

  /** An iteration ended: it ran to its end, or was `interrupted`. */
  iterationEnded(interrupted: boolean): void {
    if (!this.windows.isFinished) this.windows.recordIteration(currentSecond(), interrupted);
  }

  iterationFailed(err: unknown): void {
    if (this.errors++ < MAX_REPORTED_ERRORS) this.onError(err);
  }

  /** Waits `ms`, less when the stop comes. */
  pause(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    });
  }

  private readonly recordGroup: GroupSink = (name, durationMs, failed) => {
    if (!this.windows.isFinished) this.windows.recordGroup(currentSecond(), name, durationMs * 1000, failed);
  };

  private readonly recordRequest: RequestSink = (r, intendedStart) => {
    const service = r.endedAt - r.sentAt;
    // Coordinated omission: an open executor's iteration waits for nobody, so its first request counts from when it was due.
    const latency = r.firstOfIteration && intendedStart !== undefined ? r.endedAt - intendedStart : service;
    this.windows.record(currentSecond(), r, latency * 1000, service * 1000);
  };
}
