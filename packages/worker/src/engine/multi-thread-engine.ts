import { Worker } from "node:worker_threads";
import type { MetricWindow } from "@loadline/core";
import { mergeWindows } from "../window-merge.ts";
import type { RunTotals } from "../windows.ts";
import { completion } from "./executor-run.ts";
import type { LoadControl } from "./load-control.ts";
import type { LoadEngine, LoadEngineOptions } from "./load-engine.ts";
import { sourceThreadUrl } from "./source-thread.ts";
import type { SpareThreads } from "./spare-threads.ts";
import { ANSWERED, type FromThread, type ThreadStartData, type ToThread } from "./thread-messages.ts";
import { dealLanes, type Workload, workloadsOf } from "./workloads.ts";

/** The messages that answer one sent by the main thread, in the order sent. */
type Reply = Extract<FromThread, { type: "prepared" | "windows" | "stopped" }>;

const NO_REPLY: Reply = { type: "stopped", windows: [], totals: { requests: 0, failures: 0 }, abortedAfterGrace: false };

const windowsOf = (reply: Reply): MetricWindow[] => (reply.type === "prepared" ? [] : reply.windows);

/**
 * The thread entry beside this module: thread-entry.ts under a TypeScript loader,
 * thread-entry.js beside the bundle in dist/.
 */
export function threadEntryUrl(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./thread-entry.ts" : "./thread-entry.js", import.meta.url);
}

/**
 * Starts the engine thread. From dist/ it is plain JavaScript beside the bundle; from source
 * it is bundled once per process (source-thread.ts).
 */
export function startThread(url: URL, workerData: ThreadStartData | null): Worker {
  return new Worker(url.pathname.endsWith(".ts") ? sourceThreadUrl(url) : url, { workerData });
}

/** One engine thread, seen from the main thread: each prepare, tick or stop sent gets its reply, in order. */
class LoadThread {
  private readonly worker: Worker;
  private readonly waiting: ((reply: Reply) => void)[] = [];
  private dead = false;
  private readonly over = completion();
  activeUsers = 0;

  /** `spare`: a thread started ahead (SpareThreads), given its run now; else one is started with it. */
  constructor(data: ThreadStartData, onError: (err: unknown) => void, spare?: Worker) {
    this.worker = spare ?? startThread(threadEntryUrl(), data);
    if (spare) spare.postMessage({ type: "start", data } satisfies ToThread);
    this.worker.on("message", (message: FromThread) => {
      if (message.type === "error") return onError(new Error(`engine thread ${data.index}: ${message.message}`));
      if (message.type === "finished") return this.over.resolve();
      if (message.type === "windows") this.activeUsers = message.activeUsers;
      if (message.type === "stopped") this.activeUsers = 0;
      this.waiting.shift()?.(message);
    });
    // A thread that died has nothing more to say: whoever waits gets an empty answer.
    const died = (err?: unknown) => {
      if (this.dead) return;
      this.dead = true;
      this.activeUsers = 0;
      this.over.resolve();
      if (err) onError(err);
      for (const resolve of this.waiting.splice(0)) resolve(NO_REPLY);
    };
    this.worker.on("error", died);
    this.worker.on("exit", (code) =>
      died(this.waiting.length > 0 ? new Error(`engine thread ${data.index} exited with code ${code}`) : undefined),
    );
  }

  /** Every executor of the thread is over (or the thread is gone). */
  get finished(): Promise<void> {
    return this.over.promise;
  }

  /** Sends a message; those the thread answers resolve with the answer, the others at once. */
  send(message: ToThread): Promise<Reply> {
    if (this.dead) return Promise.resolve(NO_REPLY);
    if (!ANSWERED.has(message.type)) {
      this.worker.postMessage(message);
      return Promise.resolve(NO_REPLY);
    }
    return new Promise<Reply>((resolve) => {
      this.waiting.push(resolve);
      this.worker.postMessage(message);
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * The engine over `threads` worker threads, the run's lanes dealt among them. Each tick asks
 * every thread for its closed seconds, merges each second's parts into one window (exactly:
 * histograms added) and hands the windows over in order once every thread answered.
 */
export class MultiThreadEngine implements LoadEngine {
  private readonly threads: LoadThread[];
  private readonly workloads: Workload[];
  /** The thread the next lane dealt goes to. */
  private nextThread: number;
  /** Deliveries in tick order, each once every thread answered. */
  private delivered: Promise<void> = Promise.resolve();
  private stopping: Promise<RunTotals> | undefined;

  constructor(private readonly opts: LoadEngineOptions & { threads: number; spares?: SpareThreads | undefined }) {
    const count = Math.max(1, Math.floor(opts.threads));
    this.workloads = workloadsOf(opts.plan);
    const dealt = dealLanes(this.workloads, opts.share.lanes, opts.share.laneCount, count);
    this.nextThread = dealt.nextThread;
    this.threads = dealt.parts.map((parts, index) => {
      const data: ThreadStartData = { runId: opts.runId, workerId: opts.workerId, plan: opts.plan, parts, index };
      return new LoadThread(data, opts.onError, opts.spares?.take());
    });
  }

  get activeUsers(): number {
    return this.threads.reduce((n, t) => n + t.activeUsers, 0);
  }

  get finished(): Promise<void> {
    return Promise.all(this.threads.map((t) => t.finished)).then(() => undefined);
  }

  async prepare(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.send({ type: "prepare" })));
  }

  begin(originMs: number): void {
    for (const t of this.threads) void t.send({ type: "begin", originMs });
  }

  addLanes(lanes: readonly number[]): void {
    const dealt = dealLanes(this.workloads, lanes, this.opts.share.laneCount, this.threads.length, this.nextThread);
    this.nextThread = dealt.nextThread;
    dealt.parts.forEach((parts, i) => {
      if (parts.length > 0) void this.threads[i]!.send({ type: "add", parts });
    });
  }

  control(c: LoadControl): void {
    if (this.stopping) return;
    for (const t of this.threads) void t.send({ type: "control", control: c });
  }

  tick(second: number): void {
    if (this.stopping) return;
    const replies = Promise.all(this.threads.map((t) => t.send({ type: "tick", second })));
    this.delivered = this.delivered.then(async () => this.deliver((await replies).flatMap(windowsOf)));
  }

  stop(capMs?: number): Promise<RunTotals> {
    this.stopping ??= (async () => {
      const message: ToThread = capMs === undefined ? { type: "stop" } : { type: "stop", capMs };
      const finals = Promise.all(this.threads.map((t) => t.send(message)));
      await this.delivered;
      const replies = await finals;
      if (replies.some((r) => r.type === "stopped" && r.abortedAfterGrace)) this.opts.onAbortedAfterGrace?.();
      this.deliver(replies.flatMap(windowsOf));
      // Not awaited: a thread may still be closing thousands of sockets, which its end does at once; the run's end need not wait.
      void Promise.all(this.threads.map((t) => t.terminate().catch(() => undefined)));
      const totals = { requests: 0, failures: 0 };
      for (const r of replies) {
        if (r.type !== "stopped") continue;
        totals.requests += r.totals.requests;
        totals.failures += r.totals.failures;
      }
      return totals;
    })();
    return this.stopping;
  }

  /** One window per second from the threads' parts, oldest first. */
  private deliver(parts: MetricWindow[]): void {
    const bySecond = new Map<number, MetricWindow[]>();
    for (const w of parts) {
      const list = bySecond.get(w.second);
      if (list) list.push(w);
      else bySecond.set(w.second, [w]);
    }
    const windows = [...bySecond.keys()].sort((a, b) => a - b).map((s) => mergeWindows(bySecond.get(s)!));
    if (windows.length > 0) this.opts.onWindows(windows);
  }
}
