import type { LatencySummary } from "./histogram/summary.ts";
import type { Executor } from "./scenario/executors.ts";
import type { Scenario } from "./scenario/scenario.ts";
import type { RequestSpec } from "./schemas/load-test.ts";
import type { Placement, RunStatus } from "./schemas/run.ts";

/** The REST resources: one shape, whether a write answers it or a query does. */
export type LoadTestView = {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  tags: string[];
  targetUrl: string;
  /** The simple form, or null when the test is written as scenarios. */
  requests: RequestSpec[] | null;
  scenarios: Scenario[] | null;
  workload: Executor | null;
  defaultUsers: number;
  defaultSpawnRate: number;
  defaultDurationSec: number;
  maxDurationSec: number | null;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
};

/** One bucket of a run (a second, 10 s or a minute), merged exactly across workers and request names. Latencies in ms. */
export type MetricsPoint = {
  /** Start of the bucket. */
  time: string;
  requests: number;
  failures: number;
  /** Requests per second of the bucket that has data. */
  rps: number;
  errorRate: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  min: number;
  max: number;
  mean: number;
  users: number;
  /** Requests aborted in flight at the stop (after the graceful stop): in no other figure of the point. */
  interrupted: number;
  /** Iterations cut short at the stop. */
  interruptedIterations: number;
};

export type RunView = {
  id: string;
  tenantId: string;
  loadTestId: string;
  status: RunStatus;
  targetUsers: number;
  spawnRate: number;
  durationSec: number;
  /** Where the run may go, as asked. */
  placement: Placement | null;
  /** Lanes the run is cut into: each worker runs some of them. */
  laneCount: number;
  workers: RunWorkerView[];
  /** Workers lost mid-run: their lanes ran on nobody from `lastSeenAt` until `reassignedAt`. */
  gaps: RunGap[];
  /** Why it failed or was cancelled; for a degraded run, which lanes were not run, for how long and why. */
  reason: string | null;
  /**
   * A completed run: the share of its planned lane-time (every lane, from its start to its due
   * end or the stop asked for) that a live worker held, 0..1. Null when not known: the run has
   * not completed, never started, or completed before Loadline recorded it.
   */
  coverage: number | null;
  /** A completed run of which some planned load was not run (`coverage` < 1): lanes lost and not, or late, taken over. Null when not known, as for `coverage`. */
  degraded: boolean | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastMetrics: MetricsPoint | null;
  version: number;
};

export type RunWorkerState = "assigned" | "ready" | "stopped" | "lost";

/** A worker's part in a run. */
export type RunWorkerView = {
  workerId: string;
  lanes: number[];
  vus: number;
  arrivalRate: number;
  state: RunWorkerState;
  assignedAt: string;
};

export type RunGap = {
  workerId: string;
  lanes: number[];
  lastSeenAt: string;
  lostAt: string;
  /** When its lanes went to others (null: never, as the run was stopping or failed), and to whom. */
  reassignedAt: string | null;
  reassignedTo: string[];
};

export type RequestStats = {
  requests: number;
  failures: number;
  errorRate: number;
  rps: number;
  bytesIn: number;
  bytesOut: number;
  /** Exact, merged from the HDR histograms of every worker and second. In open workloads, from the intended start. */
  latency: LatencySummary;
  /** From the actual send to the response; null when no worker recorded it. */
  serviceTime: LatencySummary | null;
  /** Failed requests by kind: connect, timeout, reset, 4xx, 5xx, check. */
  failuresByKind: Record<string, number>;
  statusCodes: Record<string, number>;
  /**
   * Requests the stop aborted in flight once their executor's graceful stop ran out: not in
   * `requests`, `failures`, `errorRate` or the latencies. The worker gave up on them; whether
   * the target received each is not known.
   */
  interrupted: number;
};

export type RunCounters = {
  iterations: number;
  droppedIterations: number;
  /** Iterations cut short at the stop, after the graceful stop: not in `iterations`. */
  interruptedIterations: number;
  checksPassed: number;
  checksFailed: number;
};

export type EndpointView = RequestStats & { name: string; method: string };
/** Totals and exact percentiles over a run (or the part of it asked for), overall and per request name. */
export type AggregateView = RequestStats &
  RunCounters & { runId: string; from: string | null; to: string | null; seconds: number; endpoints: EndpointView[] };

export type LatencyPercentile = { percentile: number; latencyMs: number };
/** The scatter: the percentile → latency curve of a range, and each second's p50 and p99. */
export type DistributionView = {
  runId: string;
  from: string | null;
  to: string | null;
  requests: number;
  percentiles: LatencyPercentile[];
  points: { time: string; requests: number; p50: number; p99: number }[];
};

/**
 * What the write routes need of the read side: to wait until the projection has applied
 * a sequence (read-your-writes), then to show the resource.
 */
export interface ReadModel {
  waitForEvents(seq: number, timeoutMs: number): Promise<boolean>;
  loadTest(tenantId: string, id: string): Promise<LoadTestView | null>;
  run(tenantId: string, id: string): Promise<RunView | null>;
}
