import { LATENCY_BUCKETS_SECONDS, type RequestTally, type RunTally } from "./run-tally.ts";

export type SeriesType = "counter" | "gauge" | "histogram";
/** A metric family: what /metrics announces in its HELP and TYPE lines. */
export type Family = { readonly name: string; readonly help: string; readonly type: SeriesType };
/** One series' value: `name` is the family's, or for a histogram its `_bucket`, `_sum` or `_count`. */
export type Sample = {
  readonly family: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
};

const family = (name: string, type: SeriesType, help: string): Family => ({ name, type, help });

/** Every run family, by what it counts. Labels: tenant, run_id; per request name also method and request. */
export const RUN_FAMILIES = {
  requests: family("loadline_run_requests_total", "counter", "Requests of a run, by request name (merged over its workers)"),
  failures: family("loadline_run_failures_total", "counter", "Failed requests of a run, by request name and failure kind"),
  responses: family("loadline_run_responses_total", "counter", "Responses of a run, by request name and status class"),
  latency: family(
    "loadline_run_request_duration_seconds",
    "histogram",
    "Latency of a run's requests, by request name (from the merged HDR histograms)",
  ),
  interrupted: family(
    "loadline_run_requests_interrupted_total",
    "counter",
    "Requests of a run aborted in flight at its stop (not in requests)",
  ),
  received: family("loadline_run_received_bytes_total", "counter", "Bytes a run's requests received, by request name"),
  sent: family("loadline_run_sent_bytes_total", "counter", "Bytes a run's requests sent, by request name"),
  vus: family("loadline_run_vus", "gauge", "Active virtual users of a run, summed over its workers"),
  iterations: family("loadline_run_iterations_total", "counter", "Iterations of a run that finished"),
  dropped: family(
    "loadline_run_iterations_dropped_total",
    "counter",
    "Iterations an open executor of a run could not start in time (no VU free)",
  ),
  interruptedIterations: family("loadline_run_iterations_interrupted_total", "counter", "Iterations of a run cut short at its stop"),
  checks: family("loadline_run_checks_total", "counter", "Checks of a run, by result (passed, failed)"),
} as const satisfies Record<string, Family>;

/** The `le` label of each bound, as Prometheus prints them, then `+Inf`. */
const LE_LABELS = [...LATENCY_BUCKETS_SECONDS.map(String), "+Inf"];

/** A run's identity on every one of its series. */
export type RunLabels = { readonly tenant: string; readonly run_id: string };

function requestSamples(run: RunLabels, t: RequestTally): Sample[] {
  const labels = { ...run, method: t.method, request: t.name };
  const one = (f: Family, value: number, more: Record<string, string> = {}, suffix = ""): Sample => ({
    family: f.name,
    name: f.name + suffix,
    labels: { ...labels, ...more },
    value,
  });
  const { latency } = RUN_FAMILIES;
  return [
    one(RUN_FAMILIES.requests, t.requests),
    ...[...t.failures].map(([kind, n]) => one(RUN_FAMILIES.failures, n, { kind })),
    ...[...t.responses].map(([status_class, n]) => one(RUN_FAMILIES.responses, n, { status_class })),
    ...LE_LABELS.map((le, i) => one(latency, t.latencyAtOrBelow[i] ?? t.latencyCount, { le }, "_bucket")),
    one(latency, t.latencySumSeconds, {}, "_sum"),
    one(latency, t.latencyCount, {}, "_count"),
    one(RUN_FAMILIES.interrupted, t.interrupted),
    one(RUN_FAMILIES.received, t.bytesReceived),
    one(RUN_FAMILIES.sent, t.bytesSent),
  ];
}

/** Every series of a run: its totals so far, and `vus` (its active users now, or in the second it is pushed for). */
export function runSamples(run: RunLabels, tally: RunTally, vus: number): Sample[] {
  const per = (f: Family, value: number, more: Record<string, string> = {}): Sample => ({
    family: f.name,
    name: f.name,
    labels: { ...run, ...more },
    value,
  });
  return [
    per(RUN_FAMILIES.vus, vus),
    per(RUN_FAMILIES.iterations, tally.iterations),
    per(RUN_FAMILIES.dropped, tally.droppedIterations),
    per(RUN_FAMILIES.interruptedIterations, tally.interruptedIterations),
    per(RUN_FAMILIES.checks, tally.checksPassed, { result: "passed" }),
    per(RUN_FAMILIES.checks, tally.checksFailed, { result: "failed" }),
    ...[...tally.requests.values()].flatMap((t) => requestSamples(run, t)),
  ];
}
