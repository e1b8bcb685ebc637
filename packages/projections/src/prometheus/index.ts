export { type RemoteWriteConfig, remoteWriteConfigFromEnv } from "./remote-write-config.ts";
export { RunMetrics, type RunMetricsOptions } from "./run-metrics.ts";
export { RUN_FAMILIES } from "./run-series.ts";
export { DEFAULT_SERIES_LIMITS, type SeriesLimits } from "./series-limits.ts";
