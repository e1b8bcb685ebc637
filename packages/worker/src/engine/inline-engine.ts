import type { RunTotals } from "../windows.ts";
import type { LoadControl } from "./load-control.ts";
import type { LoadEngine, LoadEngineOptions } from "./load-engine.ts";
import { type ClosableTransport, ThreadLoad } from "./thread-load.ts";
import { dealLanes, workloadsOf } from "./workloads.ts";

/** The engine in the calling thread: no merge, no message. */
export class InlineEngine implements LoadEngine {
  private readonly load: ThreadLoad;
  private readonly workloads;

  constructor(
    private readonly opts: LoadEngineOptions,
    transport?: ClosableTransport,
  ) {
    this.workloads = workloadsOf(opts.plan);
    const { parts } = dealLanes(this.workloads, opts.share.lanes, opts.share.laneCount, 1);
    this.load = new ThreadLoad({ ...opts, parts: parts[0]!, ...(transport ? { transport } : {}) });
  }

  get activeUsers(): number {
    return this.load.activeUsers;
  }

  get finished(): Promise<void> {
    return this.load.done;
  }

  prepare(): Promise<void> {
    return this.load.prepare();
  }

  begin(originMs: number): void {
    this.load.begin(originMs);
  }

  addLanes(lanes: readonly number[]): void {
    this.load.add(dealLanes(this.workloads, lanes, this.opts.share.laneCount, 1).parts[0]!);
  }

  control(c: LoadControl): void {
    this.load.control(c);
  }

  tick(second: number): void {
    const windows = this.load.closeBefore(second);
    if (windows.length > 0) this.opts.onWindows(windows);
  }

  async stop(capMs?: number): Promise<RunTotals> {
    const { windows, totals, abortedAfterGrace } = await this.load.stop(capMs);
    if (abortedAfterGrace) this.opts.onAbortedAfterGrace?.();
    if (windows.length > 0) this.opts.onWindows(windows);
    // This thread is the caller's: it is left with no connection open.
    await this.load.closed();
    return totals;
  }
}
