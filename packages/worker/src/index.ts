export { LoadWorker, type LoadWorkerOptions } from "./worker.ts";
export { RunLoad, type RunLoadOptions, type RunLoadState } from "./run-load.ts";
export { WindowAccumulator, currentSecond, type Sample, type RunTotals } from "./windows.ts";
export { WindowPublisher, windowEvent, type WindowSink } from "./window-publisher.ts";
export { CommandRunReporter, type RunReporter } from "./run-reporter.ts";
export { WorkerMetrics } from "./metrics.ts";
export { defaultWorkerId } from "./worker-id.ts";
