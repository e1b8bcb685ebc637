import type { Role } from "./access/roles.ts";
import type { TargetPolicy } from "./access/target-policy.ts";
import type { RunCost } from "./cost/run-cost.ts";
import type { AggregateType } from "./envelope.ts";
import type { GeneratorView } from "./generator-health.ts";
import type { LatencySummary } from "./histogram/summary.ts";
import type { Executor } from "./scenario/executors.ts";
import type { Scenario } from "./scenario/scenario.ts";
import type { PhaseRequest } from "./scenario/setup.ts";
import type { TenantLimits } from "./schemas/access.ts";
import type { RequestSpec } from "./schemas/load-test.ts";
import type { Placement, RunStatus, StopReason } from "./schemas/run.ts";
import type { MissedFirePolicy, OverlapPolicy, ScheduleOverrides } from "./schemas/schedule.ts";
import type { Metadata } from "./schemas/scope.ts";
import type { LastMetrics, LOAD_TEST_STATUS } from "./seed-contract.ts";
import type { ThresholdResult, Thresholds, Verdict } from "./thresholds/threshold-types.ts";

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
  /** Null when the test leaves them out: its workload or scenarios' executors say how to load. */
  defaultUsers: number | null;
  defaultSpawnRate: number | null;
  defaultDurationSec: number | null;
  maxDurationSec: number | null;
  /** The environment label it was written with, and the client's JSON; null when not given (seed 001's fields). */
  envId: string | null;
  metadata: Metadata | null;
  /** Always `Created`: seed 001's status of a load test (docs/seed-contract.md). */
  status: typeof LOAD_TEST_STATUS;
  /** Its thresholds as declared (README "Thresholds"); null when it has none. */
  thresholds: Thresholds | null;
  /** The completed run comparisons (`compare?to=baseline`) and baseline-relative thresholds are against; null until set. */
  baselineRunId: string | null;
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
  /** durationSec by seed 001's name. */
  durationSeconds: number;
  /** Its own name, environment label (its test's unless the start named one) and client JSON; null when none. */
  name: string | null;
  envId: string | null;
  metadata: Metadata | null;
  /** What its test's env placeholders (`${NAME}`) were filled with, as its start gave them; null when none were given. */
  env: Record<string, string> | null;
  /** Where the run may go, as asked. */
  placement: Placement | null;
  /** Where its load may go: the tenant's policy when it started (null: a run from before policies were recorded). */
  targetPolicy: TargetPolicy | null;
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
  /** Why it stopped: `requested`, `duration`, or `threshold` (an abortOnFail threshold failed); null until it stops. */
  stopReason: StopReason | null;
  /**
   * `passed` when every threshold held, `failed` when one did not, `none` for a run without
   * thresholds; `pending` while a run with thresholds has not been judged yet (until every window
   * of it was counted, a moment after it ended).
   */
  verdict: Verdict | "pending";
  /** Each threshold and the value observed: those crossed so far while it runs, all of them once judged. */
  thresholds: ThresholdResult[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Its newest second, with seed 001's names (totalRPS, p50ResponseMs, currentUsers...) beside Loadline's. */
  lastMetrics: LastMetrics | null;
  version: number;
  /** Who started it (the credential's actor), and its last event's time and actor; null in runs projected before they were recorded. */
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** While Queued: its place in its tenant's queue (1: next), since when and until when it waits, and why; null otherwise. */
  queue: RunQueueView | null;
  /** Who cancelled it: a user's stop before its planned end, or of a run still queued or unassigned; null otherwise. */
  cancelledBy: string | null;
  /** Seconds of load it ran, once its load is over (0: it never started); null before. */
  ranSec: number | null;
  /** Since when it is paused; null when it is not. */
  pausedAt: string | null;
  /** Its live control in order (pauses, resumes, scales): what the charts annotate. */
  controls: RunControl[];
  /** Its setup's and teardown's requests, reported apart from the load's metrics (absent: none ran, or the test has none). */
  phases: RunPhases;
  /** The tags of its request names (its steps' `tags`), by name: what its endpoint rows show and `{tag:...}` thresholds select. */
  requestTags: Record<string, Record<string, string>>;
  /** What it cost (docs/cost.md): so far while it runs. On GET /v1/runs/{id}; absent from lists and write answers. */
  cost?: RunCost;
};

export type RunQueueView = { position: number; queuedAt: string; expiresAt: string; reason: string };

/** One act of live control on a run: who, when, and for a scale the new size (as asked, and as factors of the plan). */
/** A setup or teardown as a run records it: the worker that ran it, when it was recorded, and its requests. */
export type RunPhaseRecord = { workerId: string; at: string; requests: PhaseRequest[] };
export type RunPhases = { setup?: RunPhaseRecord; teardown?: RunPhaseRecord };

export type RunControl = {
  type: "paused" | "resumed" | "scaled";
  at: string;
  by: string;
  vus?: number;
  rate?: number;
  vuFactor?: number;
  rateFactor?: number;
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
  /** Its load-generating threads when assigned; absent in runs planned before they were recorded (the cost counts 1). */
  vcpus?: number;
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
  /** Failed requests by kind: connect, timeout, reset, blocked (a target the tenant may not reach), tls (the handshake failed), 4xx, 5xx, grpc (a gRPC status other than OK), check. */
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

/** `protocol`: the HTTP protocol its responses came over (`http/1.1`, `h2`; several joined by ", "), absent when not said. */
/** A request name's figures; `tags`: its steps' tags (absent: none); method GROUP: a group of steps' passes (a step's `group`). */
export type EndpointView = RequestStats & {
  name: string;
  method: string;
  protocol?: string;
  tags?: Record<string, string>;
  /** WebSocket messages, SSE events or gRPC messages received and sent under the name (stream steps); absent: none. */
  messagesIn?: number;
  messagesOut?: number;
};
/**
 * Totals and exact percentiles over a run (or the part of it asked for), overall and per request
 * name; `generator`: the generator's own health (absent when no window carried it: older workers).
 */
export type AggregateView = RequestStats &
  RunCounters & {
    runId: string;
    from: string | null;
    to: string | null;
    seconds: number;
    endpoints: EndpointView[];
    generator?: GeneratorView;
  };

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
  apiKey(tenantId: string, id: string): Promise<ApiKeyView | null>;
  /** Null when the tenant has no such secret (never set, or deleted). */
  secret(tenantId: string, name: string): Promise<SecretView | null>;
  /** Null when nothing was ever set for the tenant: every part is the platform's default. */
  tenantSettings(tenantId: string): Promise<TenantSettingsView | null>;
}

/** An API key as its tenant's admins see it: never its hash; the key itself is shown once, when it is created. */
export type ApiKeyView = {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
  /** When and by whom it was revoked; null while it is not. */
  revokedAt: string | null;
  revokedBy: string | null;
};

/** A secret, by name: never its value, sealed or not. */
export type SecretView = {
  name: string;
  /** Count of its events since it was last created (set when absent). */
  version: number;
  updatedAt: string;
  updatedBy: string;
};

/** A tenant's settings as they were set: a null part is the platform's default. */
export type TenantSettingsView = {
  tenantId: string;
  /** The target allow-list its admin set (tenant.targets-set), or null. */
  allow: string[] | null;
  /** The limits the platform admin set (tenant.limits-set, the whole set: absent parts are defaults), or null. */
  limits: TenantLimits | null;
  /** Count of the tenant aggregate's events: 0 when nothing was ever set. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
};

/** One event of a tenant, as the audit log shows it: who caused what, when; never the event's data. */
export type AuditEntryView = {
  /** The event's sequence in the event stream: the audit's order and its paging cursor. */
  seq: number;
  eventId: string;
  type: string;
  aggregateType: AggregateType;
  aggregateId: string;
  /** The credential that caused it: `key:<key id>`, `jwt:<sub>`, `bootstrap`, `orchestrator`, `worker:<id>`. */
  actor: string;
  time: string;
  correlationId: string;
};

/** A schedule of runs of a load test (docs/architecture.md, "Schedules"). */
export type ScheduleView = {
  id: string;
  tenantId: string;
  loadTestId: string;
  /** 5 fields, or 6 with seconds first; read in `timezone` (IANA), DST-correct. */
  cron: string;
  timezone: string;
  /** What each run it starts takes over its test's defaults: as POST /v1/load-tests/{id}/runs takes them. */
  overrides: ScheduleOverrides;
  enabled: boolean;
  missedFire: MissedFirePolicy;
  overlap: OverlapPolicy;
  /** Its next 5 fire times after the answer was made (none while disabled). */
  nextFireTimes: string[];
  /** When it last fired a run, the instant that run was due at, and the run. */
  lastFiredAt: string | null;
  lastDueAt: string | null;
  lastRunId: string | null;
  /** Its last skipped due instants: why (missed, overlap) and how many. */
  lastSkipped: { dueAt: string; reason: "missed" | "overlap"; missed: number; at: string } | null;
  /** A due instant waiting for the previous run to end (overlap queue). */
  queuedDueAt: string | null;
  /** Why its last fired run could not start (the test deleted, a quota...); null when it started. */
  lastError: string | null;
  /** Count of its events (fires and skips too): what If-Match names. */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
};

/** What the schedule write routes need of the read side, beside the ReadModel. */
export interface ScheduleReadModel {
  schedule(tenantId: string, id: string): Promise<ScheduleView | null>;
}
