import { Counter, Histogram, type Registry } from "prom-client";
import type { ActionOutcome } from "./actions/executor.ts";

/** The agent's own Prometheus metrics. Several agents may share one registry (tests, the embedded stack): they share the series. */
export class AgentMetrics {
  readonly telemetryPublished: Counter;
  readonly publishFailures: Counter;
  readonly collectionFailures: Counter;
  readonly actions: Counter<"outcome">;
  readonly collectionSeconds: Histogram;

  constructor(registry: Registry) {
    const counter = (name: string, help: string) =>
      (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
    this.telemetryPublished = counter("loadline_agent_telemetry_published_total", "Telemetry events acknowledged by JetStream");
    this.publishFailures = counter("loadline_agent_publish_failures_total", "Registration and telemetry publishes that failed");
    this.collectionFailures = counter("loadline_agent_collection_failures_total", "Intervals whose host figures could not be read");
    const actionsName = "loadline_agent_actions_total";
    this.actions =
      (registry.getSingleMetric(actionsName) as Counter<"outcome"> | undefined) ??
      new Counter({ name: actionsName, help: "Actions asked of the agent, by outcome", labelNames: ["outcome"], registers: [registry] });
    const histogramName = "loadline_agent_collection_seconds";
    this.collectionSeconds =
      (registry.getSingleMetric(histogramName) as Histogram | undefined) ??
      new Histogram({
        name: histogramName,
        help: "Time to collect one interval's telemetry",
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
        registers: [registry],
      });
  }

  action(outcome: ActionOutcome): void {
    this.actions.inc({ outcome });
  }
}
