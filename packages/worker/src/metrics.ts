import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The worker's Prometheus metrics. Unlabelled on purpose: run ids would make the series
 * count grow with every run. Several workers may share one registry (tests): they share the series.
 */
export class WorkerMetrics {
  readonly requests: Counter;
  readonly failures: Counter;
  readonly activeUsers: Gauge;
  readonly windowsPublished: Counter;
  readonly publishFailures: Counter;
  readonly windowsDropped: Counter;

  constructor(registry: Registry) {
    const counter = (name: string, help: string) =>
      (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
    this.requests = counter("loadline_worker_requests_total", "Requests sent to targets");
    this.failures = counter("loadline_worker_request_failures_total", "Requests that failed (network error, timeout or status >= 400)");
    this.windowsPublished = counter("loadline_worker_windows_published_total", "Metric windows acknowledged by JetStream");
    this.publishFailures = counter("loadline_worker_window_publish_failures_total", "Metric window publishes that failed (retried later)");
    this.windowsDropped = counter("loadline_worker_windows_dropped_total", "Metric windows dropped because the retry queue was full");
    const gaugeName = "loadline_worker_active_users";
    this.activeUsers =
      (registry.getSingleMetric(gaugeName) as Gauge | undefined) ??
      new Gauge({ name: gaugeName, help: "Virtual users running on this worker", registers: [registry] });
  }
}
