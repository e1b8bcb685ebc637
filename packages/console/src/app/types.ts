/**
 * The API's resources as the console reads them (the server's own types are in @loadline/core's
 * views.ts; these name only what the console shows, so the browser bundle carries none of it).
 */

/**
 * A run's lifecycle (core's RUN_STATUSES, in its order): Queued (waiting for room: its tenant's
 * concurrent runs, or a busy fleet) → Pending → Starting → Running → Stopping → Analyzing (load
 * over, its verdict judged on the last windows) → Completed | Cancelled; Failed from any live state.
 */
export const RUN_STATUSES = [
  "Queued",
  "Pending",
  "Starting",
  "Running",
  "Stopping",
  "Analyzing",
  "Completed",
  "Failed",
  "Cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL: readonly RunStatus[] = ["Completed", "Failed", "Cancelled"];
export const isTerminal = (s: RunStatus): boolean => TERMINAL.includes(s);

export type Whoami = { tenantId: string; actor: string; role: string; platformAdmin: boolean };

export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

export type LoadTestView = {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  targetUrl: string;
  requests: unknown[] | null;
  scenarios: unknown[] | null;
  workload: unknown;
  defaultUsers: number;
  defaultSpawnRate: number;
  defaultDurationSec: number;
  maxDurationSec: number | null;
  thresholds: Record<string, unknown[]> | null;
  /** Seed 001's environment label and the client's JSON: part of the test as written, kept by the editor. */
  envId: string | null;
  metadata: Record<string, unknown> | null;
  baselineRunId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
};

export type MetricsPoint = {
  time: string;
  requests: number;
  failures: number;
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
  interrupted: number;
  interruptedIterations: number;
};

export type ThresholdResult = {
  metric: string;
  expression: string;
  observed: number | null;
  passed: boolean;
  abortOnFail: boolean;
  over?: string;
};
export type Verdict = "passed" | "failed" | "none" | "pending";

export type RunWorkerView = { workerId: string; lanes: number[]; vus: number; arrivalRate: number; state: string; assignedAt: string };
export type RunGap = {
  workerId: string;
  lanes: number[];
  lastSeenAt: string;
  lostAt: string;
  reassignedAt: string | null;
  reassignedTo: string[];
};

/** While Queued: its place in its tenant's queue (1: next), since when, until when it may wait, and why. */
export type RunQueueView = { position: number; queuedAt: string; expiresAt: string; reason: string };

export type RunControlType = "paused" | "resumed" | "scaled";
/** One act of live control on a run: who, when, and for a scale the new size (as asked, and as factors of the plan). */
export type RunControl = {
  type: RunControlType;
  at: string;
  by: string;
  vus?: number;
  rate?: number;
  vuFactor?: number;
  rateFactor?: number;
};

export type RunView = {
  id: string;
  loadTestId: string;
  status: RunStatus;
  /** Its own name and environment label; null when none. */
  name: string | null;
  envId: string | null;
  metadata: Record<string, unknown> | null;
  targetUsers: number;
  spawnRate: number;
  durationSec: number;
  laneCount: number;
  workers: RunWorkerView[];
  gaps: RunGap[];
  reason: string | null;
  coverage: number | null;
  degraded: boolean | null;
  stopReason: string | null;
  verdict: Verdict;
  thresholds: ThresholdResult[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastMetrics: MetricsPoint | null;
  version: number;
  /** Who started it, and its last event's time and actor; null in runs projected before they were recorded. */
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Its place in the queue while Queued; null otherwise. */
  queue: RunQueueView | null;
  /** Who cancelled it (a stop before its planned end, or of a run not started); null otherwise. */
  cancelledBy: string | null;
  /** Seconds of load it ran, once its load is over (0: never started); null before. */
  ranSec: number | null;
  /** Since when it is paused; null when it is not. */
  pausedAt: string | null;
  /** Its live control in order: what the charts annotate. */
  controls: RunControl[];
};

export type LatencySummary = { min: number; max: number; mean: number; p50: number; p90: number; p95: number; p99: number; p999: number };

export type RequestStats = {
  requests: number;
  failures: number;
  errorRate: number;
  rps: number;
  bytesIn: number;
  bytesOut: number;
  latency: LatencySummary;
  failuresByKind: Record<string, number>;
  statusCodes: Record<string, number>;
  interrupted: number;
};
export type EndpointView = RequestStats & { name: string; method: string };
export type AggregateView = RequestStats & {
  runId: string;
  seconds: number;
  iterations: number;
  droppedIterations: number;
  interruptedIterations: number;
  checksPassed: number;
  checksFailed: number;
  endpoints: EndpointView[];
  /** The load generator's own health per worker (absent from older workers' runs). */
  generator?: GeneratorView;
};

/** The generator's health over a run, per worker: what the run page shows of the API's GeneratorView. */
export type GeneratorView = {
  saturatedSeconds: number;
  workers: {
    workerId: string;
    seconds: number;
    saturatedSeconds: number;
    saturated: string[];
    loopDelayP95Ms: number;
    timerSlipP95Ms: number | null;
    busy: number;
  }[];
};

/** One merged second of a run, as the live stream sends it. */
export type LiveSecond = {
  second: number;
  time: string;
  all: MetricsPoint & {
    droppedIterations: number;
    checksPassed: number;
    checksFailed: number;
    statusCodes: Record<string, number>;
    failuresByKind: Record<string, number>;
  };
  /** Absent when the stream was asked `?endpoints=false` (as the run page does). */
  endpoints?: (MetricsPoint & { method: string; name: string })[];
};

export type ChangeVerdict = "better" | "same" | "worse";
export type MetricComparison = { current: number; previous: number; delta: number; relative: number | null; verdict: ChangeVerdict };
export type SeriesComparison = { requests: { current: number; previous: number }; metrics: Record<string, MetricComparison> | null };
export type RunComparisonView = {
  runId: string;
  comparedWith: { runId: string; loadTestId: string; via: "baseline" | "run"; startedAt: string | null };
  sameTest: boolean;
  verdict: ChangeVerdict;
  counts: Record<ChangeVerdict, number>;
  overall: SeriesComparison;
  endpoints: (SeriesComparison & { name: string; method: string; in: "both" | "current" | "previous" })[];
};

export type WorkerView = {
  workerId: string;
  version: string;
  capacity: { threads: number; maxVUs: number; maxArrivalRate: number };
  labels: Record<string, string>;
  startedAt: string;
  heartbeatAt: string;
  state: "idle" | "busy" | "draining" | "lost";
  silentMs: number;
  assignments: { tenantId: string; runId: string; lanes: number[]; laneCount: number; vus: number; arrivalRate: number }[];
};

export type ProjectionStatus = {
  name: string;
  stream: string;
  checkpoint: number;
  streamLastSeq: number;
  lag: number;
  deadLetters: number;
  state: "ok" | "retrying";
  lastError: string | null;
  since: string | null;
};

/** One named series of a system-under-test agent, on the run's seconds (`second` counts from the run's start). */
export type SutSeries = { agentId: string; name: string; points: [number, number][] };
/** GET /v1/runs/{id}/sut: what the SUT's agents measured while the run ran. */
export type SutView = {
  startedAt: string | null;
  agents: { agentId: string; host: string | null; labels: Record<string, string> }[];
  series: SutSeries[];
};

export type AgentActionStatus = "requested" | "started" | "completed" | "failed";
/** An action asked of an agent (GET /v1/runs/{id}/actions: those the run's timeline fired). */
export type AgentActionView = {
  actionId: string;
  agentId: string;
  action: string;
  status: AgentActionStatus;
  requestedAt: string;
  startedAt?: string | null;
  endedAt?: string | null;
  exitCode?: number | null;
  reason?: string | null;
};

/** One parameter of an agent's action, as the agent registered it (its type, and what it accepts). */
export type AgentActionParam = {
  type: "string" | "number" | "boolean" | "enum";
  required?: boolean;
  values?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
  pattern?: string;
  maxLength?: number;
};
/** An action an agent allows: what it is, never the command it runs (that stays on the SUT host). */
export type AgentActionSummary = { name: string; description?: string; params: Record<string, AgentActionParam>; timeoutSec: number };
/** A control agent of the tenant (GET /v1/agents): lost once not heard from for 5 s. */
export type AgentView = {
  agentId: string;
  host: string | null;
  version: string | null;
  labels: Record<string, string>;
  actions: AgentActionSummary[];
  sources: string[];
  registeredAt: string | null;
  lastSeenAt: string;
  state: "active" | "lost";
  silentMs: number;
};
