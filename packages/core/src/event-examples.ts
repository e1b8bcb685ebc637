import type { EventData, EventType } from "./envelope.ts";

const spec = {
  name: "checkout",
  description: "browse then buy",
  tags: ["shop"],
  targetUrl: "http://127.0.0.1:3000",
  requests: [
    { name: "home", method: "GET" as const, path: "/" },
    { name: "buy", method: "POST" as const, path: "/orders", headers: { "content-type": "application/json" }, body: '{"sku":"A1"}' },
  ],
  defaultUsers: 50,
  defaultSpawnRate: 10,
  defaultDurationSec: 300,
  maxDurationSec: 3600,
};

/** One example of every event's data: typed, so a new event type cannot go undocumented. */
export const eventExamples: { [K in EventType]: EventData<K> } = {
  "load-test.created": { spec },
  "load-test.updated": { spec: { ...spec, defaultUsers: 100 } },
  "load-test.deleted": {},
  "run.created": {
    loadTestId: "0196f3a0-7c1e-7d3a-9b1e-2f4c5d6e7f80",
    targetUsers: 50,
    spawnRate: 10,
    durationSec: 300,
    placement: { workers: 3, selector: { region: "eu-west" } },
    target: {
      targetUrl: spec.targetUrl,
      scenarios: [
        {
          name: "buyer",
          weight: 1,
          variables: {},
          steps: [
            {
              type: "request",
              name: "login",
              method: "POST",
              url: "/login",
              body: { json: { user: "ann" } },
              timeoutMs: 60_000,
              checks: [{ type: "status", in: [200] }],
              extract: [{ type: "jsonPath", var: "token", path: "$.token" }],
            },
            { type: "think", distribution: "uniform", minMs: 100, maxMs: 500 },
            {
              type: "request",
              name: "order",
              method: "POST",
              url: "/orders",
              headers: { authorization: "Bearer {{token}}" },
              timeoutMs: 60_000,
              checks: [],
              extract: [],
            },
          ],
        },
      ],
      workload: { type: "constant-vus", vus: 50, durationSec: 300, spawnRate: 10 },
    },
  },
  "run.worker-assigned": { workerId: "w-host1-3fa2c1", lanes: [0, 1], vus: 34, arrivalRate: 0, laneCount: 3, reason: "plan" },
  "run.worker-ready": { workerId: "w-host1-3fa2c1" },
  "run.started": { startedAt: "2026-11-23T10:00:01.000Z" },
  "run.stage-started": { workload: 0, stage: 1, target: 200, at: "2026-11-23T10:01:01.000Z" },
  "run.worker-lost": { workerId: "w-host2-9b0e44", lastSeenAt: "2026-11-23T10:02:10.120Z", lostAt: "2026-11-23T10:02:13.380Z", lanes: [2] },
  "run.stopping": { reason: "duration" },
  "run.worker-stopped": { workerId: "w-host1-3fa2c1", requests: 148_211, failures: 12 },
  "run.completed": {
    finishedAt: "2026-11-23T10:05:02.410Z",
    coverage: 0.8101,
    degraded: true,
    reason:
      "lane 2 of 3 was not run for 170.9 s of 300.0 s: worker w-host2-9b0e44 was last heard from 02:09.1 into the run, and nobody took it before the end",
  },
  "run.failed": { reason: "no live worker to run the load", finishedAt: "2026-11-23T10:00:06.000Z" },
  "run.cancelled": { reason: "stopped before it was assigned", finishedAt: "2026-11-23T10:00:00.500Z" },
  "worker.lost": {
    lastSeenAt: "2026-11-23T10:02:10.120Z",
    lostAt: "2026-11-23T10:02:13.380Z",
    runs: [{ tenantId: "default", runId: "0196f3a0-8d2f-7e4b-8c2f-3a5b6c7d8e91" }],
  },
  "metrics.window": {
    runId: "0196f3a0-8d2f-7e4b-8c2f-3a5b6c7d8e91",
    workerId: "w-host1-3fa2c1",
    second: 1795428001,
    activeUsers: 50,
    requests: [
      {
        name: "home",
        method: "GET",
        count: 5,
        failures: 1,
        bytesIn: 2_550,
        bytesOut: 0,
        histogram: "HISTEwAAAA0AAAAAAAAAAwAAAAAAAAABAAAAAAOThwA/8AAAAAAAANNTAh8CeQK/AQKPOAI=",
        serviceHistogram: "HISTEwAAAA0AAAAAAAAAAwAAAAAAAAABAAAAAAOThwA/8AAAAAAAAMNTAiECbwLFAQKdOAI=",
        failuresByKind: { "5xx": 1 },
        statusCodes: { "200": 4, "503": 1 },
        interrupted: 2,
      },
    ],
    iterations: 5,
    droppedIterations: 0,
    interruptedIterations: 2,
    checksPassed: 4,
    checksFailed: 0,
  },
};
