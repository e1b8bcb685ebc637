import type { MetricWindow, RunPlan } from "@loadline/core";
import type { Lane } from "./schedule/lane.ts";
import type { RunTotals } from "./windows.ts";

/** What an engine thread is started with (its workerData). */
export type EngineThreadData = {
  runId: string;
  workerId: string;
  plan: RunPlan;
  fraction: number;
  thread: Lane;
  firstSecond: number;
};

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
