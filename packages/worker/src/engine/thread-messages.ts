import type { MetricWindow } from "@loadline/core";
import type { RunTotals } from "../windows.ts";
import type { LoadControl } from "./load-control.ts";
import type { ThreadLoadOptions } from "./thread-load.ts";
import type { ThreadPart } from "./workloads.ts";

/** What an engine thread is started with (its workerData): the options of its ThreadLoad that cross a thread. */
export type ThreadStartData = Pick<ThreadLoadOptions, "runId" | "workerId" | "plan" | "parts"> & { index: number };

/** Main thread to engine thread. */
export type ToThread =
  /** A spare thread's run (SpareThreads): the first message it gets. A thread started for its run has it as workerData. */
  | { type: "start"; data: ThreadStartData }
  | { type: "prepare" }
  | { type: "begin"; originMs: number }
  | { type: "add"; parts: ThreadPart[] }
  | { type: "tick"; second: number }
  /** The run's live control (pause, scale): the whole state, unanswered. */
  | { type: "control"; control: LoadControl }
  /** `capMs` shortens every executor's graceful stop (0: interrupt at once). */
  | { type: "stop"; capMs?: number };

/** Engine thread to main thread. Windows of a tick come back in the order ticks were sent. */
export type FromThread =
  | { type: "prepared" }
  /** Unasked: every executor of the thread begun so far is over. */
  | { type: "finished" }
  | { type: "windows"; windows: MetricWindow[]; activeUsers: number }
  | { type: "stopped"; windows: MetricWindow[]; totals: RunTotals; abortedAfterGrace: boolean }
  | { type: "error"; message: string };

/** The messages the main thread waits for an answer to. */
export const ANSWERED: ReadonlySet<ToThread["type"]> = new Set(["prepare", "tick", "stop"]);
