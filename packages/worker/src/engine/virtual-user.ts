import type { CompiledScenario, RequestRecord, VuSession } from "../scenario/index.ts";
import type { GroupSink } from "../scenario/scenario-plan.ts";

/** Where a VU's requests go, with the intended start of its iteration when it has one (open executors). */
export type RequestSink = (r: RequestRecord, intendedStart: number | undefined) => void;

/** What a VU reports at the end of each iteration: whether it was interrupted, or failed (threw). */
export type IterationSink = { iterationEnded(interrupted: boolean): void; iterationFailed(err: unknown): void };

/**
 * A virtual user: one session per scenario it runs (made when first needed, kept across
 * iterations so extracted variables, cookies and data rows persist), one iteration at a time.
 */
export class VirtualUser {
  private readonly sessions: (VuSession | undefined)[] = [];
  /** performance.now() ms at which the current iteration was due; undefined in closed executors. */
  intendedStart: number | undefined;
  /** Requests of the current iteration, and how many got a response. */
  requests = 0;
  responses = 0;
  /** Hands each request of this VU to the windows; made once, not per iteration. */
  readonly record: (r: RequestRecord) => void;
  /**
   * The ends of an iteration, made once too: chained with `then`, they spare each iteration an
   * async function's frame, which at 10,000 VUs waiting on a slow target is megabytes.
   * Resolve true when requests were sent and none got a response (the target is down).
   */
  readonly ended: (interrupted: boolean) => boolean;
  readonly failed: (err: unknown) => boolean;

  constructor(
    readonly id: number,
    private readonly scenarios: readonly CompiledScenario[],
    sink: RequestSink,
    iterations: IterationSink,
    private readonly onGroup?: GroupSink,
  ) {
    this.record = (r) => {
      this.requests++;
      if (r.status !== null) this.responses++;
      sink(r, this.intendedStart);
    };
    this.ended = (interrupted) => {
      iterations.iterationEnded(interrupted);
      return this.requests > 0 && this.responses === 0;
    };
    this.failed = (err) => {
      iterations.iterationFailed(err);
      return this.ended(false);
    };
  }

  session(scenario: number): VuSession {
    return (this.sessions[scenario] ??= this.scenarios[scenario]!.createSession(this.id, this.onGroup));
  }
}
