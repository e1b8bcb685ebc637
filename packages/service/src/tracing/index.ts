export { httpTracing } from "./http.ts";
export { type FinishedSpan, startInMemoryTracing } from "./in-memory.ts";
export { startTracing, type Tracing, type TracingOptions, tracingConfigured } from "./provider.ts";
