import type { Metric, Registry } from "prom-client";
import type { Family, Sample } from "./run-series.ts";

/** How long one snapshot of the samples serves a scrape: the registry asks each family in turn, at once. */
const SNAPSHOT_MS = 200;

/**
 * Serves `families` on `registry`'s /metrics from `samples()`, taken once per scrape. prom-client
 * builds a histogram's buckets from observations only; these values are totals already merged,
 * so each family is a metric object of its own that answers them as they are.
 */
export function registerFamilies(registry: Registry, families: readonly Family[], samples: () => Sample[]): void {
  let taken: { at: number; byFamily: Map<string, Sample[]> } | null = null;
  const snapshot = (): Map<string, Sample[]> => {
    const now = Date.now();
    if (!taken || now - taken.at > SNAPSHOT_MS) {
      const byFamily = new Map<string, Sample[]>();
      for (const s of samples()) {
        const group = byFamily.get(s.family);
        if (group) group.push(s);
        else byFamily.set(s.family, [s]);
      }
      taken = { at: now, byFamily };
    }
    return taken.byFamily;
  };
  for (const f of families) {
    const metric = {
      name: f.name,
      help: f.help,
      type: f.type,
      aggregator: "sum",
      collect: () => undefined,
      reset: () => undefined,
      get: async () => ({
        name: f.name,
        help: f.help,
        type: f.type,
        aggregator: "sum",
        values: (snapshot().get(f.name) ?? []).map((s) => ({ metricName: s.name, labels: s.labels, value: s.value })),
      }),
    };
    // The registry reads name, help, type and get(): the shape of prom-client's own metrics.
    registry.registerMetric(metric as unknown as Metric);
  }
}
