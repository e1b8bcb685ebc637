import { context, propagation, type Tracer, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export type TracingOptions = {
  /** The service's name, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of OTLP (a test's in-memory exporter): tracing is then on whatever the environment says. */
  spanProcessors?: SpanProcessor[];
};

/** Tracing as started: `shutdown` flushes what is buffered and unregisters (a no-op when it was off). */
export type Tracing = { readonly enabled: boolean; shutdown(): Promise<void> };

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

let started: NodeTracerProvider | undefined;

/** Tracing is asked for by an OTLP endpoint, and not turned off (OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Turns tracing on for this process, once: a NodeTracerProvider (AsyncLocalStorage context, W3C
 * trace context propagation) exporting by OTLP/HTTP in batches, registered with the API, which
 * every traced part of Loadline asks for. Off (nothing registered: the API's no-op) unless an
 * endpoint is configured or span processors are given. The exporter reads OTEL_EXPORTER_OTLP_*
 * and the provider OTEL_TRACES_SAMPLER(_ARG) (default parent-based, always on) from the process's
 * environment. A second call while one is on (the all-in-one stack inside a test that traces) is off:
 * the first caller owns the provider and shuts it down.
 */
export function startTracing(opts: TracingOptions): Tracing {
  const env = opts.env ?? process.env;
  if (started) return OFF;
  const spanProcessors = opts.spanProcessors ?? (tracingConfigured(env) ? [new BatchSpanProcessor(new OTLPTraceExporter())] : null);
  if (!spanProcessors) return OFF;
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }))
    .merge(detectResources({ detectors: [envDetector] })); // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  started = provider;
  return {
    enabled: true,
    async shutdown() {
      if (started !== provider) return;
      started = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The tracer of the provider startTracing registered, or undefined while tracing is off. */
export function startedTracer(name: string): Tracer | undefined {
  return started?.getTracer(name);
}
