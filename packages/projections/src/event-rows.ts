import type { EventEnvelope, EventOf, LoadTestSpec } from "@loadline/core";
import type { LoadTestRow, RunRow } from "./schema.ts";

/**
 * Pure folds of events into read-model rows: `null` is "no row". Every event of an
 * aggregate bumps its row's version, so the version is the count of its events, the same
 * number the deciders compare an expected version with.
 */

type LoadTestEvent = EventOf<"load-test.created" | "load-test.updated" | "load-test.deleted">;
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
  defaultUsers: spec.defaultUsers,
  defaultSpawnRate: spec.defaultSpawnRate,
  defaultDurationSec: spec.defaultDurationSec,
  maxDurationSec: spec.maxDurationSec ?? null,
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
  }
}

export function evolveRun(row: RunRow | null, event: RunEvent): RunRow | null {
  if (event.type === "run.created") {
    const { loadTestId, targetUsers, spawnRate, durationSec } = event.data;
    return {
      tenantId: event.tenantId,
      id: event.aggregate.id,
      loadTestId,
      status: "Pending",
      targetUsers,
      spawnRate,
      durationSec,
      workers: [],
      reason: null,
      createdAt: new Date(event.time),
      startedAt: null,
      finishedAt: null,
      version: (row?.version ?? 0) + 1,
    };
  }
  if (!row) return null;
  const next: RunRow = { ...row, version: row.version + 1 };
  switch (event.type) {
    case "run.assigned":
      return { ...next, status: "Starting", workers: event.data.assignments };
    case "run.started":
      return { ...next, status: "Running", startedAt: new Date(event.data.startedAt) };
    case "run.stopping":
      return { ...next, status: "Stopping" };
    case "run.completed":
      return { ...next, status: "Completed", finishedAt: new Date(event.data.finishedAt) };
    case "run.failed":
      return { ...next, status: "Failed", reason: event.data.reason, finishedAt: new Date(event.data.finishedAt) };
    case "run.cancelled":
      return { ...next, status: "Cancelled", reason: event.data.reason, finishedAt: new Date(event.data.finishedAt) };
    case "run.worker-started":
    case "run.worker-stopped":
      return next;
  }
}
