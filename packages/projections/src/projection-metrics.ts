import { Counter, Gauge, type Registry } from "prom-client";

/** What Prometheus sees of the projections, labelled by projection name. */
export type ProjectionMetrics = {
  applied: Counter<"projection">;
  skipped: Counter<"projection">;
  failures: Counter<"projection">;
  lag: Gauge<"projection">;
  position: Gauge<"projection">;
};

/** Without a registry the metrics are kept but not exposed (tests start many services in one process). */
export function projectionMetrics(registry?: Registry): ProjectionMetrics {
  const registers = registry ? [registry] : [];
  const labelNames = ["projection"] as const;
  return {
    applied: new Counter({
      name: "loadline_projection_events_applied_total",
      help: "Events applied to the read model",
      labelNames,
      registers,
    }),
    skipped: new Counter({
      name: "loadline_projection_events_skipped_total",
      help: "Messages dead-lettered: malformed, or holding what the database cannot store",
      labelNames,
      registers,
    }),
    failures: new Counter({
      name: "loadline_projection_batch_failures_total",
      help: "Batches that failed and will be retried",
      labelNames,
      registers,
    }),
    lag: new Gauge({ name: "loadline_projection_lag_messages", help: "Messages in the stream not yet applied", labelNames, registers }),
    position: new Gauge({
      name: "loadline_projection_position",
      help: "Stream sequence of the last message applied",
      labelNames,
      registers,
    }),
  };
}
