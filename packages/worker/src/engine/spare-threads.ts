import type { Worker } from "node:worker_threads";
import { startThread, threadEntryUrl } from "./multi-thread-engine.ts";

/**
 * Engine threads started ahead of the runs that will use them, their modules loaded and HTTP
 * warmed up: a run's preparation then takes threads that are up instead of starting its own
 * (hundreds of ms to seconds on a busy machine), which is most of a run's start. A thread still
 * serves one run only (it is given its run when taken, and ends with it): runs never share
 * threads. Taken spares are replaced by `refill`, which the worker calls when it is idle: loading
 * threads beside a run would take CPU from its load.
 */
export class SpareThreads {
  private readonly spares: Worker[] = [];
  private closed = false;

  constructor(private readonly count: number) {
    this.refill();
  }

  /** A thread ready for a run, or undefined when none is (the engine starts its own). */
  take(): Worker | undefined {
    const spare = this.spares.shift();
    if (spare) {
      spare.removeAllListeners();
      spare.ref();
    }
    return spare;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.spares.splice(0).map((w) => w.terminate().catch(() => undefined)));
  }

  get ready(): number {
    return this.spares.length;
  }

  /** Starts spares until there are `count` again. */
  refill(): void {
    while (!this.closed && this.spares.length < this.count) {
      const spare = startThread(threadEntryUrl(), null);
      // A spare holds no work: it must not keep the process up, and one that dies is replaced by the next take.
      spare.unref();
      const drop = () => {
        const i = this.spares.indexOf(spare);
        if (i >= 0) this.spares.splice(i, 1);
      };
      spare.once("error", drop);
      spare.once("exit", drop);
      this.spares.push(spare);
    }
  }
}
