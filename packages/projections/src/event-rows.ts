import {
  type EventEnvelope,
  type EventOf,
  type LoadEnded,
  type LoadTestSpec,
  type RunWorkerView,
  readyWorkerIds,
  rowLabels,
} from "@loadline/core";
import type { LoadTestRow, RunRow } from "./schema.ts";

/**
 * Pure folds of events into read-model rows: `null` is "no row". Every event of an
 * aggregate bumps its row's version, so the version is the count of its events, the same
 * number the deciders compare an expected version with.
 */

type LoadTestEvent = EventOf<"load-test.created" | "load-test.updated" | "load-test.deleted" | "load-test.baseline-set">;
type RunEvent = Extract<EventEnvelope, { type: `run.${string}` }>;

export const isLoadTestEvent = (e: EventEnvelope): e is LoadTestEvent => e.type.startsWith("load-test.");
export const isRunEvent = (e: EventEnvelope): e is RunEvent => e.type.startsWith("run.");

const specColumns = (spec: LoadTestSpec) => ({
  name: spec.name,
  description: spec.description ?? null,
  tags: spec.tags,
  targetUrl: spec.targetUrl,
  requests: spec.requests ?? null,
  scenarios: spec.scenarios ?? null,
  workload: spec.workload ?? null,
  defaultUsers: spec.defaultUsers ?? null,
  defaultSpawnRate: spec.defaultSpawnRate ?? null,
  defaultDurationSec: spec.defaultDurationSec ?? null,
  maxDurationSec: spec.maxDurationSec ?? null,
  thresholds: spec.thresholds ?? null,
  envId: spec.envId ?? null,
  metadata: spec.metadata ?? null,
});

/** `row` is null before the load test's first event and after its deletion. */
export function evolveLoadTest(row: LoadTestRow | null, event: LoadTestEvent): LoadTestRow | null {
  const at = new Date(event.time);
  switch (event.type) {
    case "load-test.created":
      return {
        tenantId: event.tenantId,
        id: event.aggregate.id,
        ...specColumns(event.data.spec),
        baselineRunId: null,
        version: (row?.version ?? 0) + 1,
        createdAt: at,
        createdBy: event.actor,
        updatedAt: at,
        updatedBy: event.actor,
      };
    case "load-test.updated":
      return row && { ...row, ...specColumns(event.data.spec), version: row.version + 1, updatedAt: at, updatedBy: event.actor };
    case "load-test.deleted":
      return null;
    case "load-test.baseline-set":
      return row && { ...row, baselineRunId: event.data.runId, version: row.version + 1, updatedAt: at, updatedBy: event.actor };
  }
}

const setWorkers = (
  workers: readonly RunWorkerView[],
  workerIds: readonly string[],
  change: (w: RunWorkerView) => RunWorkerView,
): RunWorkerView[] => workers.map((w) => (workerIds.includes(w.workerId) && w.state !== "lost" ? change(w) : w));

export function evolveRun(row: RunRow | null, event: RunEvent): RunRow | null {
  if (event.type === "run.created") {
    // Field by field: the rest of run.created (its target, and the sealed secrets a worker opens) is no column's.
    const { loadTestId, targetUsers, spawnRate, durationSec, placement, targetPolicy, target } = event.data;
    const { name, envId, metadata, env } = event.data;
    return {
      tenantId: event.tenantId,
      id: event.aggregate.id,
      loadTestId,
      status: "Pending",
      targetUsers,
      spawnRate,
      durationSec,
      name: name ?? null,
      envId: envId ?? null,
      metadata: metadata ?? null,
      env: env ?? null,
      placement: placement ?? null,
      targetPolicy: targetPolicy ?? null,
      laneCount: 0,
      workers: [],
      gaps: [],
      reason: null,
      coverage: null,
      degraded: null,
      stopReason: null,
      verdict: target.thresholds ? "pending" : "none",
      thresholds: [],
      createdAt: new Date(event.time),
      startedAt: null,
      finishedAt: null,
      createdBy: event.actor,
      updatedAt: new Date(event.time),
      updatedBy: event.actor,
      queuedAt: null,
      queueExpiresAt: null,
      queueReason: null,
      cancelledBy: null,
      pausedAt: null,
      controls: [],
      phases: {},
      requestTags: Object.fromEntries(rowLabels(target.scenarios).tagsOf),
      version: (row?.version ?? 0) + 1,
    };
  }
  if (!row) return null;
  const next: RunRow = { ...row, version: row.version + 1, updatedAt: new Date(event.time), updatedBy: event.actor };
  switch (event.type) {
    case "run.worker-assigned": {
      const { workerId, lanes, vus, arrivalRate, laneCount, replaces, vcpus } = event.data;
      const held = row.workers.some((w) => w.workerId === workerId && w.state !== "lost");
      const workers = held
        ? setWorkers(row.workers, [workerId], (w) => ({
            ...w,
            lanes: [...w.lanes, ...lanes],
            vus: w.vus + vus,
            arrivalRate: w.arrivalRate + arrivalRate,
          }))
        : [
            ...row.workers,
            {
              workerId,
              lanes,
              vus,
              arrivalRate,
              state: "assigned" as const,
              assignedAt: event.time,
              ...(vcpus !== undefined ? { vcpus } : {}),
            },
          ];
      // A reassignment closes the gap its lost worker left.
      const gaps = replaces
        ? row.gaps.map((g) =>
            g.workerId === replaces && g.lanes.some((l) => lanes.includes(l))
              ? { ...g, reassignedAt: g.reassignedAt ?? event.time, reassignedTo: [...g.reassignedTo, workerId] }
              : g,
          )
        : row.gaps;
      return { ...next, status: row.status === "Pending" ? "Starting" : row.status, laneCount, workers, gaps };
    }
    case "run.worker-ready":
    case "run.workers-ready":
      return { ...next, workers: setWorkers(row.workers, readyWorkerIds(event), (w) => ({ ...w, state: "ready" })) };
    case "run.worker-stopped": {
      const { workerId, teardown } = event.data;
      const workers = setWorkers(row.workers, [workerId], (w) => ({ ...w, state: "stopped" }));
      const phases = teardown ? { ...row.phases, teardown: { workerId, at: event.time, requests: teardown } } : row.phases;
      return { ...next, workers, phases };
    }
    case "run.setup-completed": {
      // Its requests only: the values stay sealed in the event, and out of the read model.
      const { workerId, requests } = event.data;
      return { ...next, phases: { ...row.phases, setup: { workerId, at: event.time, requests } } };
    }
    case "run.worker-lost": {
      const { workerId, lanes, lastSeenAt, lostAt } = event.data;
      return {
        ...next,
        workers: setWorkers(row.workers, [workerId], (w) => ({ ...w, state: "lost" })),
        gaps: [...row.gaps, { workerId, lanes, lastSeenAt, lostAt, reassignedAt: null, reassignedTo: [] }],
      };
    }
    case "run.started":
      return { ...next, status: "Running", startedAt: new Date(event.data.startedAt) };
    case "run.stopping":
      return { ...next, status: "Stopping", stopReason: event.data.reason };
    case "run.queued":
      return {
        ...next,
        status: "Queued",
        queuedAt: new Date(event.time),
        queueExpiresAt: new Date(event.data.expiresAt),
        queueReason: event.data.reason,
      };
    case "run.dequeued":
      return { ...next, status: "Pending", queuedAt: null, queueExpiresAt: null, queueReason: null };
    case "run.analyzing":
      return { ...next, status: "Analyzing", ...loadEndedColumns(event.data) };
    case "run.paused":
      return { ...next, pausedAt: new Date(event.data.at), controls: [...row.controls, { type: "paused", ...event.data }] };
    case "run.resumed": {
      const { at, by } = event.data;
      return { ...next, pausedAt: null, controls: [...row.controls, { type: "resumed", at, by }] };
    }
    case "run.scaled":
      return { ...next, controls: [...row.controls, { type: "scaled", ...event.data }] };
    case "run.threshold-crossed": {
      const { second: _second, ...crossed } = event.data;
      return { ...next, thresholds: [...row.thresholds, crossed] };
    }
    case "run.verdict-recorded":
      return { ...next, verdict: event.data.verdict, thresholds: event.data.results };
    case "run.completed":
      return { ...next, status: "Completed", ...loadEndedColumns(event.data) };
    case "run.failed":
      return { ...next, status: "Failed", reason: event.data.reason, finishedAt: new Date(event.data.finishedAt) };
    case "run.cancelled": {
      const { reason, cancelledBy } = event.data;
      return {
        ...next,
        status: "Cancelled",
        ...loadEndedColumns(event.data),
        reason,
        cancelledBy: cancelledBy ?? null,
        pausedAt: null,
        queuedAt: null,
        queueExpiresAt: null,
        queueReason: null,
      };
    }
    case "run.stage-started":
      return next;
  }
}

/** What a run's load ended with, as columns. Recorded before runs said how much of their load ran: unknown, not whole. */
function loadEndedColumns(ended: LoadEnded): Pick<RunRow, "finishedAt" | "coverage" | "degraded" | "reason"> {
  return {
    finishedAt: new Date(ended.finishedAt),
    coverage: ended.coverage ?? null,
    degraded: ended.degraded ?? null,
    reason: ended.reason ?? null,
  };
}
