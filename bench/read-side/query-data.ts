// The query section's settings, and the figures it collects (query-table.ts prints them).
import type { Cleanups, CpuUse, ProfileRow } from "./bench-util.ts";

export const QUERY_DEFAULTS = {
  workers: 100,
  names: 20,
  seconds: 3600,
  runs: 30,
  warmups: 3,
  chunkSeconds: 10,
  poolSize: 200,
  profileRuns: 10,
};

export type QueryOptions = {
  workers?: number;
  names?: number;
  seconds?: number;
  /** Timed runs of each query, after `warmups` untimed ones. */
  runs?: number;
  warmups?: number;
  /** Seconds of windows rolled up per transaction while seeding. */
  chunkSeconds?: number;
  /** Where the goal queries' time goes: a CPU profile over HTTP. On by default. */
  breakdown?: boolean;
  natsUrl?: string;
  log?: (msg: string) => void;
  cleanups?: Cleanups;
};

export type QueryRow = {
  query: string;
  path: string;
  /** Points of a timeseries or distribution, endpoints of an aggregate. */
  points: number;
  bytes: number;
  p50: number;
  p95: number;
  max: number;
  /** p95 goal in ms; undefined for an informative row. */
  goalMs?: number;
  /** CPU over the timed runs, in % of one core. */
  cpu?: CpuUse;
};

export type QueryData = {
  workers: number;
  names: number;
  seconds: number;
  runs: number;
  warmups: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  transport: string;
  seeding?: { seconds: number; windows: number; rollupRows: number; chunkSeconds: number; tableMb: number };
  rows: QueryRow[];
  failure?: string;
  profile?: { totalMs: number; rows: ProfileRow[]; file: string; queries: string };
};

export const TENANT = "acme";
