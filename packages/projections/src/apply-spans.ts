import type { EventEnvelope } from "@loadline/core";
import { activeTracer, contextOfMessage, envelopeAttributes, failSpan, startMessagingSpan } from "@loadline/nats";
import type { Span } from "@opentelemetry/api";
import type { ProjectedEvent } from "./projection.ts";

export type ApplySpans = { end(err?: unknown): void };

/**
 * Traced: a `process` span for each event of a batch that carries a trace context, child of
 * it, open while the batch's transaction runs (the batch is one transaction, each event its own
 * trace). Undefined when tracing is off or no event carries one: most metric windows carry none.
 */
export function startApplySpans(projection: string, events: readonly ProjectedEvent[]): ApplySpans | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  let spans: Span[] | undefined;
  for (const { event, subject } of events) {
    if (!event.traceparent || !subject) continue;
    const attributes = { ...envelopeAttributes(event, "event"), "loadline.projection": projection };
    (spans ??= []).push(
      startMessagingSpan(
        tracer,
        { operation: "process", subject, messageId: messageIdOf(event), attributes },
        contextOfMessage(undefined, event),
      ),
    );
  }
  if (!spans) return undefined;
  const started = spans;
  return {
    end(err?: unknown) {
      for (const span of started) {
        if (err !== undefined) failSpan(span, err);
        span.end();
      }
    },
  };
}

/** Its Nats-Msg-Id: a window's is `<run>.<worker>.<second>` (the worker's WindowPublisher), a domain event's its envelope id. */
const messageIdOf = (event: EventEnvelope): string =>
  event.type === "metrics.window" ? `${event.data.runId}.${event.data.workerId}.${event.data.second}` : event.id;
