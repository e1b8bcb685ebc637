import { boundCounts, FAILURE_KINDS, type MetricWindow, type RequestWindow } from "@loadline/core";
import { OTHER_REQUESTS } from "./series-limits.ts";

/** The classic histogram's bounds, in seconds: fixed, so every run's buckets line up across runs and processes. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
const LATENCY_BUCKETS_US = LATENCY_BUCKETS_SECONDS.map((s) => Math.round(s * 1_000_000));

/** Status classes, a closed set: a code outside 100-599 counts as `other`. */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
/** Failure kinds, a closed set: the windows' own, and `other` for a kind this version does not know. */
export const FAILURE_KIND_LABELS = [...FAILURE_KINDS, "other"] as const;
export type FailureKindLabel = (typeof FAILURE_KIND_LABELS)[number];

export const statusClassOf = (code: string): StatusClass => {
  const n = Number(code);
  return Number.isInteger(n) && n >= 100 && n <= 599 ? (`${Math.floor(n / 100)}xx` as StatusClass) : "other";
};
const failureKindOf = (kind: string): FailureKindLabel =>
  (FAILURE_KINDS as readonly string[]).includes(kind) ? (kind as FailureKindLabel) : "other";

/** One request name's running totals. */
export type RequestTally = {
  readonly method: string;
  readonly name: string;
  requests: number;
  failures: Map<FailureKindLabel, number>;
  responses: Map<StatusClass, number>;
  /** Per LATENCY_BUCKETS_SECONDS bound: requests whose latency is at or below it. */
  latencyAtOrBelow: number[];
  latencyCount: number;
  latencySumSeconds: number;
  interrupted: number;
  bytesReceived: number;
  bytesSent: number;
};

/** A run's running totals over the windows added to it, request names capped. */
export type RunTally = {
  readonly requests: Map<string, RequestTally>;
  iterations: number;
  droppedIterations: number;
  interruptedIterations: number;
  checksPassed: number;
  checksFailed: number;
};

export const newRunTally = (): RunTally => ({
  requests: new Map(),
  iterations: 0,
  droppedIterations: 0,
  interruptedIterations: 0,
  checksPassed: 0,
  checksFailed: 0,
});

const newRequestTally = (method: string, name: string): RequestTally => ({
  method,
  name,
  requests: 0,
  failures: new Map(),
  responses: new Map(),
  latencyAtOrBelow: LATENCY_BUCKETS_SECONDS.map(() => 0),
  latencyCount: 0,
  latencySumSeconds: 0,
  interrupted: 0,
  bytesReceived: 0,
  bytesSent: 0,
});

const OTHER_KEY = `${OTHER_REQUESTS}\u0000${OTHER_REQUESTS}`;

const add = <K>(into: Map<K, number>, key: K, n: number) => into.set(key, (into.get(key) ?? 0) + n);

/**
 * The tally a request name adds to: its own while the run has fewer than `maxRequests` names (a
 * name keeps its series once it has one), else the `_other` one.
 */
function requestTallyOf(run: RunTally, r: Pick<RequestWindow, "method" | "name">, maxRequests: number): RequestTally {
  const own = run.requests.get(`${r.method}\u0000${r.name}`);
  if (own) return own;
  const named = run.requests.size - (run.requests.has(OTHER_KEY) ? 1 : 0);
  const [key, method, name] =
    named < maxRequests ? [`${r.method}\u0000${r.name}`, r.method, r.name] : [OTHER_KEY, OTHER_REQUESTS, OTHER_REQUESTS];
  let tally = run.requests.get(key);
  if (!tally) run.requests.set(key, (tally = newRequestTally(method, name)));
  return tally;
}

/** Adds one worker's window of one second to its run's totals; its latencies counted exactly at each bound. */
export function addWindow(run: RunTally, w: MetricWindow, maxRequests: number): void {
  run.iterations += w.iterations ?? 0;
  run.droppedIterations += w.droppedIterations ?? 0;
  run.interruptedIterations += w.interruptedIterations ?? 0;
  run.checksPassed += w.checksPassed ?? 0;
  run.checksFailed += w.checksFailed ?? 0;
  for (const r of w.requests) {
    const t = requestTallyOf(run, r, maxRequests);
    t.requests += r.count;
    t.interrupted += r.interrupted ?? 0;
    t.bytesReceived += r.bytesIn;
    t.bytesSent += r.bytesOut;
    for (const [kind, n] of Object.entries(r.failuresByKind ?? {})) add(t.failures, failureKindOf(kind), n);
    for (const [code, n] of Object.entries(r.statusCodes ?? {})) add(t.responses, statusClassOf(code), n);
    const latency = boundCounts(r.histogram, LATENCY_BUCKETS_US);
    for (let i = 0; i < latency.atOrBelow.length; i++) t.latencyAtOrBelow[i]! += latency.atOrBelow[i]!;
    t.latencyCount += latency.count;
    t.latencySumSeconds += latency.sumUs / 1_000_000;
  }
}
