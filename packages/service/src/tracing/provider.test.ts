import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startInMemoryTracing } from "./in-memory.ts";
import { startTracing, tracingConfigured } from "./provider.ts";

describe("startTracing", () => {
  it("is on only for an OTLP endpoint not turned off", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" })).toBe(false);
  });

  it("registers nothing when not configured: the API's no-op tracer", async () => {
    const tracing = startTracing({ serviceName: "test", env: {} });
    expect(tracing.enabled).toBe(false);
    expect(trace.getTracer("x").startSpan("s").isRecording()).toBe(false);
    await tracing.shutdown();
  });

  it("leaves a provider already started to its owner, and unregisters on shutdown", async () => {
    const owner = startInMemoryTracing("owner");
    expect(startTracing({ serviceName: "second", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" } }).enabled).toBe(false);
    trace.getTracer("x").startSpan("s").end();
    expect(owner.spans().map((s) => s.resource.attributes["service.name"])).toEqual(["owner"]);
    await owner.shutdown();
    expect(trace.getTracer("x").startSpan("s").isRecording()).toBe(false);
  });
});
