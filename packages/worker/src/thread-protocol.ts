import type { MetricWindow } from "@loadline/core";
import type { ThreadEngineOptions } from "./engine/thread-engine.ts";
import type { RunTotals } from "./windows.ts";

/** What an engine thread is started with (its workerData): the engine's options that cross a thread. */
export type EngineThreadData = Pick<ThreadEngineOptions, "runId" | "workerId" | "plan" | "fraction" | "thread" | "firstSecond">;

/** Main thread to engine thread. */
export type ToEngineThread = { type: "start" } | { type: "tick"; second: number } | { type: "stop"; graceMs: number };

/** Engine thread to main thread. Windows of a tick come back in the order ticks were sent. */
export type FromEngineThread =
  | { type: "started" }
  /** Unasked: every executor of the thread is over. */
  | { type: "finished" }
  | { type: "windows"; windows: MetricWindow[]; activeUsers: number }
  | { type: "stopped"; windows: MetricWindow[]; totals: RunTotals; abortedAfterGrace: boolean }
  | { type: "error"; message: string };
