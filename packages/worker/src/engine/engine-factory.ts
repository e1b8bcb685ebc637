import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LoadEngineName } from "@loadline/core";
import { CompiledScenario } from "../scenario/index.ts";
import { InlineEngine } from "./inline-engine.ts";
import type { LoadEngine, LoadEngineOptions } from "./load-engine.ts";
import { LocustEngine } from "./locust/locust-engine.ts";
import { MultiThreadEngine, threadEntryUrl } from "./multi-thread-engine.ts";
import type { SpareThreads } from "./spare-threads.ts";

export type EngineChoice = {
  threads: number;
  /**
   * Whether a one-thread load may run in the calling thread (no messages, no merge). Only a
   * process that does nothing else may allow it (local-run). A worker service must not: its
   * calling thread sends the heartbeats, ticks and windows of every run it has, and a VU that
   * burns CPU there (a costly check on a big body) would silence them, get the worker declared
   * lost and fail the other tenants' runs with it. Each engine starts threads of its own, so
   * runs do not share them either. Default false.
   */
  allowInline?: boolean;
  /** Threads started ahead of runs: the engine takes its threads from them when they are there. */
  spares?: SpareThreads | undefined;
  /**
   * The engines besides the built-in one that this worker's operator turned on (LL_WORKER_ENGINES).
   * A locustfile is tenant code run on this host: a worker runs one only when `locust` is here.
   */
  engines?: readonly LoadEngineName[] | undefined;
};

/** Why a worker without the Locust engine refuses a locust run: the run fails with it. */
export const LOCUST_NOT_ENABLED =
  "this test runs a locustfile (tenant code) and this worker does not run locustfiles: its operator must turn the Locust engine on (LL_WORKER_ENGINES=locust, docs/locust.md)";

/**
 * The engine for `threads` threads: in this thread for one when `allowInline`, else worker
 * threads. Without the thread entry file (a bundle built without it) it runs in this thread
 * and says so through `onWarning` when inline is allowed, and throws when it is not. Throws
 * when the plan's scenarios do not compile. A locust plan runs in a LocustEngine, where the
 * worker has turned it on (throws LOCUST_NOT_ENABLED where it has not).
 */
export function createLoadEngine(opts: LoadEngineOptions & EngineChoice): LoadEngine {
  if (opts.plan.locustfile !== undefined) {
    if (!opts.engines?.includes("locust")) throw new Error(LOCUST_NOT_ENABLED);
    return new LocustEngine(opts);
  }
  if (opts.threads <= 1 && opts.allowInline) return new InlineEngine(opts);
  // Here, so that a scenario that cannot compile throws now rather than in every thread.
  const constants = { secrets: opts.plan.secrets ?? {}, ...(opts.plan.setupValues ? { setup: opts.plan.setupValues } : {}) };
  for (const scenario of opts.plan.scenarios) CompiledScenario.compile(scenario, opts.plan.targetUrl, constants);
  const entry = threadEntryUrl();
  if (!existsSync(fileURLToPath(entry))) {
    if (!opts.allowInline) throw new Error(`no engine thread entry at ${entry.href}: the load cannot run off the main thread`);
    opts.onWarning?.(`no engine thread entry at ${entry.href}: running the load in one thread`);
    return new InlineEngine(opts);
  }
  return new MultiThreadEngine(opts);
}
