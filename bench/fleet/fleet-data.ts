// The fleet section's settings, and the times it collects (fleet-table.ts prints them).
import type { Cleanups } from "../read-side/bench-util.ts";

export const FLEET_DEFAULTS = { workers: 500, runs: 200, workersPerRun: 5, vusPerRun: 50, holdMs: 5_000, wideRuns: 20 };
export const REQUEST_EVERY_MS = 1000;

export type FleetOptions = Partial<typeof FLEET_DEFAULTS> & { natsUrl?: string; log?: (m: string) => void; cleanups?: Cleanups };

/** What one phase of the section measured, in ms, one entry per run. */
export type PhaseTimes = {
  /** From the run.start command (the API's) to the run's first request sent (a worker starts its load). */
  toFirstRequest: number[];
  /** The same, to its arrival at the target. */
  toFirstArrival: number[];
  /** Its parts: command → first assignment event; assignment → run.started (every worker ready). */
  toAssigned: number[];
  assignedToStarted: number[];
  /** From the run.stop command to the moment the run's last worker stopped sending. */
  toSilence: number[];
  /** From the run.stop command to the last request the target received for it. */
  toLastArrival: number[];
  runsFailed: number;
};

export const emptyPhase = (): PhaseTimes => ({
  toFirstRequest: [],
  toFirstArrival: [],
  toAssigned: [],
  assignedToStarted: [],
  toSilence: [],
  toLastArrival: [],
  runsFailed: 0,
});

export type FleetData = {
  workers: number;
  runs: number;
  workersPerRun: number;
  wideRuns: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  failure?: string;
  /** Runs on every worker of the fleet, one after another: the ready barrier at its widest. */
  wide: PhaseTimes;
  /** Many small runs created in one burst: the orchestrator's throughput of starts. */
  burst: PhaseTimes;
};

export type RunTimes = {
  commandAt: number;
  assignedAt?: number;
  startedSeenAt?: number;
  firstSentAt?: number;
  firstRequestAt?: number;
  stopAt?: number;
  lastArrivalAt?: number;
  workers: Set<string>;
  silentAt: Map<string, number>;
};
