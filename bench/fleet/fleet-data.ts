// The fleet section's settings, and the times it collects (fleet-table.ts prints them).
import type { Cleanups } from "../read-side/bench-util.ts";

export const FLEET_DEFAULTS = { workers: 500, runs: 200, workersPerRun: 5, vusPerRun: 50, holdMs: 5_000 };
export const REQUEST_EVERY_MS = 1000;

export type FleetOptions = Partial<typeof FLEET_DEFAULTS> & { natsUrl?: string; log?: (m: string) => void; cleanups?: Cleanups };

export type FleetData = {
  workers: number;
  runs: number;
  workersPerRun: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  failure?: string;
  /** ms from the run.start command (the API's) to the run's first request sent (a worker starts its load). */
  toFirstRequest: number[];
  /** The same, to its arrival at the target. */
  toFirstArrival: number[];
  /** Its parts: command → first assignment event; assignment → run.started (every worker ready). */
  toAssigned: number[];
  assignedToStarted: number[];
  /** ms from the run.stop command to the moment the run's last worker stopped sending. */
  toSilence: number[];
  /** ms from the run.stop command to the last request the target received for it. */
  toLastArrival: number[];
  runsFailed: number;
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
