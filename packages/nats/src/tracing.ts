import { headers, type MsgHdrs } from "@nats-io/transport-node";
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  type Link,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";

/**
 * Tracing on NATS, through the OpenTelemetry API only: no SDK here. A process turns tracing on by
 * registering a provider (@loadline/service's startTracing); until then `activeTracer()` is
 * undefined, and the helpers below do nothing past that one check of the registered provider:
 * tracing off reads and writes no header, makes no span, and never touches the load engine.
 */

export type { Link } from "@opentelemetry/api";

/** The headers a traced message is published with. */
export type PublishHeaders = MsgHdrs;

export const TRACEPARENT_HEADER = "traceparent";
export const TRACESTATE_HEADER = "tracestate";
const TRACER_NAME = "loadline";

/** What NATS headers are to the propagator (nats.js's MsgHdrs, by shape: get gives "" for none). */
export type TraceHeaders = { get(key: string): string; set(key: string, value: string): void; has(key: string): boolean; keys(): string[] };

export const natsHeaderGetter: TextMapGetter<TraceHeaders> = {
  keys: (headers) => headers.keys(),
  get: (headers, key) => (headers.has(key) ? headers.get(key) : undefined),
};
export const natsHeaderSetter: TextMapSetter<TraceHeaders> = { set: (headers, key, value) => headers.set(key, value) };

// The API's provider is a proxy whose delegate is this no-op until a provider registers.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

/** The tracer, or undefined while no provider is registered (tracing off): a few property reads, nothing allocated. */
export function activeTracer(): Tracer | undefined {
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (provider === NOOP_PROVIDER) return undefined;
  // Keyed by provider: one registered again (a test's, after another's) gets its own tracer.
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cached.tracer;
}

/** The W3C traceparent of the span in `ctx`, for an envelope; undefined when there is none. */
export function traceparentOf(ctx: Context): string | undefined {
  const span = trace.getSpanContext(ctx);
  if (!span || !trace.isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, "0")}`;
}

/** Writes `ctx`'s trace context into NATS headers (traceparent, tracestate). */
export function injectTraceHeaders(ctx: Context, headers: TraceHeaders): void {
  propagation.inject(ctx, headers, natsHeaderSetter);
}

/**
 * The remote context a message carries: its headers' trace context, else its envelope's
 * traceparent (an echo on core NATS, a copy of the payload alone). ROOT when it carries none.
 */
export function contextOfMessage(headers: TraceHeaders | undefined, envelope?: { traceparent?: string | undefined }): Context {
  if (headers?.has(TRACEPARENT_HEADER)) return propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
  if (envelope?.traceparent) return propagation.extract(ROOT_CONTEXT, { traceparent: envelope.traceparent }, defaultTextMapGetter);
  return ROOT_CONTEXT;
}

/** A link to the span a traceparent names (the other parents of a batch decided as one). */
export function linkOf(traceparent: string | undefined): Link | undefined {
  if (!traceparent) return undefined;
  const span = trace.getSpanContext(contextOfMessage(undefined, { traceparent }));
  return span ? { context: span } : undefined;
}

/** `ll.evt.acme.run.0190…` → `ll.evt.{tenant}.run.{id}`: a span name of few values (semconv: the destination template). */
export function subjectTemplate(subject: string): string {
  const [ns, kind, , type, ...rest] = subject.split(".");
  if (kind === "cmd" || kind === "evt")
    return [ns, kind, "{tenant}", type, ...rest.map((_, i) => (i === 0 ? "{id}" : "{sender}"))].join(".");
  if (kind === "met") return `${ns}.met.{tenant}.{run}.{worker}`;
  if (kind === "ctl") return `${ns}.ctl.{tenant}.{run}`;
  return subject;
}

/** Publish and process are what Loadline does (each message is handed to its consumer as it is pulled: no separate receive). */
export type MessagingOperation = "publish" | "process";

export type MessagingSpanOptions = {
  operation: MessagingOperation;
  subject: string;
  /** The message's id: the envelope's (Nats-Msg-Id), or a window's `<run>.<worker>.<second>`. */
  messageId?: string | undefined;
  attributes?: Attributes;
  links?: Link[];
};

const KINDS: Record<MessagingOperation, SpanKind> = { publish: SpanKind.PRODUCER, process: SpanKind.CONSUMER };

/** A messaging span by the semantic conventions: `<operation> <subject template>`, messaging.* attributes, child of `parent`. */
export function startMessagingSpan(tracer: Tracer, opts: MessagingSpanOptions, parent: Context = context.active()): Span {
  const template = subjectTemplate(opts.subject);
  const attributes: Attributes = {
    "messaging.system": "nats",
    "messaging.operation.type": opts.operation,
    "messaging.operation.name": opts.operation,
    "messaging.destination.name": opts.subject,
    "messaging.destination.template": template,
    ...(opts.messageId ? { "messaging.message.id": opts.messageId } : {}),
    ...opts.attributes,
  };
  return tracer.startSpan(`${opts.operation} ${template}`, { kind: KINDS[opts.operation], attributes, links: opts.links ?? [] }, parent);
}

/**
 * A publish span for a message about to go out: the headers to send it with (its context), and
 * the traceparent its envelope carries (the same), so the consumer's span is the publish span's child.
 */
export function startPublish(
  tracer: Tracer,
  opts: Omit<MessagingSpanOptions, "operation">,
  parent: Context = context.active(),
): { span: Span; headers: MsgHdrs; traceparent: string | undefined } {
  const span = startMessagingSpan(tracer, { ...opts, operation: "publish" }, parent);
  const ctx = trace.setSpan(parent, span);
  const h = headers();
  injectTraceHeaders(ctx, h);
  return { span, headers: h, traceparent: traceparentOf(ctx) };
}

/** Runs `work` with `span` active, ends it, and records a throw as the span's error (then rethrows it). */
export async function inSpan<T>(span: Span, parent: Context, work: () => Promise<T> | T): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span failed by `err`. */
export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * An internal span (a decision, a run's start) named `name`, child of `parent`, around `work`;
 * `work` alone when tracing is off.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T> | T,
  /** `parent`: a context, or how to find it; `links`: how to find them (asked only when tracing is on). */
  opts: { parent?: Context | (() => Context); links?: () => Link[] } = {},
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return work();
  const parent = typeof opts.parent === "function" ? opts.parent() : (opts.parent ?? context.active());
  return inSpan(tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, links: opts.links?.() ?? [] }, parent), parent, work);
}

/**
 * Runs `work` in a `process` span of a consumed message (a command, an event, an echo), child of
 * the context the message carries; `work` alone when tracing is off (its headers never read).
 */
export async function processing<T>(
  msg: { subject: string; headers?: TraceHeaders | undefined },
  envelope: TracedEnvelope,
  kind: "command" | "event",
  work: () => Promise<T> | T,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return work();
  const parent = contextOfMessage(msg.headers, envelope);
  const attributes = envelopeAttributes(envelope, kind);
  return inSpan(
    startMessagingSpan(tracer, { operation: "process", subject: msg.subject, messageId: envelope.id, attributes }, parent),
    parent,
    work,
  );
}

/** The active context when it holds a span (a consumer's, a decision's), else the one `envelope` carries. */
export function activeOrCarried(envelope: { traceparent?: string | undefined }): Context {
  const active = context.active();
  return trace.getSpan(active) ? active : contextOfMessage(undefined, envelope);
}

const NO_TRACE: { traceparent?: string; tracestate?: string } = Object.freeze({});

/** The active span's traceparent and tracestate, for what it writes (an append's headers and envelopes); empty when off. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  if (!activeTracer()) return NO_TRACE;
  const active = context.active();
  const traceparent = traceparentOf(active);
  if (!traceparent) return NO_TRACE;
  const tracestate = trace.getSpanContext(active)?.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

type TracedEnvelope = {
  id: string;
  type: string;
  tenantId: string;
  aggregate: { type: string; id: string };
  traceparent?: string | undefined;
};

/** The loadline.* attributes of an envelope. */
export function envelopeAttributes(
  envelope: { type: string; tenantId: string; aggregate: { type: string; id: string } },
  kind: "command" | "event",
): Attributes {
  return {
    "loadline.tenant_id": envelope.tenantId,
    [kind === "command" ? "loadline.command.type" : "loadline.event.type"]: envelope.type,
    ...(envelope.aggregate.type === "run" ? { "loadline.run_id": envelope.aggregate.id } : {}),
  };
}
