import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CompiledScenario } from "../scenario/index.ts";
import { InlineEngine } from "./inline-engine.ts";
import type { LoadEngine, LoadEngineOptions } from "./load-engine.ts";
import { MultiThreadEngine, threadEntryUrl } from "./multi-thread-engine.ts";

/**
 * The engine for `threads` threads: in this thread for one (no messages, no merge), else
 * worker threads. Without the thread entry file (a bundle built without it) it runs in this
 * thread and says so through `onWarning`. Throws when the plan's scenarios do not compile.
 */
export function createLoadEngine(opts: LoadEngineOptions & { threads: number }): LoadEngine {
  if (opts.threads <= 1) return new InlineEngine(opts);
  // Here, so that a scenario that cannot compile throws now rather than in every thread.
  for (const scenario of opts.plan.scenarios) CompiledScenario.compile(scenario, opts.plan.targetUrl);
  const entry = threadEntryUrl();
  if (!existsSync(fileURLToPath(entry))) {
    opts.onWarning?.(`no engine thread entry at ${entry.href}: running the load in one thread`);
    return new InlineEngine(opts);
  }
  return new MultiThreadEngine(opts);
}
