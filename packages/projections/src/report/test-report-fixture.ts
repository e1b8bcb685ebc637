import {
  type AggregateView,
  type EndpointView,
  type LatencySummary,
  type LoadTestView,
  lastMetricsOf,
  type MetricsPoint,
  type RunReport,
} from "@loadline/core";
import type { RunActionView } from "../agent-views.ts";
import { type ReportInputs, type ReportRun, type ReportSut, runReportOf } from "./report-data.ts";

/** Fixed views of a finished run (two endpoints, checks, two thresholds, a lost worker): what the renderers' tests and the golden file use. */

const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const latency = (p50: number, count: number): LatencySummary => ({
  count,
  min: Math.round(p50 * 0.4 * 1000) / 1000,
  max: Math.round(p50 * 6 * 1000) / 1000,
  mean: Math.round(p50 * 1.2 * 1000) / 1000,
  p50,
  p90: Math.round(p50 * 1.8 * 1000) / 1000,
  p95: Math.round(p50 * 2.2 * 1000) / 1000,
  p99: Math.round(p50 * 3.5 * 1000) / 1000,
  p999: Math.round(p50 * 5 * 1000) / 1000,
});

export const fixtureLoadTest: LoadTestView = {
  id: "lt_checkout",
  tenantId: "acme",
  name: "Checkout <flow> & friends",
  description: "Browse, then log in",
  tags: ["shop"],
  targetUrl: "http://shop.test",
  requests: null,
  scenarios: [
    {
      name: "buyer",
      weight: 1,
      steps: [
        { type: "request", name: "home", method: "GET", url: "/", timeoutMs: 60_000, checks: [{ type: "status", in: [200] }], extract: [] },
        {
          type: "request",
          name: "login",
          method: "POST",
          url: "/login",
          headers: { Authorization: "Bearer {{secrets.SHOP_TOKEN}}" },
          body: { json: { user: "{{user}}" } },
          timeoutMs: 60_000,
          checks: [
            { type: "status", in: [200, 201] },
            { type: "jsonPath", path: "$.token", exists: true },
          ],
          extract: [],
        },
        { type: "think", distribution: "constant", ms: 500 },
      ],
      variables: {},
      data: { mode: "sequential", rows: Array.from({ length: 120 }, (_, i) => ({ user: `user${i}` })) },
    } as unknown as NonNullable<LoadTestView["scenarios"]>[number],
  ],
  workload: null,
  defaultUsers: 20,
  defaultSpawnRate: 10,
  defaultDurationSec: 12,
  maxDurationSec: null,
  envId: null,
  metadata: null,
  status: "Created",
  thresholds: { "latency{name:checkout}": ["p(95) < 300"], error_rate: ["rate < 0.05"] },
  baselineRunId: null,
  version: 3,
  createdAt: at(-3600),
  createdBy: "key:k1",
  updatedAt: at(-600),
  updatedBy: "key:k1",
};

const endpoint = (
  name: string,
  method: string,
  requests: number,
  failures: number,
  p50: number,
  over: Partial<EndpointView> = {},
): EndpointView => ({
  name,
  method,
  requests,
  failures,
  errorRate: failures / requests,
  rps: requests / 12,
  bytesIn: requests * 420,
  bytesOut: requests * 96,
  latency: latency(p50, requests),
  serviceTime: null,
  failuresByKind: {},
  statusCodes: { "200": requests - failures },
  interrupted: 0,
  ...over,
});

const home = endpoint("home", "GET", 2400, 0, 12.5);
const login = endpoint("login", "POST", 1200, 36, 48.25, {
  failuresByKind: { check: 24, "5xx": 12 },
  statusCodes: { "200": 1176, "500": 12, "201": 12 },
  interrupted: 2,
});

export const fixtureAggregate: AggregateView = {
  runId: "run_fixed",
  requests: 3600,
  failures: 36,
  errorRate: 0.01,
  rps: 300,
  bytesIn: 3600 * 420,
  bytesOut: 3600 * 96,
  latency: latency(18.75, 3600),
  serviceTime: latency(17.5, 3600),
  failuresByKind: { "5xx": 12, check: 24 },
  statusCodes: { "500": 12, "200": 3576, "201": 12 },
  interrupted: 2,
  iterations: 1190,
  droppedIterations: 0,
  interruptedIterations: 1,
  checksPassed: 4776,
  checksFailed: 24,
  from: at(0),
  to: at(11),
  seconds: 12,
  endpoints: [home, login],
  generator: {
    saturatedSeconds: 0,
    workers: [
      {
        workerId: "w-1",
        seconds: 12,
        saturatedSeconds: 0,
        saturated: [],
        loopDelayP95Ms: 1.25,
        loopDelayMaxMs: 4.5,
        timerSlipP95Ms: null,
        timerSlipMaxMs: null,
        gcPauseMs: 14.5,
        busy: 0.31,
      },
    ],
  },
};

export const fixturePoints: MetricsPoint[] = Array.from({ length: 12 }, (_, s) => {
  const requests = s === 6 ? 0 : 300 + (s % 3) * 20;
  const failures = s === 8 ? 20 : s === 9 ? 16 : 0;
  const users = Math.min(20, (s + 1) * 5);
  const p50 = requests === 0 ? 0 : 15 + s;
  return {
    time: at(s),
    requests,
    failures,
    rps: requests,
    errorRate: requests === 0 ? 0 : failures / requests,
    p50,
    p90: p50 * 1.8,
    p95: p50 * 2.2,
    p99: p50 * 3.5,
    p999: p50 * 5,
    min: p50 * 0.4,
    max: p50 * 6,
    mean: p50 * 1.2,
    users,
    interrupted: s === 11 ? 2 : 0,
    interruptedIterations: s === 11 ? 1 : 0,
  };
});

export const fixtureRun: ReportRun = {
  id: "run_fixed",
  tenantId: "acme",
  loadTestId: "lt_checkout",
  status: "Completed",
  targetUsers: 20,
  spawnRate: 10,
  durationSec: 12,
  durationSeconds: 12,
  name: null,
  envId: null,
  metadata: null,
  env: null,
  placement: null,
  targetPolicy: null,
  laneCount: 4,
  workers: [
    { workerId: "w-1", lanes: [0, 1], vus: 10, arrivalRate: 0, state: "stopped", assignedAt: at(-2) },
    { workerId: "w-2", lanes: [2, 3], vus: 10, arrivalRate: 0, state: "lost", assignedAt: at(-2) },
    { workerId: "w-3", lanes: [2, 3], vus: 10, arrivalRate: 0, state: "stopped", assignedAt: at(7) },
  ],
  gaps: [{ workerId: "w-2", lanes: [2, 3], lastSeenAt: at(5), lostAt: at(6.5), reassignedAt: at(7), reassignedTo: ["w-3"] }],
  reason: "lanes 2-3 were not run for 2 s (worker w-2 lost)",
  stopReason: "duration",
  coverage: 0.9167,
  degraded: true,
  createdAt: at(-3),
  startedAt: at(0),
  finishedAt: at(12),
  lastMetrics: lastMetricsOf(fixturePoints[11]!),
  version: 14,
  createdBy: "key:k1",
  updatedAt: at(12),
  updatedBy: "orchestrator",
  queue: null,
  cancelledBy: null,
  ranSec: 12,
  pausedAt: null,
  controls: [],
  phases: {},
  requestTags: {},
  verdict: "failed",
  thresholds: [
    { metric: "latency", expression: "p(95) < 300", observed: 41.25, passed: true, abortOnFail: false },
    { metric: "error_rate", expression: "rate < 0.005", observed: 0.01, passed: false, abortOnFail: true, over: "30s" },
  ],
};

export const fixtureInputs: ReportInputs = {
  run: fixtureRun,
  loadTest: fixtureLoadTest,
  aggregate: fixtureAggregate,
  timeseries: { step: 1, points: fixturePoints },
  distribution: {
    requests: 3600,
    percentiles: [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100].map((percentile, i) => ({
      percentile,
      latencyMs: Math.round((7.5 + i * i * 0.9) * 1000) / 1000,
    })),
  },
  generatedAt: "2026-03-02T10:05:00.000Z",
};

/** The fixture's report. */
export const fixtureReport = (): RunReport => runReportOf(fixtureInputs);

/** Two SUT agents' seconds (since the run's start, which is the first point's second): CPU, memory and network, no load. */
export const fixtureSut: ReportSut = {
  agents: ["api-1", "db-1"],
  series: [
    { agentId: "api-1", name: "host.cpu.busy", points: Array.from({ length: 12 }, (_, s): [number, number] => [s, 20 + s]) },
    {
      agentId: "api-1",
      name: "host.memory.usedBytes",
      points: [
        [0, 2e9],
        [5, 2.5e9],
        [11, 3e9],
      ],
    },
    {
      agentId: "api-1",
      name: "host.network.rxBytesPerSec",
      points: [
        [0, 1e6],
        [1, 2e6],
        [2, 3e6],
      ],
    },
    {
      agentId: "db-1",
      name: "host.cpu.busy",
      points: [
        [0, 50],
        [1, 55],
        [3, 60],
        [4, 58],
      ],
    },
  ],
};

const action = (
  a: Partial<RunActionView> & Pick<RunActionView, "actionId" | "action" | "agentId" | "status" | "requestedAt">,
): RunActionView => ({
  params: {},
  requestedBy: "timeline",
  runId: fixtureRun.id,
  startedAt: null,
  endedAt: null,
  exitCode: null,
  output: null,
  truncated: null,
  reason: null,
  durationMs: null,
  second: Math.floor((Date.parse(a.requestedAt) - T0) / 1000),
  ...a,
});

/** The run's timeline fired two actions: one ran at 0:03 (asked a little before), one failed at 0:07 without starting. */
export const fixtureActions: RunActionView[] = [
  action({
    actionId: "act_1",
    action: "restart-api",
    agentId: "api-1",
    status: "completed",
    requestedAt: at(2.6),
    startedAt: at(3),
    endedAt: at(3.812),
    exitCode: 0,
    output: "restarted\n",
    truncated: false,
    durationMs: 812,
  }),
  action({ actionId: "act_2", action: "set-flag", agentId: "db-1", status: "failed", requestedAt: at(7), reason: "agent <db-1> refused" }),
];
