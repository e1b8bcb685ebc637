// The replay section's settings, and the figures it collects (replay-table.ts prints them).
import { REBUILD_BATCH_SIZE } from "@loadline/projections";
import type { CpuUse, ProfileRow } from "./bench-util.ts";

export const REPLAY_DEFAULTS = {
  events: 1_000_000,
  windows: 100_000,
  requestsPerWindow: 5,
  workers: 100,
  publishWindow: 5_000,
  goalPerSec: 50_000,
  /** rebuildProjection's own default: the `loadline projections rebuild` CLI uses it. */
  libraryBatchSize: REBUILD_BATCH_SIZE,
  /** Batch sizes timed on the events stream; the metrics stream gets the first. */
  batchSizes: [REBUILD_BATCH_SIZE],
};

/** Events timed step by step with --profile (the first ones published). */
export const SAMPLE_FOR_STEPS = 100_000;

export type PublishFigures = { messages: number; bytes: number; seconds: number; perSec: number };

export type ReplayResult = {
  /** Messages the rebuild applied, and its wall time (migrating the fresh schema and the swap included). */
  applied: number;
  seconds: number;
  perSec: number;
  /** From the first progress report to the end: the rate once under way. */
  steadyPerSec?: number;
  /** Request rows (windows × request names) per second: the metrics row only. */
  requestRowsPerSec?: number;
  cpu: CpuUse;
  /** The main thread's event-loop utilisation during the rebuild. */
  elu: number;
  /** The read model checked against what was published. */
  check: string;
  checkOk: boolean;
  profile?: { totalMs: number; rows: ProfileRow[]; file: string };
};

export type ReplayOutcome = { ok: true; result: ReplayResult } | { ok: false; reason: string };
export type ReplayRow = { projection: "events" | "metrics"; batchSize: number; libraryDefault: boolean; outcome: ReplayOutcome };

export type StepCost = { step: string; usPerEvent: number; note?: string };

export type ReplayData = {
  events: number;
  windows: number;
  requestsPerWindow: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  rows: ReplayRow[];
  /** Filling each stream first: not part of the goal. */
  publish: { stream: string; outcome: { ok: true; result: PublishFigures } | { ok: false; reason: string } }[];
  /** With --profile: each step of the events projection alone, per event. */
  steps?: StepCost[];
};
