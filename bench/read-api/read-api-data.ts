// The read-api section's settings and figures (read-api-table.ts prints them).
import type { Cleanups } from "../read-side/bench-util.ts";

export const READ_API_DEFAULTS = {
  /** Seconds per route under load (after a 1 s warm-up). */
  durationSec: 5,
  connections: 50,
  loadTests: 8,
  runs: 300,
  /** The one-hour run: workers × request names, one window a second each. */
  hourWorkers: 2,
  names: 20,
  /** Seconds of metrics each other run has (one worker). */
  shortRunSeconds: 30,
  /** PGlite: the fixed rate and the runs seeded (through NATS, as the embedded stack gets them). */
  pgliteRate: 20,
  pgliteRuns: 200,
  pgliteRunSeconds: 300,
  pgliteDurationSec: 10,
};

export type ReadApiRow = {
  route: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  /** Answers that were not the expected status, errors and timeouts. */
  failures: number;
  /** Bytes of one answer's body. */
  bytes: number;
  goal: string;
  met: boolean | undefined;
  failure?: string;
};

export type ProfileTop = {
  totalMs: number;
  functions: { fn: string; where: string; ms: number; pct: number }[];
  libraries: { lib: string; ms: number; pct: number }[];
};

export type ReadApiData = {
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  durationSec: number;
  connections: number;
  seeding?: string;
  rows: ReadApiRow[];
  failure?: string;
  pglite: { rate: number; durationSec: number; seeding?: string; rows: ReadApiRow[]; failure?: string; loadAverageAfter: string };
  profile?: ProfileTop & { file: string };
};

export type ReadApiOptions = {
  durationSec?: number;
  connections?: number;
  /** Run the API under --cpu-prof and summarise where its time went. */
  profile?: boolean;
  /** Skip the Postgres part, or the PGlite part. */
  postgres?: boolean;
  pglite?: boolean;
  natsUrl?: string;
  log?: (msg: string) => void;
  cleanups?: Cleanups;
};
