import type { Worker } from "node:worker_threads";
import { startThread, threadEntryUrl } from "./multi-thread-engine.ts";

/**
 * Engine threads started ahead of the runs that will use them, their modules loaded: a run's
 * preparation then takes threads that are up instead of starting its own (hundreds of ms to
 * seconds on a busy machine), which is most of a run's start. A thread still serves one run
 * only (it is given its run when taken, and ends with it): runs never share threads.
 */
export class SpareThreads {
  private readonly spares: Worker[] = [];
  private refill: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly count: number) {
    this.fill();
  }

  /** A thread ready for a run, or undefined when none is (the engine starts its own). */
  take(): Worker | undefined {
    const spare = this.spares.shift();
    if (spare) {
      spare.removeAllListeners();
      spare.ref();
    }
    // Loading a thread's modules happens on that thread, not on this one: the next run's spares can start now.
    this.refill ??= setImmediate(() => {
      this.refill = undefined;
      this.fill();
    });
    return spare;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refill) clearImmediate(this.refill);
    await Promise.all(this.spares.splice(0).map((w) => w.terminate().catch(() => undefined)));
  }

  get ready(): number {
    return this.spares.length;
  }

  private fill(): void {
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
