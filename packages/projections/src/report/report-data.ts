import {
  type AggregateView,
  type Check,
  type DistributionView,
  type LatencySummary,
  type LoadTestView,
  type MetricsPoint,
  type RequestStats,
  RUN_REPORT_KIND,
  RUN_REPORT_VERSION,
  type RunComparisonView,
  type RunCost,
  type RunReport,
  type RunView,
  type Scenario,
} from "@loadline/core";
import type { RunActionView, SutSeries } from "../agent-views.ts";

/** What a report is made of: the read model's views of one run, as the read routes answer them. */
export type ReportInputs = {
  run: ReportRun;
  /** The run's load test as it is now; null when it was deleted. */
  loadTest: LoadTestView | null;
  aggregate: AggregateView;
  timeseries: { step: number; points: readonly MetricsPoint[] };
  distribution: Pick<DistributionView, "requests" | "percentiles">;
  generatedAt: string;
};

type Verdict = RunReport["run"]["verdict"];
type ThresholdResult = RunReport["thresholds"][number];
/** The verdict and thresholds a run view carries once they are projected; read as absent-able, as views from before had none. */
export type ReportRun = Omit<RunView, "verdict" | "thresholds" | "stopReason"> & {
  verdict?: Verdict;
  thresholds?: readonly ThresholdResult[];
  stopReason?: RunReport["run"]["stopReason"];
};

/**
 * A report with, optionally, the comparison asked for (`?compare=`) and the run's cost: shown by
 * the HTML page (and the PDF printed from it), never part of the versioned JSON document.
 */
export type ComparedRunReport = RunReport & {
  comparison?: RunComparisonView | undefined;
  cost?: RunCost | undefined;
  /** The system under test's series on the run's clock (seconds since its start), as GET /v1/runs/{id}/sut answers them. */
  sut?: ReportSut | undefined;
  /** The agent actions the run's timeline fired, in the order they were asked, as GET /v1/runs/{id}/actions answers them. */
  actions?: readonly RunActionView[] | undefined;
};

/** A run's SUT telemetry: the agents heard from and their series, `[second since the run's start, value]` each. */
export type ReportSut = { agents: readonly string[]; series: readonly SutSeries[] };

/** Arrays longer than this in the definition (a data set's rows) are cut to their first items. */
const DEFINITION_MAX_ITEMS = 50;
const DEFINITION_KEEP_ITEMS = 20;
/** Strings longer than this (a body, a CSV data set) are cut. */
const DEFINITION_MAX_CHARS = 4000;

const sortedCounts = (counts: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const latencyOf = (l: LatencySummary): LatencySummary => ({
  count: l.count,
  min: l.min,
  max: l.max,
  mean: l.mean,
  p50: l.p50,
  p90: l.p90,
  p95: l.p95,
  p99: l.p99,
  p999: l.p999,
});

/** The request figures in the schema's order, whatever order the view has them in. */
const figuresOf = (s: RequestStats) => ({
  requests: s.requests,
  failures: s.failures,
  errorRate: s.errorRate,
  rps: s.rps,
  bytesIn: s.bytesIn,
  bytesOut: s.bytesOut,
  interrupted: s.interrupted,
  latency: latencyOf(s.latency),
  serviceTime: s.serviceTime ? latencyOf(s.serviceTime) : null,
  failuresByKind: sortedCounts(s.failuresByKind),
  statusCodes: sortedCounts(s.statusCodes),
});

const pointOf = (p: MetricsPoint): RunReport["timeseries"]["points"][number] => ({
  time: p.time,
  requests: p.requests,
  failures: p.failures,
  rps: p.rps,
  errorRate: p.errorRate,
  p50: p.p50,
  p90: p.p90,
  p95: p.p95,
  p99: p.p99,
  p999: p.p999,
  min: p.min,
  max: p.max,
  mean: p.mean,
  users: p.users,
  interrupted: p.interrupted,
  interruptedIterations: p.interruptedIterations,
});

/** Cuts what would make a report huge (a data set of a million rows, a 1 MiB body), saying how much was left out. */
function cut(value: unknown): unknown {
  if (typeof value === "string")
    return value.length > DEFINITION_MAX_CHARS
      ? `${value.slice(0, DEFINITION_MAX_CHARS)}… (${value.length - DEFINITION_MAX_CHARS} more characters)`
      : value;
  if (Array.isArray(value)) {
    if (value.length <= DEFINITION_MAX_ITEMS) return value.map(cut);
    return [...value.slice(0, DEFINITION_KEEP_ITEMS).map(cut), `… ${value.length - DEFINITION_KEEP_ITEMS} more`];
  }
  if (value && typeof value === "object") return Object.fromEntries(ordered(Object.entries(value)).map(([k, v]) => [k, cut(v)]));
  return value;
}

/** The keys a test is written with, in the order one writes them; others follow alphabetically (Postgres' jsonb keeps no order). */
const KEY_ORDER = [
  "name",
  "description",
  "tags",
  "type",
  "method",
  "url",
  "path",
  "targetUrl",
  "weight",
  "executor",
  "workload",
  "variables",
  "data",
  "query",
  "headers",
  "body",
  "timeoutMs",
  "checks",
  "extract",
  "requests",
  "scenarios",
  "steps",
  "thresholds",
  "defaultUsers",
  "defaultSpawnRate",
  "defaultDurationSec",
  "maxDurationSec",
];
const rank = (k: string) => {
  const i = KEY_ORDER.indexOf(k);
  return i === -1 ? KEY_ORDER.length : i;
};
function ordered(entries: [string, unknown][]): [string, unknown][] {
  return entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

// `status` is seed 001's constant `Created` (docs/seed-contract.md): no part of the test as written.
const BOOKKEEPING = new Set(["id", "tenantId", "version", "createdAt", "createdBy", "updatedAt", "updatedBy", "status"]);

/**
 * The test as written: its spec's fields, without the resource's bookkeeping and without the
 * parts it does not use (null). A test holds secrets only as `{{secrets.NAME}}` references (a
 * value written inline is refused when the test is written), so it is shown as it is.
 */
export function definitionOf(test: LoadTestView): Record<string, unknown> {
  const entries = Object.entries(test).filter(([k, v]) => !BOOKKEEPING.has(k) && v !== null);
  return cut(Object.fromEntries(entries)) as Record<string, unknown>;
}

/** A check as a sentence, close to how it is written. */
export function describeCheck(check: Check): string {
  switch (check.type) {
    case "status":
      return `status in ${check.in.join(", ")}`;
    case "jsonPath":
      return check.equals !== undefined
        ? `${check.path} equals ${JSON.stringify(check.equals)}`
        : `${check.path} ${check.exists === false ? "does not exist" : "exists"}`;
    case "bodyContains":
      return `body contains ${JSON.stringify(check.value)}`;
    case "header":
      return `header ${check.name} matches /${check.matches}/`;
    case "latency":
      return `latency < ${check.belowMs} ms`;
  }
}

/** The requests that declare checks, by their stats name (`name`, else the URL as written) and method, with their checks. */
function declaredChecks(scenarios: readonly Scenario[] | null): { name: string; method: string; checks: string[] }[] {
  const byKey = new Map<string, { name: string; method: string; checks: string[] }>();
  for (const scenario of scenarios ?? []) {
    for (const step of scenario.steps) {
      if (step.type !== "request" || step.checks.length === 0) continue;
      const name = step.name ?? step.url;
      const key = `${step.method} ${name}`;
      const entry = byKey.get(key) ?? { name, method: step.method, checks: [] };
      for (const c of step.checks.map(describeCheck)) if (!entry.checks.includes(c)) entry.checks.push(c);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** The report of a run from its views: pure, so every format renders the same figures. */
export function runReportOf(inputs: ReportInputs): RunReport {
  const { loadTest, aggregate: a, timeseries, distribution } = inputs;
  const { run } = inputs;
  const endpoints = a.endpoints.map((e) => ({
    name: e.name,
    method: e.method,
    ...(e.protocol ? { protocol: e.protocol } : {}),
    ...(e.tags ? { tags: e.tags } : {}),
    ...(e.messagesIn ? { messagesIn: e.messagesIn } : {}),
    ...(e.messagesOut ? { messagesOut: e.messagesOut } : {}),
    ...figuresOf(e),
  }));
  const checkedRequests = declaredChecks(loadTest?.scenarios ?? null).map((d) => {
    const e = a.endpoints.find((x) => x.name === d.name && x.method === d.method);
    return { ...d, requests: e?.requests ?? 0, failed: e?.failuresByKind.check ?? 0 };
  });
  return {
    kind: RUN_REPORT_KIND,
    version: RUN_REPORT_VERSION,
    generatedAt: inputs.generatedAt,
    run: {
      id: run.id,
      tenantId: run.tenantId,
      loadTestId: run.loadTestId,
      status: run.status,
      verdict: run.verdict ?? "none",
      reason: run.reason,
      stopReason: run.stopReason ?? null,
      degraded: run.degraded,
      coverage: run.coverage,
      targetUsers: run.targetUsers,
      spawnRate: run.spawnRate,
      durationSec: run.durationSec,
      laneCount: run.laneCount,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    },
    test: loadTest
      ? {
          id: loadTest.id,
          name: loadTest.name,
          description: loadTest.description,
          tags: [...loadTest.tags],
          targetUrl: loadTest.targetUrl,
          version: loadTest.version,
          updatedAt: loadTest.updatedAt,
          definition: definitionOf(loadTest),
        }
      : null,
    thresholds: (run.thresholds ?? []).map((t) => ({
      metric: t.metric,
      expression: t.expression,
      observed: t.observed,
      passed: t.passed,
      abortOnFail: t.abortOnFail,
      ...(t.over === undefined ? {} : { over: t.over }),
    })),
    summary: {
      from: a.from,
      to: a.to,
      seconds: a.seconds,
      ...figuresOf(a),
      iterations: a.iterations,
      droppedIterations: a.droppedIterations,
      interruptedIterations: a.interruptedIterations,
    },
    checks: { passed: a.checksPassed, failed: a.checksFailed, requests: checkedRequests },
    endpoints,
    timeseries: { stepSec: timeseries.step, points: timeseries.points.map(pointOf) },
    latencyDistribution: {
      requests: distribution.requests,
      percentiles: distribution.percentiles.map((p) => ({ percentile: p.percentile, latencyMs: p.latencyMs })),
    },
    workers: run.workers.map((w) => ({
      workerId: w.workerId,
      lanes: [...w.lanes],
      vus: w.vus,
      arrivalRate: w.arrivalRate,
      state: w.state,
      assignedAt: w.assignedAt,
    })),
    gaps: run.gaps.map((g) => ({
      workerId: g.workerId,
      lanes: [...g.lanes],
      lastSeenAt: g.lastSeenAt,
      lostAt: g.lostAt,
      reassignedAt: g.reassignedAt,
      reassignedTo: [...g.reassignedTo],
    })),
    ...(a.generator ? { generator: a.generator } : {}),
  };
}

/** What gathering a report reads: the read model's queries the read routes answer with. */
export type ReportSources = {
  loadTest(tenantId: string, id: string): Promise<LoadTestView | null>;
  aggregate(run: RunView): Promise<AggregateView>;
  timeseries(run: RunView): Promise<{ step: number; points: MetricsPoint[] }>;
  distribution(run: RunView): Promise<Pick<DistributionView, "requests" | "percentiles">>;
  /** The run's SUT series; absent: the report has no SUT section (the JSON report never has one). */
  sut?: ((run: RunView) => Promise<ReportSut>) | undefined;
  /** The agent actions the run's timeline fired; absent: no annotations and no actions table. */
  actions?: ((run: RunView) => Promise<readonly RunActionView[]>) | undefined;
};

/**
 * Reads a run's views once, at the same time, and makes its report; with the SUT and the agent
 * actions only when their sources are given, so that the report is otherwise exactly the schema's.
 */
export async function gatherRunReport(sources: ReportSources, run: RunView, now: Date = new Date()): Promise<ComparedRunReport> {
  const [loadTest, aggregate, timeseries, distribution, sut, actions] = await Promise.all([
    sources.loadTest(run.tenantId, run.loadTestId),
    sources.aggregate(run),
    sources.timeseries(run),
    sources.distribution(run),
    sources.sut?.(run),
    sources.actions?.(run),
  ]);
  const report: ComparedRunReport = runReportOf({ run, loadTest, aggregate, timeseries, distribution, generatedAt: now.toISOString() });
  if (sut) report.sut = sut;
  if (actions) report.actions = actions;
  return report;
}
