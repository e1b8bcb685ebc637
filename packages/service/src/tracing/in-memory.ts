import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { startTracing, type Tracing } from "./provider.ts";

/** A finished span, as an exporter gets it. */
export type FinishedSpan = ReadableSpan;

/** Tracing on, into memory, each span as it ends: what tests assert traces on (and a debugging aid). */
export function startInMemoryTracing(serviceName = "loadline-test"): Tracing & { spans(): FinishedSpan[]; reset(): void } {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  if (!tracing.enabled) throw new Error("tracing is on in this process already");
  return { ...tracing, shutdown: () => tracing.shutdown(), spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}
